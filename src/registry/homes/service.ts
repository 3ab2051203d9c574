import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { newId } from '../../identity/secrets.js';
import { findUserByEmail } from '../../identity/store.js';
import type { Engine, Queryable } from '../../store/engine.js';
import { type Page, type PageKey, type PageRequest, pageOf } from '../../store/page.js';
import { cleanName, memberHome, ownedHome, requireDeviceOwner, roomOf, uniqueRoomName } from './access.js';
import * as store from './store.js';
import {
  type HomeDetail,
  type HomeDevice,
  type HomeSummary,
  homeDevice,
  homeSummary,
  type MemberView,
  memberView,
  type Placement,
  type PlacementView,
  placement,
  type RoomView,
  roomView,
} from './views.js';

export type { HomeRole } from './store.js';
export type { HomeDetail, HomeDevice, HomeSummary, MemberView, Placement, PlacementView, RoomView };

/** Limits that keep one account from growing a home without bound; past them, INVALID_STATE. */
export const HOME_LIMITS = { membersPerHome: 50, roomsPerHome: 100 } as const;
/** Homes read at once while a deleted account leaves them all. */
const RELEASE_PAGE = 500;
/** Writes that check, then write (limits, unique names): PostgreSQL runs them serializable, with retries. */
const CHECKED = { isolation: 'serializable' } as const;

/** How a change of who sees which device reaches the access index (the control module's AccessIndex). */
export interface AccessChanges {
  /** Inside the writing transaction: every hub process learns of it at COMMIT. */
  notify(tx: Queryable, userIds: Iterable<string>): Promise<void>;
  /** After COMMIT: reloads the users' access here and announces it (`access` on the registry bus). */
  changed(userIds: Iterable<string>): Promise<void>;
}

export interface HomeOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly access: AccessChanges;
  readonly now: () => number;
}

/** What a write did, and whose set of accessible devices it may have changed. */
interface Outcome<T> {
  readonly value: T;
  readonly affected: readonly string[];
}

/**
 * Homes and rooms, as in Mi Home. A home belongs to the user who created it; its members may watch
 * and control every device placed in it. Only the home's owner changes the home, its rooms and its
 * members (a member may leave); only a device's owner places the device, and only into a home it owns.
 * A home the caller is not in answers NOT_FOUND, as if absent. Every change to who sees which device
 * is notified in its transaction and applied to the access index before the call returns.
 */
export class HomeService {
  readonly #db: Engine;
  readonly #log: Logger;
  readonly #access: AccessChanges;
  readonly #now: () => number;

  constructor(options: HomeOptions) {
    this.#db = options.store;
    this.#log = options.log;
    this.#access = options.access;
    this.#now = options.now;
  }

