import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { LoginLimiter } from '../../identity/login-limiter.js';
import { findUserByEmail, findUserById } from '../../identity/store.js';
import { type Db, inTransaction } from '../../store/database.js';
import { DEVICE_ID_PATTERN, hashPairingCode, newPairingCode } from '../devices/credentials.js';
import type { RegistryBus } from '../events.js';
import type { AccessIndex } from './access-index.js';
import * as store from './store.js';

export interface BindingServiceOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly access: AccessIndex;
  readonly now: () => number;
  /** The sales channel (commerce), when there is one. */
  readonly sales?: SalesChannel;
}

/** What claiming needs to know from the sales channel; both are read inside the claim's transaction. */
export interface SalesChannel {
  /** The buyer of a sold device: lets the buyer claim it without a pairing code. */
  buyerOf(deviceId: string): string | undefined;
  /** An unpaid order holds the device: nobody may claim it until the order is paid or released. */
  isReserved(deviceId: string): boolean;
}

export interface ShareView {
  readonly userId: string;
  readonly email: string | null;
  readonly role: store.BindingRole;
  readonly since: string;
}

/**
 * Claiming, sharing and removing devices. The owner claimed the device (with its pairing code or as
 * its buyer); members were shared it by the owner and may watch and control it, not share or remove.
 */
export class BindingService {
  readonly #o: BindingServiceOptions;
  /** Wrong pairing codes per user: 10 per 15 minutes, then 429 (a code has 60 bits, but be polite to the DB). */
  readonly #wrongCodes: LoginLimiter;

  constructor(options: BindingServiceOptions) {
    this.#o = options;
    this.#wrongCodes = new LoginLimiter({ maxFailures: 10, windowMs: 15 * 60_000, now: options.now });
  }

