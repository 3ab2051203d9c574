import { type Db, prepared } from '../../store/database.js';

export type BindingRole = 'owner' | 'member';

export interface BindingRow {
  readonly device_id: string;
  readonly user_id: string;
  readonly role: BindingRole;
  readonly created_at: number;
}

export function findDeviceByPairingHash(db: Db, hash: Buffer): { id: string } | undefined {
  return prepared(db, 'SELECT id FROM devices WHERE pairing_hash = ?').get(hash) as
    | { id: string }
    | undefined;
}

export function ownerOf(db: Db, deviceId: string): string | undefined {
  const row = prepared(db, "SELECT user_id FROM device_bindings WHERE device_id = ? AND role = 'owner'").get(
    deviceId,
  ) as { user_id: string } | undefined;
  return row?.user_id;
}

/** When the current owner claimed the device: what its users see starts there. */
export function ownerSince(db: Db, deviceId: string): number | undefined {
  const row = prepared(
    db,
    "SELECT created_at FROM device_bindings WHERE device_id = ? AND role = 'owner'",
  ).get(deviceId) as { created_at: number } | undefined;
  return row?.created_at;
}

export function bindingsOf(db: Db, deviceId: string): BindingRow[] {
  return prepared(db, 'SELECT * FROM device_bindings WHERE device_id = ? ORDER BY created_at').all(
    deviceId,
  ) as BindingRow[];
}

/** False when the device already has an owner (the partial unique index refuses a second one). */
export function insertOwner(db: Db, deviceId: string, userId: string, at: number): boolean {
  const info = prepared(
    db,
    `INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)
       ON CONFLICT DO NOTHING`,
  ).run(deviceId, userId, at);
  return info.changes === 1;
}

/** Pairing codes are single use: claiming clears it (removing the device issues a new one). */
export function clearPairing(db: Db, deviceId: string): void {
  prepared(db, 'UPDATE devices SET pairing_hash = NULL WHERE id = ?').run(deviceId);
}

export function setPairing(db: Db, deviceId: string, hash: Buffer): void {
  prepared(db, 'UPDATE devices SET pairing_hash = ? WHERE id = ?').run(hash, deviceId);
}

export function insertMember(db: Db, deviceId: string, userId: string, at: number): boolean {
  const info = prepared(
    db,
    `INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES (?, ?, 'member', ?)
       ON CONFLICT DO NOTHING`,
  ).run(deviceId, userId, at);
  return info.changes === 1;
}

export function deleteBinding(db: Db, deviceId: string, userId: string): boolean {
  return (
    prepared(db, 'DELETE FROM device_bindings WHERE device_id = ? AND user_id = ?').run(deviceId, userId)
      .changes === 1
  );
}

export function bindingsOfUser(db: Db, userId: string): BindingRow[] {
  return prepared(db, 'SELECT * FROM device_bindings WHERE user_id = ? ORDER BY created_at, device_id').all(
    userId,
  ) as BindingRow[];
}

export function deleteAllBindings(db: Db, deviceId: string): void {
  prepared(db, 'DELETE FROM device_bindings WHERE device_id = ?').run(deviceId);
  prepared(db, 'DELETE FROM device_placements WHERE device_id = ?').run(deviceId);
  prepared(db, 'DELETE FROM device_desired WHERE device_id = ?').run(deviceId);
  prepared(db, 'DELETE FROM device_desired_refusals WHERE device_id = ?').run(deviceId);
}

// A placement grants access only while the device's owner is also the home's owner: a stale
// placement (the device changed hands) must not keep the old household watching.
const LIVE_PLACEMENTS = `device_placements p
  JOIN homes h ON h.id = p.home_id
  JOIN device_bindings ob ON ob.device_id = p.device_id AND ob.role = 'owner' AND ob.user_id = h.owner_id
  JOIN home_members hm ON hm.home_id = p.home_id`;

/** Members of the home a device is placed in: they see it too. */
export function homeMembersOf(db: Db, deviceId: string): string[] {
  return (
    prepared(db, `SELECT hm.user_id FROM ${LIVE_PLACEMENTS} WHERE p.device_id = ?`).all(deviceId) as Array<{
      user_id: string;
    }>
  ).map((r) => r.user_id);
}

export interface AccessRow {
  readonly device_id: string;
  readonly role: BindingRole;
}

/**
 * Every device a user may watch and control, with the user's role: its own bindings (owner or
 * member), plus devices placed in homes the user belongs to (as member, unless bound as owner).
 */
