import { type Db, prepared } from '../../store/database.js';
import { afterClause, type PageRequest } from '../../store/page.js';

export type HomeRole = 'owner' | 'member';

export interface HomeRow {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly created_at: number;
}

/** A home as one of its members sees it. */
export interface MyHomeRow extends HomeRow {
  readonly role: HomeRole;
}

export interface MemberRow {
  readonly user_id: string;
  readonly email: string;
  readonly display_name: string | null;
  readonly role: HomeRole;
}

export interface RoomRow {
  readonly id: string;
  readonly home_id: string;
  readonly name: string;
  readonly created_at: number;
}

export interface PlacementRow {
  readonly device_id: string;
  readonly home_id: string;
  readonly home_name: string;
  readonly room_id: string | null;
  readonly room_name: string | null;
}

/**
 * Placements that still count: the device's current owner is the home's owner. A device unbound or
 * claimed by someone else keeps its stale row until re-placed, but no home member sees it through it.
 */
const LIVE_PLACEMENTS = `
  device_placements p
  JOIN homes h ON h.id = p.home_id
  JOIN device_bindings b ON b.device_id = p.device_id AND b.role = 'owner' AND b.user_id = h.owner_id
  LEFT JOIN rooms r ON r.id = p.room_id`;

export function insertHome(db: Db, row: HomeRow): void {
  prepared(
    db,
    'INSERT INTO homes (id, owner_id, name, created_at) VALUES (@id, @owner_id, @name, @created_at)',
  ).run(row);
  insertMember(db, { home_id: row.id, user_id: row.owner_id, role: 'owner', created_at: row.created_at });
}

export function renameHome(db: Db, homeId: string, name: string): void {
  prepared(db, 'UPDATE homes SET name = ? WHERE id = ?').run(name, homeId);
}

/** Members, rooms and placements go with it (ON DELETE CASCADE); the devices stay bound to their owner. */
export function deleteHome(db: Db, homeId: string): void {
  prepared(db, 'DELETE FROM homes WHERE id = ?').run(homeId);
}

