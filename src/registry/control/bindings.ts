import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { LoginLimiter } from '../../identity/login-limiter.js';
import { findUserByEmail, findUserById } from '../../identity/store.js';
import { type Engine, isDatabaseError, type Queryable, type Transaction } from '../../store/engine.js';
import { compareKeys, type Page, type PageRequest, pageOfList } from '../../store/page.js';
import { DEVICE_ID_PATTERN, hashPairingCode, newPairingCode } from '../devices/credentials.js';
import type { RegistryBus } from '../events.js';
import type { AccessIndex } from './access-index.js';
import * as store from './store.js';
import * as invitations from './store-invitations.js';

/** Members and open invitations one device may have (Mi Home allows a handful; 50 is ample). */
export const MAX_SHARES = 50;

export interface BindingServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly access: AccessIndex;
  readonly now: () => number;
  /** The sales channel (commerce), when there is one. */
  readonly sales?: SalesChannel;
}

/** What claiming needs to know from the sales channel; both are read inside the claim's transaction (`db`). */
export interface SalesChannel {
  /** The buyer of a sold device: lets the buyer claim it without a pairing code. */
  buyerOf(deviceId: string, db: Queryable): Promise<string | undefined>;
  /**
   * An unpaid order holds the device: nobody may claim it until the order is paid or released.
   * The database refuses the race too (a claim and a reservation of one device exclude each other:
   * migration 0070), so this is for the clear answer.
   */
  isReserved(deviceId: string, db: Queryable): Promise<boolean>;
  /**
   * The claim's transaction is about to commit: a sold device's first claim is its activation (on
   * the partner's statement), recorded with the claim or not at all. True if this one was.
   */
  activate(tx: Transaction, claim: { deviceId: string; userId: string; at: number }): Promise<boolean>;
}

