import { expect } from 'vitest';
import type { Hub } from '../../src/hub.js';
import { sql } from '../../src/store/sql.js';
import type { HttpHub } from './hub.js';

/**
 * Makes `userId` the owner of `deviceId` straight in the database (no pairing code needed), and
 * tells the access index, as the claim route (`POST /v1/devices/{did}/claim`) would.
 */
export async function bindOwner(hub: Hub, deviceId: string, userId: string): Promise<void> {
  await hub.store.run(
    sql`INSERT INTO device_bindings (device_id, user_id, role, created_at)
        VALUES (${deviceId}, ${userId}, 'owner', ${Date.now()})`,
  );
  await hub.control.access.changed([userId]);
}

/** Creates a home through the API; returns its id. */
export async function createHome(hub: HttpHub, token: string, name = 'Home'): Promise<string> {
  const res = await hub.request('POST', '/v1/homes', { token, body: { name } });
  expect(res.status, res.text).toBe(201);
  return String(res.body['id']);
}

/** Creates a room through the API; returns its id. */
export async function createRoom(hub: HttpHub, token: string, homeId: string, name: string): Promise<string> {
  const res = await hub.request('POST', `/v1/homes/${homeId}/rooms`, { token, body: { name } });
  expect(res.status, res.text).toBe(201);
  return String(res.body['id']);
}

/** Records every `access` event from now on, user ids sorted, until `stop()`. */
export function recordAccess(hub: Hub): { readonly events: string[][]; stop(): void } {
  const events: string[][] = [];
  const listener = (e: { userIds: readonly string[] }) => {
    events.push([...e.userIds].sort());
  };
  hub.events.on('access', listener);
  return { events, stop: () => hub.events.off('access', listener) };
}