/** The home with the user's role in it, or undefined when the user is not in it (or it does not exist). */
export function findMyHome(db: Db, userId: string, homeId: string): MyHomeRow | undefined {
  return prepared(
    db,
    `SELECT h.*, m.role FROM homes h JOIN home_members m ON m.home_id = h.id
       WHERE h.id = ? AND m.user_id = ?`,
  ).get(homeId, userId) as MyHomeRow | undefined;
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listMyHomes(db: Db, userId: string, page: PageRequest): MyHomeRow[] {
  const after = afterClause(['h.created_at', 'h.id'], page.after);
  return prepared(
    db,
    `SELECT h.*, m.role FROM homes h JOIN home_members m ON m.home_id = h.id
       WHERE m.user_id = ? ${after ? `AND ${after.sql}` : ''} ORDER BY h.created_at, h.id LIMIT ?`,
  ).all(userId, ...(after?.args ?? []), page.limit + 1) as MyHomeRow[];
}

export function insertMember(
  db: Db,
  row: { home_id: string; user_id: string; role: HomeRole; created_at: number },
): void {
  prepared(
    db,
    `INSERT INTO home_members (home_id, user_id, role, created_at)
     VALUES (@home_id, @user_id, @role, @created_at)`,
  ).run(row);
}

export function deleteMember(db: Db, homeId: string, userId: string): boolean {
  return (
    prepared(db, 'DELETE FROM home_members WHERE home_id = ? AND user_id = ?').run(homeId, userId).changes ===
    1
  );
}

/** The owner first, then members in the order they joined. */
export function listMembers(db: Db, homeId: string): MemberRow[] {
  return prepared(
    db,
    `SELECT m.user_id, u.email, u.display_name, m.role FROM home_members m JOIN users u ON u.id = m.user_id
       WHERE m.home_id = ? ORDER BY m.role = 'owner' DESC, m.created_at, m.user_id`,
  ).all(homeId) as MemberRow[];
}

export function memberIds(db: Db, homeId: string): string[] {
  return (
    prepared(db, 'SELECT user_id FROM home_members WHERE home_id = ?').all(homeId) as Array<{
      user_id: string;
    }>
  ).map((r) => r.user_id);
}

export function insertRoom(db: Db, row: RoomRow): void {
  prepared(
    db,
    'INSERT INTO rooms (id, home_id, name, created_at) VALUES (@id, @home_id, @name, @created_at)',
  ).run(row);
}

export function renameRoom(db: Db, roomId: string, name: string): void {
  prepared(db, 'UPDATE rooms SET name = ? WHERE id = ?').run(name, roomId);
}

/** Devices placed in the room stay in the home, without a room (ON DELETE SET NULL). */
export function deleteRoom(db: Db, roomId: string): void {
  prepared(db, 'DELETE FROM rooms WHERE id = ?').run(roomId);
}

export function listRooms(db: Db, homeId: string): RoomRow[] {
  return prepared(db, 'SELECT * FROM rooms WHERE home_id = ? ORDER BY created_at, id').all(
    homeId,
  ) as RoomRow[];
}

export function findRoom(db: Db, homeId: string, roomId: string): RoomRow | undefined {
  return prepared(db, 'SELECT * FROM rooms WHERE id = ? AND home_id = ?').get(roomId, homeId) as
    | RoomRow
    | undefined;
}

/** The user's binding role for a device (read-only here: bindings belong to the control module). */
export function bindingRole(db: Db, deviceId: string, userId: string): HomeRole | undefined {
  const row = prepared(db, 'SELECT role FROM device_bindings WHERE device_id = ? AND user_id = ?').get(
    deviceId,
    userId,
  ) as { role: HomeRole } | undefined;
  return row?.role;
}

/** The placement row as stored, live or stale. */
export function findPlacement(
  db: Db,
  deviceId: string,
): { home_id: string; room_id: string | null } | undefined {
  return prepared(db, 'SELECT home_id, room_id FROM device_placements WHERE device_id = ?').get(deviceId) as
    | { home_id: string; room_id: string | null }
    | undefined;
}

export function upsertPlacement(db: Db, deviceId: string, homeId: string, roomId: string | null): void {
  prepared(
    db,
    `INSERT INTO device_placements (device_id, home_id, room_id) VALUES (?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET home_id = excluded.home_id, room_id = excluded.room_id`,
  ).run(deviceId, homeId, roomId);
}

export function deletePlacement(db: Db, deviceId: string): boolean {
  return prepared(db, 'DELETE FROM device_placements WHERE device_id = ?').run(deviceId).changes === 1;
}

export function livePlacement(db: Db, deviceId: string): PlacementRow | undefined {
  return prepared(
    db,
    `SELECT p.device_id, p.home_id, h.name AS home_name, p.room_id, r.name AS room_name
       FROM ${LIVE_PLACEMENTS} WHERE p.device_id = ?`,
  ).get(deviceId) as PlacementRow | undefined;
}

/** By device id; with a page, keyed by device id and `limit + 1` rows. */
export function placementsInHome(db: Db, homeId: string, page?: PageRequest): PlacementRow[] {
  if (page === undefined) {
    return prepared(
      db,
      `SELECT p.device_id, p.home_id, h.name AS home_name, p.room_id, r.name AS room_name
         FROM ${LIVE_PLACEMENTS} WHERE p.home_id = ? ORDER BY p.device_id`,
    ).all(homeId) as PlacementRow[];
  }
  const after = afterClause(['p.device_id'], page.after);
  return prepared(
    db,
    `SELECT p.device_id, p.home_id, h.name AS home_name, p.room_id, r.name AS room_name
       FROM ${LIVE_PLACEMENTS} WHERE p.home_id = ? ${after ? `AND ${after.sql}` : ''}
       ORDER BY p.device_id LIMIT ?`,
  ).all(homeId, ...(after?.args ?? []), page.limit + 1) as PlacementRow[];
}

/** Live placements in every home the user is in (as owner or member). */
export function placementsForUser(db: Db, userId: string): PlacementRow[] {
  return prepared(
    db,
    `SELECT p.device_id, p.home_id, h.name AS home_name, p.room_id, r.name AS room_name
       FROM ${LIVE_PLACEMENTS} JOIN home_members m ON m.home_id = p.home_id AND m.user_id = ?
       ORDER BY p.device_id`,
  ).all(userId) as PlacementRow[];
}