export function accessibleDevices(db: Db, userId: string): AccessRow[] {
  return prepared(
    db,
    `SELECT device_id, role FROM device_bindings WHERE user_id = ?
       UNION
       SELECT p.device_id, 'member' FROM ${LIVE_PLACEMENTS}
       WHERE hm.user_id = ? AND p.device_id NOT IN (SELECT device_id FROM device_bindings WHERE user_id = ?)`,
  ).all(userId, userId, userId) as AccessRow[];
}

export interface DesiredRow {
  readonly property: string;
  readonly value: string;
  readonly set_at: number;
  readonly set_by: string;
}

export function upsertDesired(
  db: Db,
  deviceId: string,
  property: string,
  value: string,
  at: number,
  by: string,
): void {
  prepared(
    db,
    `INSERT INTO device_desired (device_id, property, value, set_at, set_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value, set_at = excluded.set_at, set_by = excluded.set_by`,
  ).run(deviceId, property, value, at, by);
}

export function readDesired(db: Db, deviceId: string): DesiredRow[] {
  return prepared(
    db,
    'SELECT property, value, set_at, set_by FROM device_desired WHERE device_id = ? ORDER BY property',
  ).all(deviceId) as DesiredRow[];
}

/** Clears a desired value once the device reported exactly that value. */
export function clearDesiredIfReported(
  db: Db,
  deviceId: string,
  property: string,
  reportedJson: string,
): boolean {
  return (
    prepared(db, 'DELETE FROM device_desired WHERE device_id = ? AND property = ? AND value = ?').run(
      deviceId,
      property,
      reportedJson,
    ).changes === 1
  );
}

export function hasDesired(db: Db, deviceId: string): boolean {
  return prepared(db, 'SELECT 1 FROM device_desired WHERE device_id = ? LIMIT 1').get(deviceId) !== undefined;
}

/** Desired values (and refusals) of one device, all or those of one property; returns how many desired values went. */
export function deleteDesired(db: Db, deviceId: string, property?: string): number {
  const one = property === undefined ? '' : ' AND property = @property';
  const args = { deviceId, property: property ?? null };
  prepared(db, `DELETE FROM device_desired_refusals WHERE device_id = @deviceId${one}`).run(args);
  return prepared(db, `DELETE FROM device_desired WHERE device_id = @deviceId${one}`).run(args).changes;
}

export interface RefusalRow {
  readonly property: string;
  readonly value: string;
  readonly code: string;
  readonly message: string;
  readonly refused_at: number;
  readonly set_by: string;
}

export function upsertRefusal(db: Db, deviceId: string, r: RefusalRow): void {
  prepared(
    db,
    `INSERT INTO device_desired_refusals (device_id, property, value, code, message, refused_at, set_by)
       VALUES (@deviceId, @property, @value, @code, @message, @refused_at, @set_by)
     ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value, code = excluded.code,
       message = excluded.message, refused_at = excluded.refused_at, set_by = excluded.set_by`,
  ).run({ deviceId, ...r });
}

/** A new value was set: an earlier refusal of the property is no longer news. */
export function deleteRefusal(db: Db, deviceId: string, property: string): void {
  prepared(db, 'DELETE FROM device_desired_refusals WHERE device_id = ? AND property = ?').run(
    deviceId,
    property,
  );
}

export function readRefusals(db: Db, deviceId: string): RefusalRow[] {
  return prepared(
    db,
    `SELECT property, value, code, message, refused_at, set_by FROM device_desired_refusals
       WHERE device_id = ? ORDER BY property`,
  ).all(deviceId) as RefusalRow[];
}

const ACCESSIBLE_TO_USER = `SELECT device_id FROM device_bindings WHERE user_id = @userId
  UNION SELECT p.device_id FROM ${LIVE_PLACEMENTS} WHERE hm.user_id = @userId`;

/**
 * Desired values (and refusals) a user set on devices it may no longer watch or control: it lost
 * them (unbound, share revoked, left the home), so what it left pending there goes too. Returns the
 * devices whose desired values changed.
 */
export function deleteDesiredWithoutAccess(db: Db, userId: string): string[] {
  prepared(
    db,
    `DELETE FROM device_desired_refusals WHERE set_by = @userId AND device_id NOT IN (${ACCESSIBLE_TO_USER})`,
  ).run({ userId });
  const rows = prepared(
    db,
    `DELETE FROM device_desired WHERE set_by = @userId AND device_id NOT IN (${ACCESSIBLE_TO_USER})
       RETURNING device_id`,
  ).all({ userId }) as Array<{ device_id: string }>;
  return [...new Set(rows.map((r) => r.device_id))];
}
