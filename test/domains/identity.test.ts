/**
 * The identity domain on the run's engine (SQLite under `npm test`, PostgreSQL under
 * `npm run test:postgres`): accounts, user tokens resolved from memory and kept in step across hub
 * processes on one database, operator tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityService } from '../../src/identity/service.js';
import { createLogger } from '../../src/log.js';
import type { Engine } from '../../src/store/engine.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

function identityOn(store: Engine): IdentityService {
  return new IdentityService({
    store,
    log: createLogger('silent'),
    now: Date.now,
    tokenTtlMs: 3_600_000,
    scryptCost: FAST_SCRYPT,
  });
}

/** Polls `check` (a cache fed by notifications) until it holds, for at most `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not true within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('identity on the store engine', () => {
  let t: TestEngine;
  let identities: IdentityService;
  beforeAll(async () => {
    t = await openMigratedEngine();
    identities = identityOn(t.engine);
    await identities.open();
  });
  afterAll(async () => {
    await identities?.close();
    await t?.close();
  });

  it('registers once per email, logs in, resolves the token from memory and refuses it after logout', async () => {
    const user = await identities.register({
      email: 'Ann@Example.com',
      password: 'pw-123456',
      ip: '10.0.0.1',
    });
    await expect(
      identities.register({ email: 'ann@example.com', password: 'pw-123456', ip: '10.0.0.1' }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const session = await identities.login({
      email: 'ann@example.com',
      password: 'pw-123456',
      ip: '10.0.0.1',
    });
    expect(session.user.id).toBe(user.id);
    const identity = await identities.resolveUserToken(session.token);
    expect(identity).toMatchObject({ kind: 'user', userId: user.id });
    expect(await identities.resolveUserToken(`${session.token.slice(0, -2)}xx`)).toBeUndefined();
    if (identity?.kind !== 'user') throw new Error('not a user');
    await identities.logout(identity);
    expect(await identities.resolveUserToken(session.token)).toBeUndefined();
    const row = await t.engine.one<{ revoked_at: number | null }>(
      sql`SELECT revoked_at FROM user_tokens WHERE id = ${identity.tokenId}`,
    );
    expect(row?.revoked_at).toEqual(expect.any(Number));
  });

  // PostgreSQL: a second engine is another hub process on the database (LISTEN/NOTIFY). SQLite is
  // one process: the second service shares the engine and its in-process notifications.
  it('keeps a second identity service on the same database in step: new tokens, logout, deletion', async () => {
    const separate = t.engine.dialect === 'postgres';
    const other = separate ? await openEngine(t.database.target, { poolSize: 2 }) : t.engine;
    const second = identityOn(other);
    try {
      const user = await identities.register({
        email: 'bo@example.com',
        password: 'pw-123456',
        ip: '10.0.0.2',
      });
      const first = await identities.login({
        email: 'bo@example.com',
        password: 'pw-123456',
        ip: '10.0.0.2',
      });
      await second.open();
      // Loaded at start.
      expect(second.resolveUserToken(first.token)).toMatchObject({ userId: user.id });
      // Issued after the start: learnt through the notification (in memory, no promise).
      const later = await identities.login({
        email: 'bo@example.com',
        password: 'pw-123456',
        ip: '10.0.0.2',
      });
      await eventually(() => {
        const known = second.resolveUserToken(later.token);
        return known !== undefined && !(known instanceof Promise);
      });
      // Revoked by the first process: refused by the second.
      const identity = await identities.resolveUserToken(later.token);
      if (identity?.kind !== 'user') throw new Error('not a user');
      await identities.logout(identity);
      await eventually(async () => (await second.resolveUserToken(later.token)) === undefined);
      expect(await second.resolveUserToken(first.token)).toBeDefined();
      // Account deleted: every token gone everywhere.
      await identities.deleteAccount(user.id, 'pw-123456');
      expect(await identities.resolveUserToken(first.token)).toBeUndefined();
      await eventually(async () => (await second.resolveUserToken(first.token)) === undefined);
      expect(await second.user(user.id)).toMatchObject({ email: `deleted-${user.id}@users.invalid` });
    } finally {
      await second.close();
      if (separate) await other.close();
    }
  });

  // Two engines on one database whose notifications do not reach each other: on SQLite, two hub
  // nodes sharing one file (the cluster tests); on PostgreSQL, a node that missed a NOTIFY.
  it('reads a token issued on another node through to the store once, and refuses unknown ones from memory', async () => {
    const other = await openEngine(t.database.target, { poolSize: 2 });
    const second = identityOn(other);
    try {
      await second.open();
      const user = await identities.register({
        email: 'cy@example.com',
        password: 'pw-123456',
        ip: '10.0.0.3',
      });
      const session = await identities.login({
        email: 'cy@example.com',
        password: 'pw-123456',
        ip: '10.0.0.3',
      });
      const before = second.tokenLookups.reads;
      const pending = second.resolveUserToken(session.token);
      // Known there already on PostgreSQL when the NOTIFY won the race; read through otherwise.
      expect(await pending).toMatchObject({ kind: 'user', userId: user.id });
      const again = second.resolveUserToken(session.token);
      expect(again instanceof Promise).toBe(false);
      expect(again).toMatchObject({ userId: user.id });
      expect(second.tokenLookups.reads - before).toBeLessThanOrEqual(1);

      // A made-up token of the right shape: one store read, then refused from memory.
      const bogus = 'eu_0123456789abcdef_not-a-real-secret-at-all';
      const reads = second.tokenLookups.reads;
      expect(await Promise.all(Array.from({ length: 50 }, () => second.resolveUserToken(bogus)))).toEqual(
        Array.from({ length: 50 }, () => undefined),
      );
      expect(second.resolveUserToken(bogus)).toBeUndefined();
      expect(second.tokenLookups.reads - reads).toBe(1);
      // The right id with a wrong secret: refused, from the cached row.
      expect(second.resolveUserToken(`${session.token.slice(0, -4)}abcd`)).toBeUndefined();

      // Logout on the first node: the relayed revocation (cluster mode) refuses it at once here.
      const identity = await identities.resolveUserToken(session.token);
      if (identity?.kind !== 'user') throw new Error('not a user');
      await identities.logout(identity);
      second.forget({ userId: user.id, tokenId: identity.tokenId });
      expect(second.resolveUserToken(session.token)).toBeUndefined();
      // A node that never held the token reads it revoked from the store.
      const third = identityOn(other);
      try {
        expect(await third.resolveUserToken(session.token)).toBeUndefined();
      } finally {
        await third.close();
      }
    } finally {
      await second.close();
      await other.close();
    }
  });

  it('mints, resolves, lists and revokes operator tokens; adopts and drops ECOHUB_ADMIN_TOKEN', async () => {
    const env = 'an-env-admin-token-0123456789';
    expect(await identities.operators.bootstrap(env)).toBeUndefined();
    expect(await identities.operators.resolve(env)).toEqual({ kind: 'operator', tokenId: 'env' });
    const minted = await identities.operators.mint('ops', 'api');
    expect(await identities.operators.resolve(minted.token)).toEqual({
      kind: 'operator',
      tokenId: minted.id,
    });
    const page = await identities.operators.list({ limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.next).not.toBeNull();
    const rest = await identities.operators.list({ after: page.next ?? undefined, limit: 10 });
    expect([...page.items, ...rest.items].map((v) => v.id).sort()).toEqual(['env', minted.id].sort());
    expect((await identities.operators.revoke(minted.id)).revokedAt).not.toBeNull();
    expect(await identities.operators.resolve(minted.token)).toBeUndefined();
    // Without the variable the adopted token goes; no active token is left, so one is minted.
    const bootstrap = await identities.operators.bootstrap(undefined);
    expect(bootstrap).toMatch(/^eo_/);
    expect(await identities.operators.resolve(env)).toBeUndefined();
  });
});
