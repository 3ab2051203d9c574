import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import { spawnServe } from '../support/cli.js';
import { openShop, WEBHOOK_SECRET } from '../support/commerce.js';
import { buy, createSale, manyUsers, register } from '../support/flash.js';
import { ADMIN_TOKEN, httpRequester, startHub, tempDir } from '../support/hub.js';
import { spawnedDatabase } from '../support/spawned-database.js';

const BUYERS = 250;
const CAP = 80;
const ANSWERED_BEFORE_KILL = 60;

interface Attempt {
  readonly key: string;
  readonly token: string;
  status?: number;
  text?: string;
}

describe('flash-sale purchases survive kill -9 in the opening burst', () => {
  it('keeps every answered purchase exactly once and the cap after a restart', async () => {
    const dataDir = tempDir();
    const database = await spawnedDatabase();
    // Set up with the clock two hours back, so that the sale is open when the real hub starts.
    const real = Date.now();
    let clock = real - 2 * 3600_000;
    const setup = await startHub({
      dataDir,
      database: database.target,
      paymentWebhookSecret: WEBHOOK_SECRET,
      now: () => clock,
      flash: { addressBurst: 100_000 },
    });
    let saleId = '';
    let buyers: Array<{ id: string; token: string }> = [];
    try {
      const shop = await openShop(setup, CAP, { priceMinor: 19900, currency: 'EUR' });
      const sale = await createSale(
        setup,
        shop.partner,
        shop.skuId,
        { registrationOpensAt: clock, opensAt: real - 60_000, closesAt: real + 3600_000 },
        { cap: CAP, waitlistCap: 100 },
      );
      saleId = String(sale['id']);
      buyers = await manyUsers(setup, BUYERS);
      clock += 60_000;
      const registered = await Promise.all(buyers.map((b) => register(setup, b.token, saleId)));
      expect(registered.every((r) => r.status === 201)).toBe(true);
    } finally {
      await setup.close();
    }

    const env = {
      ...database.env,
      ECOHUB_DATA_DIR: dataDir,
      ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      ECOHUB_PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // Every buyer shares 127.0.0.1 here.
      ECOHUB_FLASH_RATE_PER_ADDRESS: '100000',
    };
    const first = await spawnServe([], env, 60_000);
    const api = { request: httpRequester(`http://127.0.0.1:${first.httpPort}`) };
    const attempts: Attempt[] = [];
    let answered = 0;
    let reachedKillPoint: () => void = () => undefined;
    const killPoint = new Promise<void>((resolve) => {
      reachedKillPoint = resolve;
    });
    let next = 0;
    const worker = async () => {
      while (next < buyers.length) {
        const buyer = buyers[next++];
        if (!buyer) return;
        const attempt: Attempt = { key: randomUUID(), token: buyer.token };
        attempts.push(attempt);
        try {
          const res = await buy(api, buyer.token, saleId, {}, attempt.key);
          attempt.status = res.status;
          attempt.text = res.text;
          if (res.status === 201 || res.status === 202) answered++;
          if (answered >= ANSWERED_BEFORE_KILL) reachedKillPoint();
        } catch {
          return; // killed mid-request: this attempt's outcome is unknown
        }
      }
      reachedKillPoint();
    };
    const workers = Array.from({ length: 16 }, worker);
    await killPoint;
    first.child.kill('SIGKILL');
    await first.exited();
    await Promise.all(workers);

    const second = await spawnServe([], env, 60_000);
    const after = { request: httpRequester(`http://127.0.0.1:${second.httpPort}`) };
    try {
      const acked = attempts.filter((a) => a.status === 201 || a.status === 202);
      expect(acked.length).toBeGreaterThanOrEqual(ANSWERED_BEFORE_KILL);
      for (const a of acked) {
        // The key replays the answer given before the kill, byte for byte: it was committed with it.
        const replay = await buy(after, a.token, saleId, {}, a.key);
        expect(replay.status, `${replay.text} ${replay.headers.get('retry-after')}`).toBe(a.status);
        expect(replay.text).toBe(a.text);
        if (a.status === 201) {
          const id = (JSON.parse(a.text ?? '{}') as { purchase: { id: string } }).purchase.id;
          const p = await after.request('GET', `/v1/flash-purchases/${id}`, { token: a.token });
          expect(p.status).toBe(200);
        }
      }
      const view = await after.request('GET', `/v1/flash-sales/${saleId}`, { token: ADMIN_TOKEN });
      expect(view.body['reserved'] as number).toBeLessThanOrEqual(CAP);

      const [check = {}] = await database.many<Record<string, number>>(
        sql`SELECT s.taken,
             (SELECT coalesce(sum(quantity), 0) FROM flash_purchases p
               WHERE p.sale_id = s.id AND p.status IN ('reserved', 'paid')) AS held,
             (SELECT count(*) FROM flash_purchases p WHERE p.sale_id = s.id) AS purchases,
             (SELECT count(DISTINCT user_id) FROM flash_purchases p WHERE p.sale_id = s.id) AS buyers,
             (SELECT count(*) FROM flash_purchases p WHERE p.sale_id = s.id AND NOT EXISTS
               (SELECT 1 FROM flash_idempotency k WHERE k.response LIKE '%' || p.id || '%')) AS without_answer,
             (SELECT coalesce(sum(units), 0) FROM flash_user_units u WHERE u.sale_id = s.id) AS user_units
           FROM flash_sales s WHERE s.id = ${saleId}`,
      );
      // The cap counter is exactly what purchases hold, never more than the cap; every purchase was
      // answered (its answer is stored with it) and no buyer has two.
      expect(check['taken']).toBe(check['held']);
      expect(check['taken']).toBeLessThanOrEqual(CAP);
      expect(check['purchases']).toBe(check['buyers']);
      expect(check['without_answer']).toBe(0);
      expect(check['user_units']).toBe(check['held']);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited();
      await database.drop();
    }
  }, 240_000);
});