const RESERVED = () =>
  new HubError(
    'INVALID_STATE',
    'the device is reserved for an order awaiting payment; try again once the order is paid or released',
  );

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
  readonly #db: Engine;
  /** Wrong pairing codes per user: 10 per 15 minutes, then 429 (a code has 60 bits, but be polite to the DB). */
  readonly #wrongCodes: LoginLimiter;

  constructor(options: BindingServiceOptions) {
    this.#o = options;
    this.#db = options.store;
    this.#wrongCodes = new LoginLimiter({ maxFailures: 10, windowMs: 15 * 60_000, now: options.now });
  }

  async claim(
    userId: string,
    deviceId: string,
    proof: { pairingCode: string } | { orderId: string },
  ): Promise<{ deviceId: string; role: 'owner' }> {
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
    const sales = this.#o.sales;
    let wrongCode = false;
    let activated = false;
    try {
      // Durable: an answered claim (and the activation it may record) survives a crash.
      await this.#db.transaction(
        async (tx) => {
          wrongCode = false;
          if ('pairingCode' in proof) {
            const found = await store.findDeviceByPairingHash(tx, hashPairingCode(proof.pairingCode));
            if (!found || found.id !== deviceId) {
              wrongCode = true;
              throw new HubError('NOT_FOUND', 'no device with this id and pairing code', {
                errors: [{ path: '/pairingCode', message: 'does not match the device' }],
              });
            }
            // Claiming and reserving exclude each other: a device an unpaid order holds waits until the
            // order is paid (then anyone holding its pairing code may claim it) or released to stock.
            if (sales && (await sales.isReserved(deviceId, tx))) throw RESERVED();
          } else if (!DEVICE_ID_PATTERN.test(deviceId) || (await sales?.buyerOf(deviceId, tx)) !== userId) {
            throw new HubError('NOT_FOUND', 'no device of yours in a paid order with this id', {
              errors: [{ path: '/orderId', message: 'does not hold this device for you' }],
            });
          }
          const owner = await store.ownerOf(tx, deviceId);
          if (owner === userId) throw new HubError('ALREADY_EXISTS', 'you already own this device');
          // A claim never takes a device from its owner, not even the buyer's claim by order: whoever
          // holds the device (and claimed it with its pairing code) keeps it until removing it.
          if (owner !== undefined || !(await store.insertBinding(tx, deviceId, userId, 'owner', at))) {
            throw new HubError(
              'ALREADY_OWNED',
              'the device is bound to another user; its owner must remove it before it can be claimed',
            );
          }
          await store.clearPairing(tx, deviceId);
          await this.#o.access.notify(tx, [userId]);
          activated = (await sales?.activate(tx, { deviceId, userId, at })) ?? false;
        },
        { durable: true },
      );
    } catch (err) {
      if (wrongCode) this.#wrongCodes.recordFailure(userId);
      // An order reserved the device between the check and the claim (PostgreSQL): the database refused.
      if (isDatabaseError(err, 'refused')) throw RESERVED();
      throw err;
    }
    this.#o.log.info({ deviceId, userId, via, activated }, 'device claimed');
    await this.#o.access.changed([userId]);
    this.#o.bus.emit('claimed', { deviceId, userId, at, via });
    return { deviceId, role: 'owner' };
  }

  /**
   * When the device's current owner claimed it (undefined: no owner). Its users (owner, members,
   * home members) see its history, events and shadow from then on, as Mi Home resets a device on
   * unbind; the partner's fleet views keep everything.
   */
  ownerSince(deviceId: string): Promise<number | undefined> {
    return store.ownerSince(this.#db, deviceId);
  }

  /** Throws NOT_FOUND unless the user may see the device, FORBIDDEN unless it is the owner. */
  async #requireOwner(userId: string, deviceId: string): Promise<void> {
    const role = await this.#o.access.role(userId, deviceId);
    if (role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    if (role !== 'owner') throw new HubError('FORBIDDEN', 'only the owner may share or remove the device');
  }

  /**
   * Who has the device or is invited to, oldest first (the owner's claim, then shares and
   * invitations alike); paged in memory, as a device has at most MAX_SHARES of them.
   */
  async shares(userId: string, deviceId: string, page: PageRequest): Promise<Page<ShareView>> {
    await this.#requireOwner(userId, deviceId);
    const bound: Array<{ email: string; role: store.BindingRole; at: number }> = [];
    for (const b of await store.bindingsOf(this.#db, deviceId)) {
      bound.push({ email: await this.#email(b.user_id), role: b.role, at: b.created_at });
    }
    const invited = (await invitations.invitationsOf(this.#db, deviceId)).map((i) => ({
      email: i.email,
      role: 'member' as const,
      at: i.created_at,
    }));
    const key = (s: { at: number; email: string }) => [s.at, s.email];
    const all = [...bound, ...invited].sort((a, b) => compareKeys(key(a), key(b)));
    const { items, next } = pageOfList(all, page, key);
    return {
      items: items.map(({ email, role, at }) => ({ email, role, since: new Date(at).toISOString() })),
      next,
    };
  }

  /**
   * Shares the device with whoever has this email: a member at once if the account exists, else an
   * invitation that binds when an account with this email is registered. The answer is the same
   * either way.
   */
  async share(userId: string, deviceId: string, email: string): Promise<ShareView> {
    await this.#requireOwner(userId, deviceId);
    const address = email.trim();
    const at = this.#o.now();
    const member = await this.#db.transaction(async (tx) => {
      const member = await findUserByEmail(tx, address);
      const added =
        member === undefined
          ? await invitations.insertInvitation(tx, {
              device_id: deviceId,
              email: address,
              invited_by: userId,
              created_at: at,
            })
          : member.id !== userId && (await store.insertBinding(tx, deviceId, member.id, 'member', at));
      if (!added) {
        throw new HubError('ALREADY_EXISTS', 'the device is already shared with this email', {
          errors: [{ path: '/email', message: 'already has access' }],
        });
      }
      // Counted after the insert, in its transaction: members and invitations alike, so the limit
      // says nothing about which emails have accounts either.
      if ((await invitations.countShares(tx, deviceId)) > MAX_SHARES) {
        throw new HubError('INVALID_STATE', `a device may be shared with at most ${MAX_SHARES} people`);
      }
      if (member) await this.#o.access.notify(tx, [member.id]);
      return member;
    });
    this.#o.log.info({ deviceId, owner: userId, pending: member === undefined }, 'device shared');
    if (member) await this.#o.access.changed([member.id]);
    return { email: address, role: 'member', since: new Date(at).toISOString() };
  }

  /** A user registered: the invitations to its email become shares (if the inviter still owns the device). */
  async acceptInvitations(userId: string, email: string): Promise<void> {
    const accepted = await this.#db.transaction(async (tx) => {
      const taken: string[] = [];
      for (const i of await invitations.takeInvitations(tx, email)) {
        if ((await store.ownerOf(tx, i.device_id)) !== i.invited_by) continue;
        if (await store.insertBinding(tx, i.device_id, userId, 'member', i.created_at))
          taken.push(i.device_id);
      }
      if (taken.length > 0) await this.#o.access.notify(tx, [userId]);
      return taken;
    });
    if (accepted.length === 0) return;
    this.#o.log.info({ userId, devices: accepted.length }, 'share invitations accepted on registration');
    await this.#o.access.changed([userId]);
  }

  /**
   * The owner revokes a share (by the member's user id or the email it was shared with), or a
   * member leaves (its own user id or email).
   */
  async revoke(userId: string, deviceId: string, member: string): Promise<void> {
    const role = await this.#o.access.role(userId, deviceId);
    if (role === undefined) throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    const byEmail = member.includes('@');
    const memberId = byEmail ? (await findUserByEmail(this.#db, member.trim()))?.id : member;
    if (role !== 'owner' && memberId !== userId)
      throw new HubError('FORBIDDEN', 'only the owner may revoke shares');
    if (memberId === userId && role === 'owner') {
      throw new HubError(
        'INVALID_STATE',
        'the owner removes the device instead (DELETE /v1/devices/{did}/binding)',
      );
    }
    const revoked = await this.#db.transaction(async (tx) => {
      const invitation = byEmail && (await invitations.deleteInvitation(tx, deviceId, member.trim()));
      const binding = memberId !== undefined && (await store.deleteBinding(tx, deviceId, memberId));
      if (binding && memberId !== undefined) await this.#o.access.notify(tx, [memberId]);
      return invitation || binding;
    });
    if (!revoked) throw new HubError('NOT_FOUND', 'the device is not shared with this user');
    this.#o.log.info({ deviceId, by: userId, member: memberId ?? 'invitation' }, 'share revoked');
    if (memberId !== undefined) await this.#o.access.changed([memberId]);
  }

  /**
   * The owner removes the device, as a factory reset would: every user loses it and a fresh
   * pairing code (returned once) is issued for whoever claims it next.
   */
  async remove(userId: string, deviceId: string): Promise<{ pairingCode: string }> {
    await this.#requireOwner(userId, deviceId);
    const pairingCode = newPairingCode();
    const affected = await this.#db.transaction(async (tx) => {
      const affected = new Set<string>([userId, ...(await store.homeMembersOf(tx, deviceId))]);
      for (const b of await store.bindingsOf(tx, deviceId)) affected.add(b.user_id);
      await store.deleteAllBindings(tx, deviceId);
      await invitations.deleteInvitationsOf(tx, deviceId);
      await store.setPairing(tx, deviceId, hashPairingCode(pairingCode));
      await this.#o.access.notify(tx, affected);
      return affected;
    });
    this.#o.log.info({ deviceId, owner: userId }, 'device removed by its owner');
    await this.#o.access.changed(affected);
    return { pairingCode };
  }

  /**
   * A deleted account lets go of everything it is bound to: each device it owned is removed as by
   * its owner (every user loses it, a fresh pairing code is issued), its shares end. Runs inside
   * the caller's transaction `tx` (the account's deletion); `affected` are the users whose access
   * changed, to pass to the access index's `changed()` after it commits.
   */
  async releaseUser(
    tx: Queryable,
    userId: string,
  ): Promise<{
    devices: Array<{ id: string; pairingCode: string }>;
    affected: string[];
  }> {
    const devices: Array<{ id: string; pairingCode: string }> = [];
    const affected = new Set<string>([userId]);
    for (const binding of await store.bindingsOfUser(tx, userId)) {
      if (binding.role === 'member') {
        await store.deleteBinding(tx, binding.device_id, userId);
        continue;
      }
      for (const u of await store.homeMembersOf(tx, binding.device_id)) affected.add(u);
      for (const b of await store.bindingsOf(tx, binding.device_id)) affected.add(b.user_id);
      const pairingCode = newPairingCode();
      await store.deleteAllBindings(tx, binding.device_id);
      await invitations.deleteInvitationsOf(tx, binding.device_id);
      await store.setPairing(tx, binding.device_id, hashPairingCode(pairingCode));
      devices.push({ id: binding.device_id, pairingCode });
    }
    return { devices, affected: [...affected] };
  }

  async #email(userId: string): Promise<string> {
    return (await findUserById(this.#db, userId))?.email ?? '';
  }
}
