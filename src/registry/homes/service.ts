import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { newId } from '../../identity/secrets.js';
import { findUserByEmail } from '../../identity/store.js';
import { type Db, inTransaction } from '../../store/database.js';
import type { RegistryBus } from '../events.js';
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

export interface HomeOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly bus: RegistryBus;
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
 * is announced on the bus (`access`) after it commits.
 */
export class HomeService {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #bus: RegistryBus;
  readonly #now: () => number;

  constructor(options: HomeOptions) {
    this.#db = options.db;
    this.#log = options.log;
    this.#bus = options.bus;
    this.#now = options.now;
  }

  create(userId: string, name: string): HomeSummary {
    const row = { id: newId(), owner_id: userId, name: cleanName(name), created_at: this.#now() };
    inTransaction(this.#db, () => store.insertHome(this.#db, row));
    this.#log.info({ homeId: row.id, userId }, 'home created');
    return homeSummary({ ...row, role: 'owner' });
  }

  /** Homes the user owns or is a member of, oldest first. */
  list(userId: string): HomeSummary[] {
    return store.listMyHomes(this.#db, userId).map(homeSummary);
  }

  detail(userId: string, homeId: string): HomeDetail {
    const home = memberHome(this.#db, userId, homeId);
    return {
      ...homeSummary(home),
      members: store.listMembers(this.#db, homeId).map(memberView),
      rooms: store.listRooms(this.#db, homeId).map(roomView),
      devices: this.devices(userId, homeId),
    };
  }

  rename(userId: string, homeId: string, name: string): HomeSummary {
    return inTransaction(this.#db, () => {
      const home = ownedHome(this.#db, userId, homeId, 'rename it');
      const clean = cleanName(name);
      store.renameHome(this.#db, homeId, clean);
      return homeSummary({ ...home, name: clean });
    });
  }

  /** Deletes the home with its rooms, members and placements; the devices stay bound to their owner. */
  remove(userId: string, homeId: string): void {
    this.#announce(
      inTransaction(this.#db, () => {
        ownedHome(this.#db, userId, homeId, 'delete it');
        const affected = store.memberIds(this.#db, homeId);
        store.deleteHome(this.#db, homeId);
        return { value: undefined, affected };
      }),
    );
    this.#log.info({ homeId, userId }, 'home deleted');
  }

  addMember(userId: string, homeId: string, email: string): MemberView {
    const { value } = this.#announce(
      inTransaction(this.#db, () => {
        ownedHome(this.#db, userId, homeId, 'add members');
        const user = findUserByEmail(this.#db, email.trim());
        if (!user) {
          throw new HubError('NOT_FOUND', 'no user with this email', {
            errors: [{ path: '/email', message: 'is not a registered user' }],
          });
        }
        const members = store.memberIds(this.#db, homeId);
        if (members.includes(user.id)) {
          throw new HubError('ALREADY_EXISTS', 'this user is already in the home', {
            errors: [{ path: '/email', message: 'is already a member' }],
          });
        }
        if (members.length >= HOME_LIMITS.membersPerHome) {
          throw new HubError('INVALID_STATE', `a home has at most ${HOME_LIMITS.membersPerHome} members`);
        }
        store.insertMember(this.#db, {
          home_id: homeId,
          user_id: user.id,
          role: 'member',
          created_at: this.#now(),
        });
        const view = memberView({ ...user, user_id: user.id, role: 'member' });
        return { value: view, affected: [user.id] };
      }),
    );
    this.#log.info({ homeId, userId: value.userId }, 'home member added');
    return value;
  }

  /** The owner removes a member; a member removes itself (leaves). The owner cannot leave its home. */
  removeMember(userId: string, homeId: string, memberId: string): void {
    this.#announce(
      inTransaction(this.#db, () => {
        const home = memberHome(this.#db, userId, homeId);
        if (memberId === userId && home.role === 'owner') {
          throw new HubError('INVALID_STATE', 'the owner cannot leave its home; delete the home instead');
        }
        if (memberId !== userId && home.role !== 'owner') {
          throw new HubError('FORBIDDEN', 'only the home owner may remove other members');
        }
        if (!store.deleteMember(this.#db, homeId, memberId)) {
          throw new HubError('NOT_FOUND', 'no such member in this home');
        }
        return { value: undefined, affected: [memberId] };
      }),
    );
    this.#log.info({ homeId, userId: memberId, by: userId }, 'home member removed');
  }

  addRoom(userId: string, homeId: string, name: string): RoomView {
    return inTransaction(this.#db, () => {
      ownedHome(this.#db, userId, homeId, 'add rooms');
      const rooms = store.listRooms(this.#db, homeId);
      if (rooms.length >= HOME_LIMITS.roomsPerHome) {
        throw new HubError('INVALID_STATE', `a home has at most ${HOME_LIMITS.roomsPerHome} rooms`);
      }
      const room = {
        id: newId(),
        home_id: homeId,
        name: uniqueRoomName(rooms, name),
        created_at: this.#now(),
      };
      store.insertRoom(this.#db, room);
      return roomView(room);
    });
  }

  renameRoom(userId: string, homeId: string, roomId: string, name: string): RoomView {
    return inTransaction(this.#db, () => {
      ownedHome(this.#db, userId, homeId, 'rename rooms');
      const room = roomOf(this.#db, homeId, roomId);
      const others = store.listRooms(this.#db, homeId).filter((r) => r.id !== roomId);
      const clean = uniqueRoomName(others, name);
      store.renameRoom(this.#db, roomId, clean);
      return roomView({ ...room, name: clean });
    });
  }

  /** Devices in the room stay placed in the home, without a room. */
  removeRoom(userId: string, homeId: string, roomId: string): void {
    inTransaction(this.#db, () => {
      ownedHome(this.#db, userId, homeId, 'delete rooms');
      roomOf(this.#db, homeId, roomId);
      store.deleteRoom(this.#db, roomId);
    });
  }

  /** Devices placed in the home, with their room. */
  devices(userId: string, homeId: string): HomeDevice[] {
    memberHome(this.#db, userId, homeId);
    return store.placementsInHome(this.#db, homeId).map(homeDevice);
  }

  /** Puts the caller's device into one of the caller's homes (and optionally one of its rooms), or moves it. */
  place(
    userId: string,
    deviceId: string,
    target: { homeId: string; roomId?: string | undefined },
  ): PlacementView {
    const { value } = this.#announce(
      inTransaction(this.#db, () => {
        requireDeviceOwner(this.#db, userId, deviceId);
        const home = memberHome(this.#db, userId, target.homeId);
        if (home.role !== 'owner') {
          throw new HubError('FORBIDDEN', 'a device may only be placed in a home you own');
        }
        const room =
          target.roomId === undefined ? undefined : store.findRoom(this.#db, home.id, target.roomId);
        if (target.roomId !== undefined && !room) {
          throw new HubError('VALIDATION_FAILED', 'the room is not in this home', {
            errors: [{ path: '/roomId', message: 'is not a room of this home' }],
          });
        }
        // The stored row, live or stale: whoever could see the device through its old home is affected.
        const before = store.findPlacement(this.#db, deviceId);
        store.upsertPlacement(this.#db, deviceId, home.id, room?.id ?? null);
        const moved = before?.home_id !== home.id;
        const affected = moved
          ? [
              userId,
              ...(before ? store.memberIds(this.#db, before.home_id) : []),
              ...store.memberIds(this.#db, home.id),
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
      }),
    );
    this.#log.info({ deviceId, homeId: value.homeId, roomId: value.roomId, userId }, 'device placed');
    return value;
  }

  /** Takes the caller's device out of its home; removing an absent placement is not an error. */
  unplace(userId: string, deviceId: string): void {
    this.#announce(
      inTransaction(this.#db, () => {
        requireDeviceOwner(this.#db, userId, deviceId);
        const before = store.findPlacement(this.#db, deviceId);
        store.deletePlacement(this.#db, deviceId);
        return { value: undefined, affected: before ? store.memberIds(this.#db, before.home_id) : [] };
      }),
    );
  }

  /**
   * A deleted account leaves every home: the homes it owns are deleted (their members lose them),
   * its memberships end. Runs inside the caller's transaction; returns the users whose access
   * changed, to announce once it commits.
   */
  releaseUser(userId: string): string[] {
    const affected = new Set<string>([userId]);
    inTransaction(this.#db, () => {
      for (const home of store.listMyHomes(this.#db, userId)) {
        if (home.role === 'owner') {
          for (const m of store.memberIds(this.#db, home.id)) affected.add(m);
          store.deleteHome(this.#db, home.id);
        } else {
          store.deleteMember(this.#db, home.id, userId);
        }
      }
    });
    return [...affected];
  }

  /** Where each device the user can see through its homes is (homes it owns or is a member of). */
  placementsFor(userId: string): Map<string, Placement> {
    return new Map(store.placementsForUser(this.#db, userId).map((row) => [row.device_id, placement(row)]));
  }

  /** Devices placed in homes the user is in (owner included): the ones home membership lets it watch and control. */
  homeDevicesFor(userId: string): Array<{ deviceId: string; homeId: string }> {
    return store
      .placementsForUser(this.#db, userId)
      .map((row) => ({ deviceId: row.device_id, homeId: row.home_id }));
  }

  #announce<T>(outcome: Outcome<T>): Outcome<T> {
    if (outcome.affected.length > 0) {
      this.#bus.emit('access', { userIds: [...new Set(outcome.affected)] });
    }
    return outcome;
  }
}
