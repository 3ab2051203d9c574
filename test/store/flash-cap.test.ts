/**
 * The flash-sale cap under real concurrency, on the run's engine (SQLite under `npm test`, PostgreSQL
 * with 20 pooled connections under `npm run test:postgres`): many buyers at once, retries with the
 * same Idempotency-Key racing the first attempt, varied timing. The cap, the per-user limit and
 * "one answer per key" must hold in every run.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlashPayments } from '../../src/commerce/flash-payments.js';
import { FlashPurchases } from '../../src/commerce/flash-purchases.js';
import { FlashSales } from '../../src/commerce/flash-sales.js';
import { createLogger } from '../../src/log.js';
import { parseDatabaseUrl } from '../../src/store/database-url.js';
import type { Engine } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine, testEngineKind } from '../support/engine.js';
import { seedEveryTable } from '../support/store-fixtures.js';

// PostgreSQL fsyncs every commit and the buyers of one sale queue on its row: fewer runs there.
const RUNS = Number(process.env['FLASH_RUNS'] ?? (testEngineKind() === 'postgres' ? 3 : 100));
/** Attempts in flight at once, as the hub's gate bounds them (FlashSettings.maxInFlight). */
const IN_FLIGHT = 100;
const BUYERS = 1000;
const CAP = 100;

/** A pseudo-random generator with a seed, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Yields to the event loop `n` times: varies where each attempt lands among the others, without sleeping. */
async function jitter(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * On SQLite the database goes to tmpfs when there is one: the subject is the interleaving of buyers,
 * and every purchase commits durably (an fsync each, ~25 ms on this machine's disk, would make the
 * 100 runs take minutes). Durability has its own test (kill -9, test/integration/flash-crash.test.ts).
 */
async function openFastEngine(): Promise<TestEngine> {
  if (testEngineKind() !== 'sqlite' || !existsSync('/dev/shm')) return openTestEngine();
  const dir = mkdtempSync(join('/dev/shm', 'ecohub-flash-'));
  const url = `sqlite:${join(dir, 'ecohub.db')}`;
  const target = parseDatabaseUrl(url);
  const engine = await openEngine(target);
  const drop = async () => rmSync(dir, { recursive: true, force: true });
  return {
    engine,
    database: { url, target, drop },
    async close() {
      await engine.close();
      await drop();
    },
  };
}

describe('flash-sale cap under concurrency and retries', () => {
  let t: TestEngine;
  let db: Engine;
  let clock = 1_900_000_000_000;
  const log = createLogger('silent');
  let sales: FlashSales;
  let purchases: FlashPurchases;
  let payments: FlashPayments;

  beforeAll(async () => {
    t = await openFastEngine();
    db = t.engine;
    await runMigrations(db);
    await seedEveryTable(db);
    const base = { store: db, log, now: () => clock };
    sales = new FlashSales({
      ...base,
      paymentWindowMs: 60_000,
      offerHoldMs: 60_000,
      skuOf: () => ({
        partnerId: 'p1',
        modelId: 'acme.light.bulb1',
        name: 'Bulb',
        priceMinor: 1999,
        currency: 'EUR',
        active: true,
      }),
    });
    purchases = new FlashPurchases(base);
    payments = new FlashPayments({ ...base, fulfil: async (p) => ({ orderId: `o-${p.purchaseId}` }) });
  });
  afterAll(() => t?.close());

  async function openSale(perUserLimit: number, waitlistCap: number): Promise<string> {
    const sale = await sales.create(
      { kind: 'partner', partnerId: 'p1', keyId: 'k1' },
      {
        skuId: 's1',
        cap: CAP,
        perUserLimit,
        mode: 'first_come',
        registrationOpensAt: new Date(clock).toISOString(),
        opensAt: new Date(clock + 1000).toISOString(),
        closesAt: new Date(clock + 3_600_000).toISOString(),
        waitlistCap,
      },
    );
    // Registrations in one transaction: the subject here is the opening burst.
    await db.transaction(async (tx) => {
      for (let i = 0; i < BUYERS; i++) {
        await tx.run(sql`INSERT INTO flash_registrations (sale_id, user_id, seq, ticket, registered_at)
          VALUES (${sale.id}, ${`b${i}`}, ${i + 1}, ${randomUUID()}, ${clock})`);
      }
    });
    clock += 1000;
    return sale.id;
  }

  it(`${RUNS} runs of ${BUYERS} buyers on a cap of ${CAP}: exactly ${CAP} sold every time`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const random = rng(run + 1);
      const perUserLimit = 1 + (run % 3);
      // Most runs have no waitlist (the losers' answers are rollbacks); some have one.
      const saleId = await openSale(perUserLimit, run % 10 === 0 ? 200 : 0);
      const answers = new Map<string, Set<string>>();
      const attempt = async (i: number) => {
        const key = `k${run}-${i}`;
        const user = {
          kind: 'user' as const,
          userId: `b${i}`,
          tokenId: 't',
          expiresAt: Number.MAX_SAFE_INTEGER,
        };
        // Up to three copies of the same request race each other (a client retrying on a timeout).
        const copies = random() < 0.2 ? 1 + Math.floor(random() * 3) : 1;
        const delays = Array.from({ length: copies }, () => Math.floor(random() * 4));
        await Promise.all(
          delays.map(async (d) => {
            await jitter(d);
            try {
              const a = await purchases.purchase(user, saleId, key, { quantity: 1 });
              const seen = answers.get(key) ?? new Set<string>();
              seen.add(`${a.status} ${a.body}`);
              answers.set(key, seen);
            } catch (err) {
              if ((err as { code?: string }).code !== 'OUT_OF_STOCK') throw err;
            }
          }),
        );
      };
      let nextBuyer = 0;
      const lane = async () => {
        while (nextBuyer < BUYERS) await attempt(nextBuyer++);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));

      // Every key has exactly one answer, however many copies raced.
      for (const [key, seen] of answers) expect(seen.size, key).toBe(1);
      const reserved = [...answers.values()].filter((s) => [...s][0]?.startsWith('201')).length;
      expect(reserved, `run ${run}`).toBe(CAP);
      const sale = await db.one<{ taken: number; sold: number }>(
        sql`SELECT taken, sold FROM flash_sales WHERE id = ${saleId}`,
      );
      const counted = await db.one<{ n: number; units: number; users: number }>(
        sql`SELECT count(*) AS n, sum(quantity) AS units, count(DISTINCT user_id) AS users
            FROM flash_purchases WHERE sale_id = ${saleId} AND status = 'reserved'`,
      );
      expect(sale?.taken).toBe(CAP);
      expect(Number(counted?.units)).toBe(CAP);
      expect(Number(counted?.users)).toBe(CAP);

      // Paying every reservation (every fourth run, twice with the same event id) sells exactly the cap.
      if (run % 4 === 0) {
        const rows = await db.many<{ id: string; amount_minor: number }>(
          sql`SELECT id, amount_minor FROM flash_purchases WHERE sale_id = ${saleId} AND status = 'reserved'`,
        );
        await Promise.all(
          rows.map((p) =>
            payments.pay({
              id: `e-${p.id}`,
              type: 'payment.succeeded',
              purchaseId: p.id,
              amountMinor: p.amount_minor,
              currency: 'EUR',
            }),
          ),
        );
        const after = await db.one<{ taken: number; sold: number }>(
          sql`SELECT taken, sold FROM flash_sales WHERE id = ${saleId}`,
        );
        expect(after).toEqual({ taken: CAP, sold: CAP });
      }
    }
  }, 600_000);
});
