import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import { type FailureLimit, type Limits, localLimits } from '../limits.js';
import type { Engine, Queryable } from '../store/engine.js';
import type { Identity } from './identity.js';
import { OperatorTokens } from './operator-tokens.js';
import { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost, verifyPassword } from './passwords.js';
import { formatCredential, hashSecret, newId, newSecret, parseCredential, secretMatches } from './secrets.js';
import * as store from './store.js';
import { USER_TOKENS_CHANNEL, UserTokenCache } from './token-cache.js';
import type { TokenLookupOptions } from './token-lookups.js';

export const USER_TOKEN_PREFIX = 'eu';
export { ADMIN_TOKEN_PREFIX } from './operator-tokens.js';

export interface IdentityOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly tokenTtlMs: number;
  /** Bounds of the read-through for tokens not in memory (token-lookups.ts has the defaults). */
  readonly tokenLookups?: Omit<TokenLookupOptions<store.TokenRow>, 'read' | 'now'>;
  /** Where failed logins and registrations are counted (shared in Redis in a cluster); this process by default. */
  readonly limits?: Limits;
  readonly scryptCost?: ScryptCost;
  /** Failed logins allowed per account, then per client address (a household NAT shares one), in the window. */
  readonly loginMaxFailures?: { readonly account: number; readonly ip: number };
  readonly loginWindowMs?: number;
  /** Registration attempts allowed per client address in the window, then 429 (docs/api.md). */
  readonly registrationLimit?: { readonly perAddress: number; readonly windowMs: number };
  /** Called once an account exists (shares waiting for its email bind then); registration waits for it. */
  readonly onRegistered?: (user: { readonly id: string; readonly email: string }) => void | Promise<void>;
  /** Called when tokens stop working (logout: one token; account deletion: all): live sessions must end. */
  readonly onRevoke?: (revocation: UserRevocation) => void;
  /**
   * Releases what a deleted account holds elsewhere (devices, homes) inside the deletion's own
   * transaction `tx`, so the account and everything it held go together or not at all; returns the
   * devices it owned with fresh pairing codes (shown once) and what to do once it committed.
   */
  readonly releaseAccount?: (tx: Queryable, userId: string) => Promise<AccountRelease>;
}

export interface AccountRelease extends ReleasedAccount {
  /** Runs after the deletion committed (caches, announcements); never inside the transaction. */
  readonly committed?: () => Promise<void>;
}

export interface UserRevocation {
  readonly userId: string;
  /** Only this token; all of the user's tokens when absent. */
  readonly tokenId?: string;
  readonly reason: string;
}

export interface ReleasedAccount {
  readonly devices: ReadonlyArray<{ readonly id: string; readonly pairingCode: string }>;
}

const DEFAULT_REGISTRATION_LIMIT = { perAddress: 20, windowMs: 15 * 60_000 };

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly createdAt: string;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: string;
}

function userIdentity(row: store.TokenRow | undefined, secret: string): Identity | undefined {
  if (!row || !secretMatches(secret, row.secret_hash)) return undefined;
  return { kind: 'user', userId: row.user_id, tokenId: row.id, expiresAt: row.expires_at };
}

