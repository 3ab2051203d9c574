import type { Queryable } from '../../store/engine.js';
import { keyAfter } from '../../store/keyset.js';
import type { PageRequest } from '../../store/page.js';
import { sql } from '../../store/sql.js';

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
const LIVE_PLACEMENTS = sql`
  device_placements p
  JOIN homes h ON h.id = p.home_id
  JOIN device_bindings b ON b.device_id = p.device_id AND b.role = 'owner' AND b.user_id = h.owner_id
  LEFT JOIN rooms r ON r.id = p.room_id`;

const PLACEMENT_COLUMNS = sql`p.device_id, p.home_id, h.name AS home_name, p.room_id, r.name AS room_name`;
const MY_HOME_COLUMNS = sql`h.id, h.owner_id, h.name, h.created_at, m.role`;
const ROOM_COLUMNS = sql`id, home_id, name, created_at`;

export async function insertHome(db: Queryable, row: HomeRow): Promise<void> {
  await db.run(
    sql`INSERT INTO homes (id, owner_id, name, created_at)
        VALUES (${row.id}, ${row.owner_id}, ${row.name}, ${row.created_at})`,
  );
  await insertMember(db, {
    home_id: row.id,
    user_id: row.owner_id,
    role: 'owner',
    created_at: row.created_at,
  });
}

export async function renameHome(db: Queryable, homeId: string, name: string): Promise<void> {
  await db.run(sql`UPDATE homes SET name = ${name} WHERE id = ${homeId}`);
}

/** Members, rooms and placements go with it (ON DELETE CASCADE); the devices stay bound to their owner. */
export async function deleteHome(db: Queryable, homeId: string): Promise<void> {
  await db.run(sql`DELETE FROM homes WHERE id = ${homeId}`);
}