  claim(
    userId: string,
    deviceId: string,
    proof: { pairingCode: string } | { orderId: string },
  ): { deviceId: string; role: 'owner' } {
    const via = 'pairingCode' in proof ? 'pairing-code' : 'order';
    if (via === 'pairing-code') {
      const wait = this.#wrongCodes.retryAfterMs(userId);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        throw new HubError('RATE_LIMITED', `too many wrong pairing codes; retry in ${seconds} s`, {
          headers: { 'retry-after': String(seconds) },
        });
      }
    }
    const at = this.#o.now();
    inTransaction(this.#o.db, () => {
      if ('pairingCode' in proof) {
        const found = store.findDeviceByPairingHash(this.#o.db, hashPairingCode(proof.pairingCode));
        if (!found || found.id !== deviceId) {
          this.#wrongCodes.recordFailure(userId);
          throw new HubError('NOT_FOUND', 'no device with this id and pairing code', {
            errors: [{ path: '/pairingCode', message: 'does not match the device' }],
          });
        }
        // Claiming and reserving exclude each other: a device an unpaid order holds waits until the
        // order is paid (then anyone holding its pairing code may claim it) or released to stock.
        if (this.#o.sales?.isReserved(deviceId)) {
          throw new HubError(
            'INVALID_STATE',
            'the device is reserved for an order awaiting payment; try again once the order is paid or released',
          );
        }
      } else if (!DEVICE_ID_PATTERN.test(deviceId) || this.#o.sales?.buyerOf(deviceId) !== userId) {
        throw new HubError('NOT_FOUND', 'no device of yours in a paid order with this id', {
          errors: [{ path: '/orderId', message: 'does not hold this device for you' }],
        });
      }
      const owner = store.ownerOf(this.#o.db, deviceId);
      if (owner === userId) throw new HubError('ALREADY_EXISTS', 'you already own this device');
      // A claim never takes a device from its owner, not even the buyer's claim by order: whoever
      // holds the device (and claimed it with its pairing code) keeps it until removing it.
      if (owner !== undefined || !store.insertOwner(this.#o.db, deviceId, userId, at)) {
        throw new HubError(
          'ALREADY_OWNED',
          'the device is bound to another user; its owner must remove it before it can be claimed',
        );
      }
      store.clearPairing(this.#o.db, deviceId);
    });
    this.#o.log.info({ deviceId, userId, via }, 'device claimed');
    this.#o.bus.emit('access', { userIds: [userId] });
    this.#o.bus.emit('claimed', { deviceId, userId, at, via });
    return { deviceId, role: 'owner' };
  }

  /**
   * When the device's current owner claimed it (undefined: no owner). Its users (owner, members,
   * home members) see its history, events and shadow from then on, as Mi Home resets a device on
   * unbind; the partner's fleet views keep everything.
   */
  ownerSince(deviceId: string): number | undefined {
    return store.ownerSince(this.#o.db, deviceId);
  }

  /** Throws NOT_FOUND unless the user may see the device, FORBIDDEN unless it is the owner. */
  #requireOwner(userId: string, deviceId: string): void {
    const role = this.#o.access.role(userId, deviceId);
    if (role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    if (role !== 'owner') throw new HubError('FORBIDDEN', 'only the owner may share or remove the device');
  }

  shares(userId: string, deviceId: string): ShareView[] {
    this.#requireOwner(userId, deviceId);
    return store.bindingsOf(this.#o.db, deviceId).map((b) => ({
      userId: b.user_id,
      email: this.#email(b.user_id),
      role: b.role,
      since: new Date(b.created_at).toISOString(),
    }));
  }

  share(userId: string, deviceId: string, email: string): ShareView {
    this.#requireOwner(userId, deviceId);
    const member = findUserByEmail(this.#o.db, email.trim());
    if (!member) {
      throw new HubError('NOT_FOUND', 'no user with this email', {
        errors: [{ path: '/email', message: 'no such user' }],
      });
    }
    const at = this.#o.now();
    if (member.id === userId || !store.insertMember(this.#o.db, deviceId, member.id, at)) {
      throw new HubError('ALREADY_EXISTS', 'the device is already shared with this user', {
        errors: [{ path: '/email', message: 'already has access' }],
      });
    }
    this.#o.log.info({ deviceId, owner: userId, member: member.id }, 'device shared');
    this.#o.bus.emit('access', { userIds: [member.id] });
    return { userId: member.id, email: member.email, role: 'member', since: new Date(at).toISOString() };
  }

  /** The owner revokes a share, or a member leaves. */
  revoke(userId: string, deviceId: string, memberId: string): void {
    const role = this.#o.access.role(userId, deviceId);
    if (role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    if (role !== 'owner' && memberId !== userId)
      throw new HubError('FORBIDDEN', 'only the owner may revoke shares');
    if (memberId === userId && role === 'owner') {
      throw new HubError(
        'INVALID_STATE',
        'the owner removes the device instead (DELETE /v1/devices/{did}/binding)',
      );
    }
    if (!store.deleteBinding(this.#o.db, deviceId, memberId)) {
      throw new HubError('NOT_FOUND', 'the device is not shared with this user');
    }
    this.#o.log.info({ deviceId, by: userId, member: memberId }, 'share revoked');
    this.#o.bus.emit('access', { userIds: [memberId] });
  }

  /**
   * The owner removes the device, as a factory reset would: every user loses it and a fresh
   * pairing code (returned once) is issued for whoever claims it next.
   */
  remove(userId: string, deviceId: string): { pairingCode: string } {
    this.#requireOwner(userId, deviceId);
    const pairingCode = newPairingCode();
    const affected = new Set<string>([userId, ...store.homeMembersOf(this.#o.db, deviceId)]);
    inTransaction(this.#o.db, () => {
      for (const b of store.bindingsOf(this.#o.db, deviceId)) affected.add(b.user_id);
      store.deleteAllBindings(this.#o.db, deviceId);
      store.setPairing(this.#o.db, deviceId, hashPairingCode(pairingCode));
    });
    this.#o.log.info({ deviceId, owner: userId }, 'device removed by its owner');
    this.#o.bus.emit('access', { userIds: [...affected] });
    return { pairingCode };
  }

  #email(userId: string): string | null {
    return findUserById(this.#o.db, userId)?.email ?? null;
  }
}
