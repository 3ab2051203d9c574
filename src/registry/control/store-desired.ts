import type { Queryable } from '../../store/engine.js';
import { sql } from '../../store/sql.js';

/** SQL for desired state (what users set that devices have not reflected yet) and refusals. */

export interface DesiredRow {
  readonly property: string;
  readonly value: string;
  readonly set_at: number;
  readonly set_by: string;
}

export async function upsertDesired(
  db: Queryable,
  deviceId: string,
  property: string,
  value: string,
  at: number,
  by: string,
): Promise<void> {
  await db.run(
    sql`INSERT INTO device_desired (device_id, property, value, set_at, set_by)
        VALUES (${deviceId}, ${property}, ${value}, ${at}, ${by})
        ON CONFLICT (device_id, property) DO UPDATE
          SET value = excluded.value, set_at = excluded.set_at, set_by = excluded.set_by`,
  );
}

export function readDesired(db: Queryable, deviceId: string): Promise<DesiredRow[]> {
  return db.many<DesiredRow>(
    sql`SELECT property, value, set_at, set_by FROM device_desired WHERE device_id = ${deviceId} ORDER BY property`,
  );
}

/** Devices with at least one desired value (loaded once at start). */
export async function devicesWithDesired(db: Queryable): Promise<string[]> {
  const rows = await db.many<{ device_id: string }>(sql`SELECT DISTINCT device_id FROM device_desired`);
  return rows.map((r) => r.device_id);
}

/** Clears a desired value once the device reported exactly that value. */
export async function clearDesiredIfReported(
  db: Queryable,
  deviceId: string,
  property: string,
  reportedJson: string,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`DELETE FROM device_desired WHERE device_id = ${deviceId} AND property = ${property} AND value = ${reportedJson}`,
  );
  return changes === 1;
}

export async function hasDesired(db: Queryable, deviceId: string): Promise<boolean> {
  return (
    (await db.one(sql`SELECT 1 AS one FROM device_desired WHERE device_id = ${deviceId} LIMIT 1`)) !==
    undefined
  );
}

/** Desired values (and refusals) of one device, all or those of one property; returns how many desired values went. */
export async function deleteDesired(db: Queryable, deviceId: string, property?: string): Promise<number> {
  const one = property === undefined ? sql.empty : sql`AND property = ${property}`;
  await db.run(sql`DELETE FROM device_desired_refusals WHERE device_id = ${deviceId} ${one}`);
  return (await db.run(sql`DELETE FROM device_desired WHERE device_id = ${deviceId} ${one}`)).changes;
}

export interface RefusalRow {
  readonly property: string;
  readonly value: string;
  readonly code: string;
  readonly message: string;
  readonly refused_at: number;
  readonly set_by: string;
}

export async function upsertRefusal(db: Queryable, deviceId: string, r: RefusalRow): Promise<void> {
  await db.run(
    sql`INSERT INTO device_desired_refusals (device_id, property, value, code, message, refused_at, set_by)
        VALUES (${deviceId}, ${r.property}, ${r.value}, ${r.code}, ${r.message}, ${r.refused_at}, ${r.set_by})
        ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value, code = excluded.code,
          message = excluded.message, refused_at = excluded.refused_at, set_by = excluded.set_by`,
  );
}

/** A new value was set: an earlier refusal of the property is no longer news. */
export async function deleteRefusal(db: Queryable, deviceId: string, property: string): Promise<void> {
  await db.run(
    sql`DELETE FROM device_desired_refusals WHERE device_id = ${deviceId} AND property = ${property}`,
  );
}

export function readRefusals(db: Queryable, deviceId: string): Promise<RefusalRow[]> {
  return db.many<RefusalRow>(
    sql`SELECT property, value, code, message, refused_at, set_by FROM device_desired_refusals
        WHERE device_id = ${deviceId} ORDER BY property`,
  );
}

function accessibleTo(userId: string) {
  return sql`SELECT device_id FROM device_bindings WHERE user_id = ${userId}
    UNION SELECT p.device_id FROM device_placements p
      JOIN homes h ON h.id = p.home_id
      JOIN device_bindings ob ON ob.device_id = p.device_id AND ob.role = 'owner' AND ob.user_id = h.owner_id
      JOIN home_members hm ON hm.home_id = p.home_id
    WHERE hm.user_id = ${userId}`;
}

/**
 * Desired values (and refusals) a user set on devices it may no longer watch or control: it lost
 * them (unbound, share revoked, left the home), so what it left pending there goes too. Returns the
 * devices whose desired values changed.
 */
export async function deleteDesiredWithoutAccess(db: Queryable, userId: string): Promise<string[]> {
  await db.run(
    sql`DELETE FROM device_desired_refusals WHERE set_by = ${userId} AND device_id NOT IN (${accessibleTo(userId)})`,
  );
  const { rows } = await db.run<{ device_id: string }>(
    sql`DELETE FROM device_desired WHERE set_by = ${userId} AND device_id NOT IN (${accessibleTo(userId)})
        RETURNING device_id`,
  );
  return [...new Set(rows.map((r) => r.device_id))];
}