function toView(row: store.UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export class IdentityService {
  readonly #o: IdentityOptions;
  readonly #accountLimiter: FailureLimit;
  readonly #ipLimiter: FailureLimit;
  /** Operator tokens: minted, adopted from ECOHUB_ADMIN_TOKEN, listed and revoked. */
  readonly operators: OperatorTokens;
  /** Every registration attempt counts, refused ones too: each costs a scrypt hash and answers whether an email is taken. */
  readonly #registrations: FailureLimit;
  /** Verified with a dummy hash when the account does not exist, so timing does not reveal which emails are registered. */
  #dummyHash: Promise<string> | undefined;
  readonly #tokens: UserTokenCache;

  constructor(options: IdentityOptions) {
    this.#o = options;
    const windowMs = options.loginWindowMs ?? 15 * 60_000;
    const max = options.loginMaxFailures ?? { account: 5, ip: 30 };
    const limits = options.limits ?? localLimits(options.now);
    this.#accountLimiter = limits.failures('login-account', { maxFailures: max.account, windowMs });
    this.#ipLimiter = limits.failures('login-address', { maxFailures: max.ip, windowMs });
    this.operators = new OperatorTokens({ store: options.store, log: options.log, now: options.now });
    this.#tokens = new UserTokenCache({
      store: options.store,
      log: options.log,
      now: options.now,
      ...(options.tokenLookups ? { lookups: options.tokenLookups } : {}),
    });
    const registrations = options.registrationLimit ?? DEFAULT_REGISTRATION_LIMIT;
    this.#registrations = limits.failures('registrations', {
      maxFailures: registrations.perAddress,
      windowMs: registrations.windowMs,
    });
  }

  /** Loads the live user tokens and follows changes to them (before the hub serves). */
  async open(): Promise<void> {
    await this.#tokens.open();
  }

  async close(): Promise<void> {
    await this.#tokens.close();
  }

  async register(input: {
    email: string;
    password: string;
    displayName?: string | undefined;
    ip: string;
  }): Promise<UserView> {
    const wait = await this.#registrations.retryAfterMs(input.ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      this.#o.log.info({ ip: input.ip }, 'registration refused: too many from this address');
      throw new HubError('RATE_LIMITED', `too many registrations from this address; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    await this.#registrations.recordFailure(input.ip);
    const passwordHash = await hashPassword(input.password, this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    const row = {
      id: newId(),
      email: input.email.trim(),
      password_hash: passwordHash,
      display_name: input.displayName ?? null,
      created_at: this.#o.now(),
    };
    if (!(await store.insertUser(this.#o.store, row))) {
      throw new HubError('ALREADY_EXISTS', 'an account with this email already exists', {
        errors: [{ path: '/email', message: 'is already registered' }],
      });
    }
    this.#o.log.info({ userId: row.id }, 'user registered');
    await this.#o.onRegistered?.({ id: row.id, email: row.email });
    return toView(row);
  }

  async login(input: {
    email: string;
    password: string;
    ip: string;
  }): Promise<IssuedToken & { user: UserView }> {
    const account = input.email.trim().toLowerCase();
    const wait = Math.max(
      ...(await Promise.all([
        this.#accountLimiter.retryAfterMs(account),
        this.#ipLimiter.retryAfterMs(input.ip),
      ])),
    );
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HubError('RATE_LIMITED', `too many failed logins; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    const user = await store.findUserByEmail(this.#o.store, input.email.trim());
    const ok = await verifyPassword(input.password, user?.password_hash ?? (await this.#dummy()));
    if (!user || !ok) {
      await Promise.all([
        this.#accountLimiter.recordFailure(account),
        this.#ipLimiter.recordFailure(input.ip),
      ]);
      this.#o.log.info({ ip: input.ip, known: user !== undefined }, 'login failed');
      throw new HubError('UNAUTHENTICATED', 'wrong email or password');
    }
    await this.#accountLimiter.reset(account);
    return { ...(await this.issueUserToken(user.id)), user: toView(user) };
  }

  async issueUserToken(userId: string): Promise<IssuedToken> {
    const id = newId();
    const secret = newSecret();
    const now = this.#o.now();
    const expiresAt = now + this.#o.tokenTtlMs;
    const row = {
      id,
      user_id: userId,
      secret_hash: hashSecret(secret),
      created_at: now,
      expires_at: expiresAt,
    };
    await this.#o.store.transaction(async (tx) => {
      await store.insertUserToken(tx, row);
      await tx.notify(USER_TOKENS_CHANNEL, `t:${id}`);
    });
    this.#tokens.put({ ...row, revoked_at: null });
    return {
      token: formatCredential(USER_TOKEN_PREFIX, id, secret),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  async logout(identity: Identity): Promise<void> {
    if (identity.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user session can log out');
    await this.#o.store.transaction(async (tx) => {
      if (await store.revokeUserToken(tx, identity.tokenId, this.#o.now())) {
        await tx.notify(USER_TOKENS_CHANNEL, `t:${identity.tokenId}`);
      }
    });
    this.#tokens.drop(identity.tokenId);
    this.#o.onRevoke?.({ userId: identity.userId, tokenId: identity.tokenId, reason: 'logged out' });
  }

  /**
   * Deletes the caller's account once its password is confirmed (wrong passwords count towards the
   * login limit): every token stops working and every live session ends at once, the devices it
   * owned are released with fresh pairing codes, its homes are deleted and its shares and home
   * memberships removed. Orders and ledger entries stay, referring to an account with no email.
   */
  async deleteAccount(userId: string, password: string): Promise<ReleasedAccount> {
    const user = await store.findUserById(this.#o.store, userId);
    if (!user) throw new HubError('NOT_FOUND', 'user not found');
    const account = user.email.toLowerCase();
    const wait = await this.#accountLimiter.retryAfterMs(account);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HubError('RATE_LIMITED', `too many wrong passwords; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      await this.#accountLimiter.recordFailure(account);
      throw new HubError('FORBIDDEN', 'the password does not match', {
        errors: [{ path: '/password', message: 'does not match the account' }],
      });
    }
    // One transaction: the devices and homes it held are released with the account, or nothing is.
    const released = await this.#o.store.transaction(
      async (tx): Promise<AccountRelease> => {
        // Re-read inside the transaction: a concurrent deletion already scrubbed it.
        if ((await store.findUserById(tx, userId))?.password_hash !== user.password_hash) {
          throw new HubError('NOT_FOUND', 'user not found');
        }
        const released = (await this.#o.releaseAccount?.(tx, userId)) ?? { devices: [] };
        await store.deleteUserTokens(tx, userId);
        await store.scrubUser(tx, userId);
        await tx.notify(USER_TOKENS_CHANNEL, `u:${userId}`);
        return released;
      },
      { durable: true },
    );
    this.#tokens.dropUser(userId);
    await released.committed?.();
    this.#o.log.info({ userId, releasedDevices: released.devices.length }, 'account deleted');
    this.#o.onRevoke?.({ userId, reason: 'account deleted' });
    return { devices: released.devices };
  }

  async user(userId: string): Promise<UserView> {
    const row = await store.findUserById(this.#o.store, userId);
    if (!row) throw new HubError('NOT_FOUND', 'user not found');
    return toView(row);
  }

  /**
   * MQTT CONNECT and REST requests both come here. From memory when the token is known on this
   * node (no database round trip); a token issued on another node is read once from the store
   * (UserTokenCache.resolve), so a phone may land on any node.
   */
  resolveUserToken = (token: string): Identity | undefined | Promise<Identity | undefined> => {
    const parsed = parseCredential(token);
    if (!parsed || parsed.prefix !== USER_TOKEN_PREFIX) return undefined;
    const row = this.#tokens.resolve(parsed.id);
    return row instanceof Promise
      ? row.then((r) => userIdentity(r, parsed.secret))
      : userIdentity(row, parsed.secret);
  };

  /**
   * Tokens revoked elsewhere (another node: its registry event relayed here) stop working here
   * now; a later read through to the store finds them revoked.
   */
  forget(revocation: { readonly userId: string; readonly tokenId?: string | undefined }): void {
    if (revocation.tokenId === undefined) this.#tokens.dropUser(revocation.userId);
    else this.#tokens.drop(revocation.tokenId);
  }

  /** How the read-through for tokens not in memory is doing (reads, refusals, negative entries). */
  get tokenLookups(): { readonly reads: number; readonly refused: number; readonly negative: number } {
    return this.#tokens.lookups;
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword('not-a-real-password', this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    return this.#dummyHash;
  }
}
