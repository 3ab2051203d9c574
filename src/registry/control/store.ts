import type { Queryable } from '../../store/engine.js';
import { sql } from '../../store/sql.js';

export type BindingRole = 'owner' | 'member';

export interface BindingRow {
  readonly device_id: string;
  readonly user_id: string;
  readonly role: BindingRole;
  readonly created_at: number;
}

/**
 * Channel of access changes: the payload names a user whose set of accessible devices changed
 * (`{origin} {userId}`). Every hub process on the database reloads that user's access index entry.
 */
export const ACCESS_CHANGED = 'device_access';

const BINDING_COLUMNS = sql`device_id, user_id, role, created_at`;

export async function findDeviceByPairingHash(
  db: Queryable,
  hash: Buffer,
): Promise<{ id: string } | undefined> {
  return db.one<{ id: string }>(sql`SELECT id FROM devices WHERE pairing_hash = ${hash}`);
}

export async function ownerOf(db: Queryable, deviceId: string): Promise<string | undefined> {
  const row = await db.one<{ user_id: string }>(
    sql`SELECT user_id FROM device_bindings WHERE device_id = ${deviceId} AND role = 'owner'`,
  );
  return row?.user_id;
}

/** When the current owner claimed the device: what its users see starts there. */
export async function ownerSince(db: Queryable, deviceId: string): Promise<number | undefined> {
  const row = await db.one<{ created_at: number }>(
    sql`SELECT created_at FROM device_bindings WHERE device_id = ${deviceId} AND role = 'owner'`,
  );
  return row?.created_at;
}

export function bindingsOf(db: Queryable, deviceId: string): Promise<BindingRow[]> {
  return db.many<BindingRow>(
    sql`SELECT ${BINDING_COLUMNS} FROM device_bindings WHERE device_id = ${deviceId} ORDER BY created_at, user_id`,
  );
}

/**
 * False when the binding exists already, or (owner) when the device already has an owner: the
 * partial unique index refuses a second one.
 */
export async function insertBinding(
  db: Queryable,
  deviceId: string,
  userId: string,
  role: 'owner' | 'member',
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES (${deviceId}, ${userId}, ${role}, ${at})
        ON CONFLICT DO NOTHING`,
  );
  return changes === 1;
}

/** Pairing codes are single use: claiming clears it (removing the device issues a new one). */
export async function clearPairing(db: Queryable, deviceId: string): Promise<void> {
  await db.run(sql`UPDATE devices SET pairing_hash = NULL WHERE id = ${deviceId}`);
}

export async function setPairing(db: Queryable, deviceId: string, hash: Buffer): Promise<void> {
  await db.run(sql`UPDATE devices SET pairing_hash = ${hash} WHERE id = ${deviceId}`);
}

export async function deleteBinding(db: Queryable, deviceId: string, userId: string): Promise<boolean> {
  const { changes } = await db.run(
    sql`DELETE FROM device_bindings WHERE device_id = ${deviceId} AND user_id = ${userId}`,
  );
  return changes === 1;
}

export function bindingsOfUser(db: Queryable, userId: string): Promise<BindingRow[]> {
  return db.many<BindingRow>(
    sql`SELECT ${BINDING_COLUMNS} FROM device_bindings WHERE user_id = ${userId} ORDER BY created_at, device_id`,
  );
}

export async function deleteAllBindings(db: Queryable, deviceId: string): Promise<void> {
  await db.run(sql`DELETE FROM device_bindings WHERE device_id = ${deviceId}`);
  await db.run(sql`DELETE FROM device_placements WHERE device_id = ${deviceId}`);
  await db.run(sql`DELETE FROM device_desired WHERE device_id = ${deviceId}`);
  await db.run(sql`DELETE FROM device_desired_refusals WHERE device_id = ${deviceId}`);
}

// A placement grants access only while the device's owner is also the home's owner: a stale
// placement (the device changed hands) must not keep the old household watching.
const LIVE_PLACEMENTS = sql`device_placements p
  JOIN homes h ON h.id = p.home_id
  JOIN device_bindings ob ON ob.device_id = p.device_id AND ob.role = 'owner' AND ob.user_id = h.owner_id
  JOIN home_members hm ON hm.home_id = p.home_id`;

/** Members of the home a device is placed in: they see it too. */
export async function homeMembersOf(db: Queryable, deviceId: string): Promise<string[]> {
  const rows = await db.many<{ user_id: string }>(
    sql`SELECT hm.user_id FROM ${LIVE_PLACEMENTS} WHERE p.device_id = ${deviceId}`,
  );
  return rows.map((r) => r.user_id);
}

export interface AccessRow {
  readonly device_id: string;
  readonly role: BindingRole;
}

/**
 * Every device a user may watch and control, with the user's role: its own bindings (owner or
 * member), plus devices placed in homes the user belongs to (as member, unless bound as owner).
 */
export function accessibleDevices(db: Queryable, userId: string): Promise<AccessRow[]> {
  return db.many<AccessRow>(
    sql`SELECT device_id, role FROM device_bindings WHERE user_id = ${userId}
        UNION
        SELECT p.device_id, 'member' FROM ${LIVE_PLACEMENTS}
        WHERE hm.user_id = ${userId}
          AND p.device_id NOT IN (SELECT device_id FROM device_bindings WHERE user_id = ${userId})`,
  );
}

/**
 * Announces, at COMMIT, that these users' access changed: every hub process on the database (this
 * one included) reloads their access index entries. `origin` names the process that wrote, which
 * has reloaded already.
 */
export async function notifyAccess(db: Queryable, origin: string, userIds: Iterable<string>): Promise<void> {
  for (const userId of new Set(userIds)) await db.notify(ACCESS_CHANGED, `${origin} ${userId}`);
}
