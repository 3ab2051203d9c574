/**
 * Read-only facts about models and devices that firmware needs, from the registry's tables. The
 * one place the firmware domain reads another domain's tables: when the registry's own async
 * services offer these reads, this module becomes calls to them (docs/ota.md, "Design").
 */
import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export interface FleetDevice {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly model_version: number;
  readonly firmware_version: string | null;
  readonly online: boolean;
  readonly blocked: boolean;
}

const DEVICE = sql`id, partner_id, model_id, model_version, firmware_version, online, blocked`;

export function modelOwner(db: Queryable, modelId: string): Promise<{ partner_id: string } | undefined> {
  return db.one(sql`SELECT partner_id FROM models WHERE id = ${modelId}`);
}

export function modelVersion(
  db: Queryable,
  modelId: string,
  version: number,
): Promise<{ state: string; document: string } | undefined> {
  return db.one(
    sql`SELECT state, document FROM model_versions WHERE model_id = ${modelId} AND version = ${version}`,
  );
}

export function device(db: Queryable, id: string): Promise<FleetDevice | undefined> {
  return db.one<FleetDevice>(sql`SELECT ${DEVICE} FROM devices WHERE id = ${id}`);
}

export function devicesOfModel(db: Queryable, modelId: string): Promise<FleetDevice[]> {
  return db.many<FleetDevice>(sql`SELECT ${DEVICE} FROM devices WHERE model_id = ${modelId} ORDER BY id`);
}

export function devicesByIds(db: Queryable, ids: readonly string[]): Promise<FleetDevice[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.many<FleetDevice>(sql`SELECT ${DEVICE} FROM devices WHERE id IN (${sql.join(ids)}) ORDER BY id`);
}

export async function ownerOf(db: Queryable, deviceId: string): Promise<string | undefined> {
  const row = await db.one<{ user_id: string }>(
    sql`SELECT user_id FROM device_bindings WHERE device_id = ${deviceId} AND role = 'owner'`,
  );
  return row?.user_id;
}

export function devicesOwnedBy(db: Queryable, userId: string): Promise<Array<{ device_id: string }>> {
  return db.many(
    sql`SELECT device_id FROM device_bindings WHERE user_id = ${userId} AND role = 'owner' ORDER BY device_id`,
  );
}
