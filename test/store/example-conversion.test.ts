/**
 * The worked example for converting a domain store to the engine API (README, "Choices"; the
 * conversion guide). The functions below are condensed from src/identity/store.ts and
 * src/commerce/store-stock.ts, which run on the engine API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Queryable, Transaction } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

// --- what a converted store module looks like -------------------------------------------------

interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly password_hash: string;
  readonly display_name: string | null;
  readonly created_at: number;
}

/** Free functions taking the engine or a transaction first, as before; now async. */
async function insertUser(
  db: Queryable,
  user: Omit<UserRow, 'display_name'> & { display_name?: string | null },
) {
  const { changes } = await db.run(
    sql`INSERT INTO users (id, email, password_hash, display_name, created_at)
        VALUES (${user.id}, ${user.email}, ${user.password_hash}, ${user.display_name ?? null}, ${user.created_at})
        ON CONFLICT (email) DO NOTHING`,
  );
  return changes === 1;
}

function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return db.one<UserRow>(
    sql`SELECT id, email, password_hash, display_name, created_at FROM users WHERE email = ${email}`,
  );
}

async function revokeUserToken(tx: Transaction, tokenId: string, at: number): Promise<boolean> {
  const { changes } = await tx.run(
    sql`UPDATE user_tokens SET revoked_at = ${at} WHERE id = ${tokenId} AND revoked_at IS NULL`,
  );
  // Other hub processes drop the token from their caches once (and only if) this commits.
  if (changes === 1) await tx.notify('identity_changed', `token:${tokenId}`);
  return changes === 1;
}

/**
 * Takes up to `count` free devices of a model. Where the engines differ the store says so: on
 * PostgreSQL concurrent buyers skip each other's locked rows instead of queueing on them; SQLite
 * has one writer, so there is nothing to skip. The rows are locked in a CTE, which PostgreSQL runs
 * once, so its LIMIT holds: `DELETE ... WHERE key IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`
 * is the flawed form (the planner may evaluate the subquery again, skipping other rows each time,
 * and take more than `n`). The same as src/commerce/store-stock.ts.
 */
async function takeFree(
  tx: Transaction,
  partnerId: string,
  modelId: string,
  count: number,
): Promise<string[]> {
  const rows = await tx.many<{ device_id: string }>(
    sql.dialect({
      sqlite: sql`DELETE FROM commerce_free_devices WHERE model_id = ${modelId} AND partner_id = ${partnerId}
          AND device_id IN (SELECT device_id FROM commerce_free_devices
            WHERE model_id = ${modelId} AND partner_id = ${partnerId} LIMIT ${count})
        RETURNING device_id`,
      postgres: sql`WITH picked AS (
          SELECT device_id FROM commerce_free_devices WHERE model_id = ${modelId} AND partner_id = ${partnerId}
          LIMIT ${count} FOR UPDATE SKIP LOCKED)
        DELETE FROM commerce_free_devices f USING picked WHERE f.device_id = picked.device_id
        RETURNING f.device_id`,
    }),
  );
  return rows.map((r) => r.device_id);
}

/** A node-local cache kept in step through notifications, as the broker's hot-path caches will be. */
async function tokenCache(db: Engine) {
  const revoked = new Set<string>();
  const waiting: Array<() => void> = [];
  let resets = 0;
  const subscription = await db.listen('identity_changed', {
    message: (payload) => {
      if (payload.startsWith('token:')) revoked.add(payload.slice('token:'.length));
      for (const wake of waiting.splice(0)) wake();
    },
    reset: () => {
      resets++;
    },
  });
  return {
    revoked,
    resets: () => resets,
    /** The next notification handled, or a rejection after `ms`. */
    next: (ms = 5000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no notification within ${ms} ms`)), ms);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    close: () => subscription.close(),
  };
}

// --- and the tests, on whichever engine the run uses ------------------------------------------

describe('example conversion of a store module to the engine API', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers a user once per email whatever its case, and finds it', async () => {
    expect(
      await insertUser(db, { id: 'u5', email: 'Bob@Example.com', password_hash: 'h', created_at: 1 }),
    ).toBe(true);
    expect(
      await insertUser(db, { id: 'u6', email: 'bob@example.COM', password_hash: 'h', created_at: 2 }),
    ).toBe(false);
    expect(await findUserByEmail(db, 'BOB@example.com')).toEqual({
      id: 'u5',
      email: 'Bob@Example.com',
      password_hash: 'h',
      display_name: null,
      created_at: 1,
    });
  });

  it('revokes a token in a transaction and tells every cache after the commit', async () => {
    const cache = await tokenCache(db);
    try {
      const seen = cache.next();
      expect(await db.transaction((tx) => revokeUserToken(tx, 'ut1', 123))).toBe(true);
      await seen;
      expect(cache.revoked.has('ut1')).toBe(true);
      expect(await db.one(sql`SELECT revoked_at FROM user_tokens WHERE id = 'ut1'`)).toEqual({
        revoked_at: 123,
      });
      // Revoking again changes nothing and notifies nobody.
      expect(await db.transaction((tx) => revokeUserToken(tx, 'ut1', 456))).toBe(false);
      expect(cache.resets()).toBe(0);
    } finally {
      await cache.close();
    }
  });

  it('never hands one device to two of 40 concurrent buyers of a stock of 20', async () => {
    for (let i = 10; i < 30; i++) {
      await db.run(
        sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
            VALUES (${`d${i}`}, 'p1', 'acme.light.bulb1', 1, 'b1', ${Buffer.alloc(32)}, 1)`,
      );
      await db.run(
        sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id) VALUES ('acme.light.bulb1', 'p1', ${`d${i}`})`,
      );
    }
    const taken = await Promise.all(
      Array.from({ length: 40 }, () => db.transaction((tx) => takeFree(tx, 'p1', 'acme.light.bulb1', 1))),
    );
    const devices = taken.flat();
    expect(devices).toHaveLength(new Set(devices).size);
    // d2 (from the seed) and d10..d29: 21 in stock, 21 sold, 19 buyers turned away.
    expect(devices).toHaveLength(21);
    expect(await db.one(sql`SELECT count(*) AS n FROM commerce_free_devices`)).toEqual({ n: 0 });
  });
});
