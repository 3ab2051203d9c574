import { HubError } from '../../errors.js';
import type { Queryable } from '../../store/engine.js';
import * as store from './store.js';

/** The home with the caller's role; NOT_FOUND when the caller is not in it, as if it did not exist. */
export async function memberHome(db: Queryable, userId: string, homeId: string): Promise<store.MyHomeRow> {
  const home = await store.findMyHome(db, userId, homeId);
  if (!home) throw new HubError('NOT_FOUND', 'no such home');
  return home;
}

/** The home, when the caller owns it; a member is FORBIDDEN to `what`. */
export async function ownedHome(
  db: Queryable,
  userId: string,
  homeId: string,
  what: string,
): Promise<store.MyHomeRow> {
  const home = await memberHome(db, userId, homeId);
  if (home.role !== 'owner') throw new HubError('FORBIDDEN', `only the home owner may ${what}`);
  return home;
}

export async function roomOf(db: Queryable, homeId: string, roomId: string): Promise<store.RoomRow> {
  const room = await store.findRoom(db, homeId, roomId);
  if (!room) throw new HubError('NOT_FOUND', 'no such room in this home');
  return room;
}

/**
 * Only the device's owner places it. Someone who can see the device (shared with it, or through a
 * home) but does not own it is FORBIDDEN; anyone else gets NOT_FOUND, as if it did not exist.
 */
export async function requireDeviceOwner(db: Queryable, userId: string, deviceId: string): Promise<void> {
  const role = await store.bindingRole(db, deviceId, userId);
  if (role === 'owner') return;
  const placed = await store.livePlacement(db, deviceId);
  if (role === 'member' || (placed && (await store.findMyHome(db, userId, placed.home_id)))) {
    throw new HubError('FORBIDDEN', "only the device's owner may place it");
  }
  throw new HubError('NOT_FOUND', 'no such device');
}

/** Names are trimmed; the schema already bounds their length (1..50) and refuses blank ones. */
export function cleanName(name: string): string {
  const clean = name.trim();
  if (clean === '') {
    throw new HubError('VALIDATION_FAILED', 'the name is blank', {
      errors: [{ path: '/name', message: 'must not be blank' }],
    });
  }
  return clean;
}

/** Room names are unique per home, ignoring case (Unicode-aware, unlike SQLite's NOCASE). */
export function uniqueRoomName(others: readonly store.RoomRow[], name: string): string {
  const clean = cleanName(name);
  const folded = clean.toLowerCase();
  if (others.some((r) => r.name.toLowerCase() === folded)) {
    throw new HubError('ALREADY_EXISTS', 'a room with this name is already in the home', {
      errors: [{ path: '/name', message: 'is already used by another room' }],
    });
  }
  return clean;
}
