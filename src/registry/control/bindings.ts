import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { LoginLimiter } from '../../identity/login-limiter.js';
import { findUserByEmail, findUserById } from '../../identity/store.js';
import { type Db, inTransaction } from '../../store/database.js';
import { DEVICE_ID_PATTERN, hashPairingCode, newPairingCode } from '../devices/credentials.js';
import type { RegistryBus } from '../events.js';
import type { AccessIndex } from './access-index.js';
import * as store from './store.js';
import * as invitations from './store-invitations.js';

/** Members and open invitations one device may have (Mi Home allows a handful; 50 is ample). */
export const MAX_SHARES = 50;

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

/**
 * One share as its owner sees it. The same whether the email had an account when it was shared
 * (a member now) or not (an invitation that binds when the email registers): sharing does not tell
 * anyone which emails have accounts.
 */
export interface ShareView {
  readonly email: string;
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
    const bound = store.bindingsOf(this.#o.db, deviceId).map((b) => ({
      email: this.#email(b.user_id),
      role: b.role,
      at: b.created_at,
    }));
    const invited = invitations.invitationsOf(this.#o.db, deviceId).map((i) => ({
      email: i.email,
      role: 'member' as const,
      at: i.created_at,
    }));
    return [...bound, ...invited]
      .sort((a, b) => a.at - b.at || a.email.localeCompare(b.email))
      .map(({ email, role, at }) => ({ email, role, since: new Date(at).toISOString() }));
  }

  /**
   * Shares the device with whoever has this email: a member at once if the account exists, else an
   * invitation that binds when an account with this email is registered. The answer is the same
   * either way.
   */
  share(userId: string, deviceId: string, email: string): ShareView {
    this.#requireOwner(userId, deviceId);
    const address = email.trim();
    const member = findUserByEmail(this.#o.db, address);
    const at = this.#o.now();
    inTransaction(this.#o.db, () => {
      const added =
        member === undefined
          ? invitations.insertInvitation(this.#o.db, {
              device_id: deviceId,
              email: address,
              invited_by: userId,
              created_at: at,
            })
          : member.id !== userId && store.insertMember(this.#o.db, deviceId, member.id, at);
      if (!added) {
        throw new HubError('ALREADY_EXISTS', 'the device is already shared with this email', {
          errors: [{ path: '/email', message: 'already has access' }],
        });
      }
      // Counted after the insert, in its transaction: members and invitations alike, so the limit
      // says nothing about which emails have accounts either.
      if (invitations.countShares(this.#o.db, deviceId) > MAX_SHARES) {
        throw new HubError('INVALID_STATE', `a device may be shared with at most ${MAX_SHARES} people`);
      }
    });
    this.#o.log.info({ deviceId, owner: userId, pending: member === undefined }, 'device shared');
    if (member) this.#o.bus.emit('access', { userIds: [member.id] });
    return { email: address, role: 'member', since: new Date(at).toISOString() };
  }

  /** A user registered: the invitations to its email become shares (if the inviter still owns the device). */
  acceptInvitations(userId: string, email: string): void {
    const accepted = inTransaction(this.#o.db, () =>
      invitations
        .takeInvitations(this.#o.db, email)
        .filter((i) => store.ownerOf(this.#o.db, i.device_id) === i.invited_by)
        .filter((i) => store.insertMember(this.#o.db, i.device_id, userId, i.created_at)),
    );
    if (accepted.length === 0) return;
    this.#o.log.info({ userId, devices: accepted.length }, 'share invitations accepted on registration');
    this.#o.bus.emit('access', { userIds: [userId] });
  }

  /**
   * The owner revokes a share (by the member's user id or the email it was shared with), or a
   * member leaves (its own user id or email).
   */
  revoke(userId: string, deviceId: string, member: string): void {
    const role = this.#o.access.role(userId, deviceId);
    if (role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    const byEmail = member.includes('@');
    const memberId = byEmail ? findUserByEmail(this.#o.db, member.trim())?.id : member;
    if (role !== 'owner' && memberId !== userId)
      throw new HubError('FORBIDDEN', 'only the owner may revoke shares');
    if (memberId === userId && role === 'owner') {
      throw new HubError(
        'INVALID_STATE',
        'the owner removes the device instead (DELETE /v1/devices/{did}/binding)',
      );
    }
    const revoked = inTransaction(this.#o.db, () => {
      const invitation = byEmail && invitations.deleteInvitation(this.#o.db, deviceId, member.trim());
      const binding = memberId !== undefined && store.deleteBinding(this.#o.db, deviceId, memberId);
      return invitation || binding;
    });
    if (!revoked) throw new HubError('NOT_FOUND', 'the device is not shared with this user');
    this.#o.log.info({ deviceId, by: userId, member: memberId ?? 'invitation' }, 'share revoked');
    if (memberId !== undefined) this.#o.bus.emit('access', { userIds: [memberId] });
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
      invitations.deleteInvitationsOf(this.#o.db, deviceId);
      store.setPairing(this.#o.db, deviceId, hashPairingCode(pairingCode));
    });
    this.#o.log.info({ deviceId, owner: userId }, 'device removed by its owner');
    this.#o.bus.emit('access', { userIds: [...affected] });
    return { pairingCode };
  }

  /**
   * A deleted account lets go of everything it is bound to: each device it owned is removed as by
   * its owner (every user loses it, a fresh pairing code is issued), its shares end. Runs inside
   * the caller's transaction; `affected` are the users whose access changed, to announce after it commits.
   */
  releaseUser(userId: string): {
    devices: Array<{ id: string; pairingCode: string }>;
    affected: string[];
  } {
    const devices: Array<{ id: string; pairingCode: string }> = [];
    const affected = new Set<string>([userId]);
    inTransaction(this.#o.db, () => {
      for (const binding of store.bindingsOfUser(this.#o.db, userId)) {
        if (binding.role === 'member') {
          store.deleteBinding(this.#o.db, binding.device_id, userId);
          continue;
        }
        for (const u of store.homeMembersOf(this.#o.db, binding.device_id)) affected.add(u);
        for (const b of store.bindingsOf(this.#o.db, binding.device_id)) affected.add(b.user_id);
        const pairingCode = newPairingCode();
        store.deleteAllBindings(this.#o.db, binding.device_id);
        invitations.deleteInvitationsOf(this.#o.db, binding.device_id);
        store.setPairing(this.#o.db, binding.device_id, hashPairingCode(pairingCode));
        devices.push({ id: binding.device_id, pairingCode });
      }
    });
    return { devices, affected: [...affected] };
  }

  #email(userId: string): string {
    return findUserById(this.#o.db, userId)?.email ?? '';
  }
}
