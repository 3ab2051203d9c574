import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import { type Db, inTransaction } from '../store/database.js';
import type { Identity } from './identity.js';
import { LoginLimiter } from './login-limiter.js';
import { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost, verifyPassword } from './passwords.js';
import { formatCredential, hashSecret, newId, newSecret, parseCredential, secretMatches } from './secrets.js';
import * as store from './store.js';

export const USER_TOKEN_PREFIX = 'eu';
export const ADMIN_TOKEN_PREFIX = 'eo';
/** Row id of the operator token taken from ECOHUB_ADMIN_TOKEN (any string of 24+ characters). */
const ENV_ADMIN_ID = 'env';

export interface IdentityOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly now: () => number;
  readonly tokenTtlMs: number;
  readonly scryptCost?: ScryptCost;
  /** Failed logins allowed per account, then per client address (a household NAT shares one), in the window. */
  readonly loginMaxFailures?: { readonly account: number; readonly ip: number };
  readonly loginWindowMs?: number;
  /** Registration attempts allowed per client address in the window, then 429 (docs/api.md). */
  readonly registrationLimit?: { readonly perAddress: number; readonly windowMs: number };
  /** Called once an account exists (shares waiting for its email bind then). */
  readonly onRegistered?: (user: { readonly id: string; readonly email: string }) => void;
  /** Called when tokens stop working (logout: one token; account deletion: all): live sessions must end. */
  readonly onRevoke?: (revocation: UserRevocation) => void;
  /**
   * Releases what a deleted account holds elsewhere (devices, homes), inside the deletion's
   * transaction; returns the devices it owned with fresh pairing codes, shown once.
   */
  readonly releaseAccount?: (userId: string) => ReleasedAccount;
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
  readonly #accountLimiter: LoginLimiter;
  readonly #ipLimiter: LoginLimiter;
  /** Every registration attempt counts, refused ones too: each costs a scrypt hash and answers whether an email is taken. */
  readonly #registrations: LoginLimiter;
  /** Verified with a dummy hash when the account does not exist, so timing does not reveal which emails are registered. */
  #dummyHash: Promise<string> | undefined;

  constructor(options: IdentityOptions) {
    this.#o = options;
    const windowMs = options.loginWindowMs ?? 15 * 60_000;
    const max = options.loginMaxFailures ?? { account: 5, ip: 30 };
    this.#accountLimiter = new LoginLimiter({ maxFailures: max.account, windowMs, now: options.now });
    this.#ipLimiter = new LoginLimiter({ maxFailures: max.ip, windowMs, now: options.now });
    const registrations = options.registrationLimit ?? DEFAULT_REGISTRATION_LIMIT;
    this.#registrations = new LoginLimiter({
      maxFailures: registrations.perAddress,
      windowMs: registrations.windowMs,
      now: options.now,
    });
  }

  async register(input: {
    email: string;
    password: string;
    displayName?: string | undefined;
    ip: string;
  }): Promise<UserView> {
    const wait = this.#registrations.retryAfterMs(input.ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      this.#o.log.info({ ip: input.ip }, 'registration refused: too many from this address');
      throw new HubError('RATE_LIMITED', `too many registrations from this address; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    this.#registrations.recordFailure(input.ip);
    const passwordHash = await hashPassword(input.password, this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    const row = {
      id: newId(),
      email: input.email.trim(),
      password_hash: passwordHash,
      display_name: input.displayName ?? null,
      created_at: this.#o.now(),
    };
    if (!store.insertUser(this.#o.db, row)) {
      throw new HubError('ALREADY_EXISTS', 'an account with this email already exists', {
        errors: [{ path: '/email', message: 'is already registered' }],
      });
    }
    this.#o.log.info({ userId: row.id }, 'user registered');
    this.#o.onRegistered?.({ id: row.id, email: row.email });
    return toView(row);
  }

  async login(input: {
    email: string;
    password: string;
    ip: string;
  }): Promise<IssuedToken & { user: UserView }> {
    const account = input.email.trim().toLowerCase();
    const wait = Math.max(this.#accountLimiter.retryAfterMs(account), this.#ipLimiter.retryAfterMs(input.ip));
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HubError('RATE_LIMITED', `too many failed logins; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    const user = store.findUserByEmail(this.#o.db, input.email.trim());
    const ok = await verifyPassword(input.password, user?.password_hash ?? (await this.#dummy()));
    if (!user || !ok) {
      this.#accountLimiter.recordFailure(account);
      this.#ipLimiter.recordFailure(input.ip);
      this.#o.log.info({ ip: input.ip, known: user !== undefined }, 'login failed');
      throw new HubError('UNAUTHENTICATED', 'wrong email or password');
    }
    this.#accountLimiter.reset(account);
    return { ...this.issueUserToken(user.id), user: toView(user) };
  }

  issueUserToken(userId: string): IssuedToken {
    const id = newId();
    const secret = newSecret();
    const now = this.#o.now();
    const expiresAt = now + this.#o.tokenTtlMs;
    store.insertUserToken(this.#o.db, {
      id,
      user_id: userId,
      secret_hash: hashSecret(secret),
      created_at: now,
      expires_at: expiresAt,
    });
    return {
      token: formatCredential(USER_TOKEN_PREFIX, id, secret),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  logout(identity: Identity): void {
    if (identity.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user session can log out');
    store.revokeUserToken(this.#o.db, identity.tokenId, this.#o.now());
    this.#o.onRevoke?.({ userId: identity.userId, tokenId: identity.tokenId, reason: 'logged out' });
  }

  /**
   * Deletes the caller's account once its password is confirmed (wrong passwords count towards the
   * login limit): every token stops working and every live session ends at once, the devices it
   * owned are released with fresh pairing codes, its homes are deleted and its shares and home
   * memberships removed. Orders and ledger entries stay, referring to an account with no email.
   */
  async deleteAccount(userId: string, password: string): Promise<ReleasedAccount> {
    const user = store.findUserById(this.#o.db, userId);
    if (!user) throw new HubError('NOT_FOUND', 'user not found');
    const account = user.email.toLowerCase();
    const wait = this.#accountLimiter.retryAfterMs(account);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HubError('RATE_LIMITED', `too many wrong passwords; retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      this.#accountLimiter.recordFailure(account);
      throw new HubError('FORBIDDEN', 'the password does not match', {
        errors: [{ path: '/password', message: 'does not match the account' }],
      });
    }
    const released = inTransaction(this.#o.db, () => {
      // Re-read inside the transaction: a concurrent deletion already scrubbed it.
      if (store.findUserById(this.#o.db, userId)?.password_hash !== user.password_hash) {
        throw new HubError('NOT_FOUND', 'user not found');
      }
      const out = this.#o.releaseAccount?.(userId) ?? { devices: [] };
      store.deleteUserTokens(this.#o.db, userId);
      store.scrubUser(this.#o.db, userId);
      return out;
    });
    this.#o.log.info({ userId, releasedDevices: released.devices.length }, 'account deleted');
    this.#o.onRevoke?.({ userId, reason: 'account deleted' });
    return released;
  }

  user(userId: string): UserView {
    const row = store.findUserById(this.#o.db, userId);
    if (!row) throw new HubError('NOT_FOUND', 'user not found');
    return toView(row);
  }

  resolveUserToken = (token: string): Identity | undefined => {
    const parsed = parseCredential(token);
    if (!parsed || parsed.prefix !== USER_TOKEN_PREFIX) return undefined;
    const row = store.findUserToken(this.#o.db, parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return undefined;
    if (row.revoked_at !== null || row.expires_at <= this.#o.now()) return undefined;
    return { kind: 'user', userId: row.user_id, tokenId: row.id, expiresAt: row.expires_at };
  };

  resolveAdminToken = (token: string): Identity | undefined => {
    const parsed = parseCredential(token);
    const [id, secret] =
      parsed && parsed.prefix === ADMIN_TOKEN_PREFIX ? [parsed.id, parsed.secret] : [ENV_ADMIN_ID, token];
    const row = store.findAdminToken(this.#o.db, id);
    if (!row || row.revoked_at !== null || !secretMatches(secret, row.secret_hash)) return undefined;
    return { kind: 'operator', tokenId: row.id };
  };

  mintAdminToken(label: string): string {
    const id = newId();
    const secret = newSecret();
    store.insertAdminToken(this.#o.db, {
      id,
      secret_hash: hashSecret(secret),
      label,
      created_at: this.#o.now(),
    });
    this.#o.log.info({ tokenId: id, label }, 'operator token minted');
    return formatCredential(ADMIN_TOKEN_PREFIX, id, secret);
  }

  /**
   * First start: adopt ECOHUB_ADMIN_TOKEN if given (scripts can bootstrap), else mint one and return
   * it so the CLI prints it once. Later starts return undefined: the token is never shown again.
   */
  bootstrapAdmin(envToken: string | undefined): string | undefined {
    if (envToken !== undefined) {
      store.insertAdminToken(this.#o.db, {
        id: ENV_ADMIN_ID,
        secret_hash: hashSecret(envToken),
        label: 'ECOHUB_ADMIN_TOKEN',
        created_at: this.#o.now(),
      });
      return undefined;
    }
    if (store.countActiveAdminTokens(this.#o.db) > 0) return undefined;
    return this.mintAdminToken('bootstrap');
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword('not-a-real-password', this.#o.scryptCost ?? DEFAULT_SCRYPT_COST);
    return this.#dummyHash;
  }
}