  async create(userId: string, name: string): Promise<HomeSummary> {
    const row = { id: newId(), owner_id: userId, name: cleanName(name), created_at: this.#now() };
    await this.#db.transaction((tx) => store.insertHome(tx, row));
    this.#log.info({ homeId: row.id, userId }, 'home created');
    return homeSummary({ ...row, role: 'owner' });
  }

  /** Homes the user owns or is a member of, oldest first. */
  async list(userId: string, page: PageRequest): Promise<Page<HomeSummary>> {
    return pageOf(
      await store.listMyHomes(this.#db, userId, page),
      page.limit,
      (r) => [r.created_at, r.id],
      homeSummary,
    );
  }

  async detail(userId: string, homeId: string): Promise<HomeDetail> {
    const home = await memberHome(this.#db, userId, homeId);
    return {
      ...homeSummary(home),
      members: (await store.listMembers(this.#db, homeId)).map(memberView),
      rooms: (await store.listRooms(this.#db, homeId)).map(roomView),
      devices: (await store.placementsInHome(this.#db, homeId)).map(homeDevice),
    };
  }

  rename(userId: string, homeId: string, name: string): Promise<HomeSummary> {
    const clean = cleanName(name);
    return this.#db.transaction(async (tx) => {
      const home = await ownedHome(tx, userId, homeId, 'rename it');
      await store.renameHome(tx, homeId, clean);
      return homeSummary({ ...home, name: clean });
    });
  }

  /** Deletes the home with its rooms, members and placements; the devices stay bound to their owner. */
  async remove(userId: string, homeId: string): Promise<void> {
    await this.#write(async (tx) => {
      await ownedHome(tx, userId, homeId, 'delete it');
      const affected = await store.memberIds(tx, homeId);
      await store.deleteHome(tx, homeId);
      return { value: undefined, affected };
    });
    this.#log.info({ homeId, userId }, 'home deleted');
  }

  async addMember(userId: string, homeId: string, email: string): Promise<MemberView> {
    const value = await this.#write(async (tx) => {
      await ownedHome(tx, userId, homeId, 'add members');
      const user = await findUserByEmail(tx, email.trim());
      if (!user) {
        throw new HubError('NOT_FOUND', 'no user with this email', {
          errors: [{ path: '/email', message: 'is not a registered user' }],
        });
      }
      const members = await store.memberIds(tx, homeId);
      if (members.includes(user.id)) {
        throw new HubError('ALREADY_EXISTS', 'this user is already in the home', {
          errors: [{ path: '/email', message: 'is already a member' }],
        });
      }
      if (members.length >= HOME_LIMITS.membersPerHome) {
        throw new HubError('INVALID_STATE', `a home has at most ${HOME_LIMITS.membersPerHome} members`);
      }
      await store.insertMember(tx, {
        home_id: homeId,
        user_id: user.id,
        role: 'member',
        created_at: this.#now(),
      });
      const view = memberView({ ...user, user_id: user.id, role: 'member' });
      return { value: view, affected: [user.id] };
    }, CHECKED);
    this.#log.info({ homeId, userId: value.userId }, 'home member added');
    return value;
  }

  /** The owner removes a member; a member removes itself (leaves). The owner cannot leave its home. */
  async removeMember(userId: string, homeId: string, memberId: string): Promise<void> {
    await this.#write(async (tx) => {
      const home = await memberHome(tx, userId, homeId);
      if (memberId === userId && home.role === 'owner') {
        throw new HubError('INVALID_STATE', 'the owner cannot leave its home; delete the home instead');
      }
      if (memberId !== userId && home.role !== 'owner') {
        throw new HubError('FORBIDDEN', 'only the home owner may remove other members');
      }
      if (!(await store.deleteMember(tx, homeId, memberId))) {
        throw new HubError('NOT_FOUND', 'no such member in this home');
      }
      return { value: undefined, affected: [memberId] };
    });
    this.#log.info({ homeId, userId: memberId, by: userId }, 'home member removed');
  }

  addRoom(userId: string, homeId: string, name: string): Promise<RoomView> {
    return this.#db.transaction(async (tx) => {
      await ownedHome(tx, userId, homeId, 'add rooms');
      const rooms = await store.listRooms(tx, homeId);
      if (rooms.length >= HOME_LIMITS.roomsPerHome) {
        throw new HubError('INVALID_STATE', `a home has at most ${HOME_LIMITS.roomsPerHome} rooms`);
      }
      const room = {
        id: newId(),
        home_id: homeId,
        name: uniqueRoomName(rooms, name),
        created_at: this.#now(),
      };
      await store.insertRoom(tx, room);
      return roomView(room);
    }, CHECKED);
  }

  renameRoom(userId: string, homeId: string, roomId: string, name: string): Promise<RoomView> {
    return this.#db.transaction(async (tx) => {
      await ownedHome(tx, userId, homeId, 'rename rooms');
      const room = await roomOf(tx, homeId, roomId);
      const others = (await store.listRooms(tx, homeId)).filter((r) => r.id !== roomId);
      const clean = uniqueRoomName(others, name);
      await store.renameRoom(tx, roomId, clean);
      return roomView({ ...room, name: clean });
    }, CHECKED);
  }

  /** Devices in the room stay placed in the home, without a room. */
  async removeRoom(userId: string, homeId: string, roomId: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await ownedHome(tx, userId, homeId, 'delete rooms');
      await roomOf(tx, homeId, roomId);
      await store.deleteRoom(tx, roomId);
    });
  }

  /** A page of the devices placed in the home, by device id. */
  async devices(userId: string, homeId: string, page: PageRequest): Promise<Page<HomeDevice>> {
    await memberHome(this.#db, userId, homeId);
    return pageOf(
      await store.placementsInHome(this.#db, homeId, page),
      page.limit,
      (r) => [r.device_id],
      homeDevice,
    );
  }

  /** Puts the caller's device into one of the caller's homes (and optionally one of its rooms), or moves it. */
  async place(
    userId: string,
    deviceId: string,
    target: { homeId: string; roomId?: string | undefined },
  ): Promise<PlacementView> {
    const value = await this.#write(async (tx) => {
      await requireDeviceOwner(tx, userId, deviceId);
      const home = await memberHome(tx, userId, target.homeId);
      if (home.role !== 'owner') {
        throw new HubError('FORBIDDEN', 'a device may only be placed in a home you own');
      }
      const room = target.roomId === undefined ? undefined : await store.findRoom(tx, home.id, target.roomId);
      if (target.roomId !== undefined && !room) {
        throw new HubError('VALIDATION_FAILED', 'the room is not in this home', {
          errors: [{ path: '/roomId', message: 'is not a room of this home' }],
        });
      }
      // The stored row, live or stale: whoever could see the device through its old home is affected.
      const before = await store.findPlacement(tx, deviceId);
      await store.upsertPlacement(tx, deviceId, home.id, room?.id ?? null);
      const moved = before?.home_id !== home.id;
      const affected = moved
        ? [
            userId,
            ...(before ? await store.memberIds(tx, before.home_id) : []),
            ...(await store.memberIds(tx, home.id)),
          ]
        : [];
      const view: PlacementView = {
        deviceId,
        homeId: home.id,
        homeName: home.name,
        roomId: room?.id ?? null,
        roomName: room?.name ?? null,
      };
      return { value: view, affected };
    });
    this.#log.info({ deviceId, homeId: value.homeId, roomId: value.roomId, userId }, 'device placed');
    return value;
  }

  /** Takes the caller's device out of its home; removing an absent placement is not an error. */
  async unplace(userId: string, deviceId: string): Promise<void> {
    await this.#write(async (tx) => {
      await requireDeviceOwner(tx, userId, deviceId);
      const before = await store.findPlacement(tx, deviceId);
      await store.deletePlacement(tx, deviceId);
      return { value: undefined, affected: before ? await store.memberIds(tx, before.home_id) : [] };
    });
  }

  /**
   * A deleted account leaves every home: the homes it owns are deleted (their members lose them),
   * its memberships end. Runs inside the caller's transaction `tx` (the account's deletion);
   * returns the users whose access changed, for the access index once it commits.
   */
  async releaseUser(tx: Queryable, userId: string): Promise<string[]> {
    const affected = new Set<string>([userId]);
    // Every home, page by page: the number of homes a user is in has no bound of its own.
    let after: PageKey | undefined;
    for (;;) {
      const homes = await store.listMyHomes(tx, userId, { after, limit: RELEASE_PAGE });
      for (const home of homes.slice(0, RELEASE_PAGE)) {
        if (home.role === 'owner') {
          for (const m of await store.memberIds(tx, home.id)) affected.add(m);
          await store.deleteHome(tx, home.id);
        } else {
          await store.deleteMember(tx, home.id, userId);
        }
      }
      const last = homes[RELEASE_PAGE - 1];
      if (homes.length <= RELEASE_PAGE || last === undefined) break;
      after = [last.created_at, last.id];
    }
    return [...affected];
  }

  /** Where each device the user can see through its homes is (homes it owns or is a member of). */
  async placementsFor(userId: string): Promise<Map<string, Placement>> {
    const rows = await store.placementsForUser(this.#db, userId);
    return new Map(rows.map((row) => [row.device_id, placement(row)]));
  }

  /** Runs a write that may change who sees which device; the access index has the change when it returns. */
  async #write<T>(
    fn: (tx: Queryable) => Promise<Outcome<T>>,
    options?: { isolation: 'serializable' },
  ): Promise<T> {
    const outcome = await this.#db.transaction(async (tx) => {
      const result = await fn(tx);
      await this.#access.notify(tx, result.affected);
      return result;
    }, options);
    await this.#access.changed(outcome.affected);
    return outcome.value;
  }
}