/** The home with the user's role in it, or undefined when the user is not in it (or it does not exist). */
export function findMyHome(db: Queryable, userId: string, homeId: string): Promise<MyHomeRow | undefined> {
  return db.one<MyHomeRow>(
    sql`SELECT ${MY_HOME_COLUMNS} FROM homes h JOIN home_members m ON m.home_id = h.id
        WHERE h.id = ${homeId} AND m.user_id = ${userId}`,
  );
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listMyHomes(db: Queryable, userId: string, page: PageRequest): Promise<MyHomeRow[]> {
  const after = page.after ? sql`AND ${keyAfter(['h.created_at', 'h.id'], page.after)}` : sql.empty;
  return db.many<MyHomeRow>(
    sql`SELECT ${MY_HOME_COLUMNS} FROM homes h JOIN home_members m ON m.home_id = h.id
        WHERE m.user_id = ${userId} ${after} ORDER BY h.created_at, h.id LIMIT ${page.limit + 1}`,
  );
}

export async function insertMember(
  db: Queryable,
  row: { home_id: string; user_id: string; role: HomeRole; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO home_members (home_id, user_id, role, created_at)
        VALUES (${row.home_id}, ${row.user_id}, ${row.role}, ${row.created_at})`,
  );
}

export async function deleteMember(db: Queryable, homeId: string, userId: string): Promise<boolean> {
  const { changes } = await db.run(
    sql`DELETE FROM home_members WHERE home_id = ${homeId} AND user_id = ${userId}`,
  );
  return changes === 1;
}

/** The owner first, then members in the order they joined. */
export function listMembers(db: Queryable, homeId: string): Promise<MemberRow[]> {
  return db.many<MemberRow>(
    sql`SELECT m.user_id, u.email, u.display_name, m.role FROM home_members m JOIN users u ON u.id = m.user_id
        WHERE m.home_id = ${homeId}
        ORDER BY CASE WHEN m.role = 'owner' THEN 0 ELSE 1 END, m.created_at, m.user_id`,
  );
}

export async function memberIds(db: Queryable, homeId: string): Promise<string[]> {
  const rows = await db.many<{ user_id: string }>(
    sql`SELECT user_id FROM home_members WHERE home_id = ${homeId}`,
  );
  return rows.map((r) => r.user_id);
}

export async function insertRoom(db: Queryable, row: RoomRow): Promise<void> {
  await db.run(
    sql`INSERT INTO rooms (id, home_id, name, created_at)
        VALUES (${row.id}, ${row.home_id}, ${row.name}, ${row.created_at})`,
  );
}

export async function renameRoom(db: Queryable, roomId: string, name: string): Promise<void> {
  await db.run(sql`UPDATE rooms SET name = ${name} WHERE id = ${roomId}`);
}

/** Devices placed in the room stay in the home, without a room (ON DELETE SET NULL). */
export async function deleteRoom(db: Queryable, roomId: string): Promise<void> {
  await db.run(sql`DELETE FROM rooms WHERE id = ${roomId}`);
}

export function listRooms(db: Queryable, homeId: string): Promise<RoomRow[]> {
  return db.many<RoomRow>(
    sql`SELECT ${ROOM_COLUMNS} FROM rooms WHERE home_id = ${homeId} ORDER BY created_at, id`,
  );
}

export function findRoom(db: Queryable, homeId: string, roomId: string): Promise<RoomRow | undefined> {
  return db.one<RoomRow>(sql`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ${roomId} AND home_id = ${homeId}`);
}

/** The user's binding role for a device (read-only here: bindings belong to the control module). */
export async function bindingRole(
  db: Queryable,
  deviceId: string,
  userId: string,
): Promise<HomeRole | undefined> {
  const row = await db.one<{ role: HomeRole }>(
    sql`SELECT role FROM device_bindings WHERE device_id = ${deviceId} AND user_id = ${userId}`,
  );
  return row?.role;
}

/** The placement row as stored, live or stale. */
export function findPlacement(
  db: Queryable,
  deviceId: string,
): Promise<{ home_id: string; room_id: string | null } | undefined> {
  return db.one<{ home_id: string; room_id: string | null }>(
    sql`SELECT home_id, room_id FROM device_placements WHERE device_id = ${deviceId}`,
  );
}

export async function upsertPlacement(
  db: Queryable,
  deviceId: string,
  homeId: string,
  roomId: string | null,
): Promise<void> {
  await db.run(
    sql`INSERT INTO device_placements (device_id, home_id, room_id) VALUES (${deviceId}, ${homeId}, ${roomId})
        ON CONFLICT (device_id) DO UPDATE SET home_id = excluded.home_id, room_id = excluded.room_id`,
  );
}

export async function deletePlacement(db: Queryable, deviceId: string): Promise<boolean> {
  const { changes } = await db.run(sql`DELETE FROM device_placements WHERE device_id = ${deviceId}`);
  return changes === 1;
}

export function livePlacement(db: Queryable, deviceId: string): Promise<PlacementRow | undefined> {
  return db.one<PlacementRow>(
    sql`SELECT ${PLACEMENT_COLUMNS} FROM ${LIVE_PLACEMENTS} WHERE p.device_id = ${deviceId}`,
  );
}

/** By device id; with a page, keyed by device id and `limit + 1` rows. */
export function placementsInHome(db: Queryable, homeId: string, page?: PageRequest): Promise<PlacementRow[]> {
  if (page === undefined) {
    return db.many<PlacementRow>(
      sql`SELECT ${PLACEMENT_COLUMNS} FROM ${LIVE_PLACEMENTS} WHERE p.home_id = ${homeId} ORDER BY p.device_id`,
    );
  }
  const after = page.after ? sql`AND ${keyAfter(['p.device_id'], page.after)}` : sql.empty;
  return db.many<PlacementRow>(
    sql`SELECT ${PLACEMENT_COLUMNS} FROM ${LIVE_PLACEMENTS} WHERE p.home_id = ${homeId} ${after}
        ORDER BY p.device_id LIMIT ${page.limit + 1}`,
  );
}

/** Live placements in every home the user is in (as owner or member). */
export function placementsForUser(db: Queryable, userId: string): Promise<PlacementRow[]> {
  return db.many<PlacementRow>(
    sql`SELECT ${PLACEMENT_COLUMNS}
        FROM ${LIVE_PLACEMENTS} JOIN home_members m ON m.home_id = p.home_id AND m.user_id = ${userId}
        ORDER BY p.device_id`,
  );
}
