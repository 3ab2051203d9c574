import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/commerce/signature.js';
import { sql } from '../../src/store/sql.js';
import { spawnServe } from '../support/cli.js';
import { openShop, WEBHOOK_SECRET } from '../support/commerce.js';
import { buy, createSale, manyUsers, register } from '../support/flash.js';
import { ADMIN_TOKEN, type HttpHub, httpRequester, startHub, tempDir } from '../support/hub.js';
import { spawnedDatabase } from '../support/spawned-database.js';

const BUYERS = 40;
const ACKED_BEFORE_KILL = 12;

function payDeposit(api: Pick<HttpHub, 'request'>, purchaseId: string, eventId: string) {
  const raw = JSON.stringify({
    id: eventId,
    type: 'payment.succeeded',
    purchaseId,
    amountMinor: 5000,
    currency: 'EUR',
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return api.request('POST', '/v1/flash-payments/webhook', {
    body: raw,
    headers: {
      'x-ecohub-timestamp': timestamp,
      'x-ecohub-signature': signWebhook(WEBHOOK_SECRET, timestamp, raw),
    },
  });
}

describe('pre-order deposits survive kill -9', () => {
  it('every acknowledged deposit has its pre-order and one deposit entry after a restart; a replay changes nothing', async () => {
    const dataDir = tempDir();
    // The run's engine: the spawned hubs reach it through ECOHUB_DATABASE_URL, the checks below too.
    const database = await spawnedDatabase();
    const real = Date.now();
    let clock = real - 2 * 3600_000;
    const setup = await startHub({
      dataDir,
      database: database.target,
      paymentWebhookSecret: WEBHOOK_SECRET,
      now: () => clock,
    });
    let purchases: Array<{ id: string; token: string }> = [];
    try {
      const shop = await openShop(setup, 0, { priceMinor: 20000, currency: 'EUR' });
      const sale = await createSale(
        setup,
        shop.partner,
        shop.skuId,
        { registrationOpensAt: clock, opensAt: real - 60_000, closesAt: real + 3600_000 },
        { cap: BUYERS, payment: 'deposit', depositMinor: 5000, missedBalance: 'refund' },
      );
      const saleId = String(sale['id']);
      const buyers = await manyUsers(setup, BUYERS);
      for (const b of buyers) expect((await register(setup, b.token, saleId)).status).toBe(201);
      clock = real;
      purchases = [];
      for (const b of buyers) {
        const res = await buy(setup, b.token, saleId);
        expect(res.status, res.text).toBe(201);
        purchases.push({ id: (res.body['purchase'] as { id: string }).id, token: b.token });
      }
    } finally {
      await setup.close();
    }

    const env = {
      ...database.env,
      ECOHUB_DATA_DIR: dataDir,
      ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      ECOHUB_PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const first = await spawnServe([], env, 60_000);
    const api = { request: httpRequester(`http://127.0.0.1:${first.httpPort}`) };
    const acked: Array<{ id: string; token: string; eventId: string }> = [];
    let reachedKillPoint: () => void = () => undefined;
    const killPoint = new Promise<void>((resolve) => {
      reachedKillPoint = resolve;
    });
    let next = 0;
    const worker = async () => {
      while (next < purchases.length) {
        const p = purchases[next++];
        if (!p) return;
        const eventId = `evt_${randomUUID()}`;
        try {
          const res = await payDeposit(api, p.id, eventId);
          if (res.status === 200) acked.push({ ...p, eventId });
          if (acked.length >= ACKED_BEFORE_KILL) reachedKillPoint();
        } catch {
          return; // killed mid-request: unknown outcome
        }
      }
      reachedKillPoint();
    };
    const workers = Array.from({ length: 6 }, worker);
    await killPoint;
    first.child.kill('SIGKILL');
    await first.exited();
    await Promise.all(workers);

    const second = await spawnServe([], env, 60_000);
    const after = { request: httpRequester(`http://127.0.0.1:${second.httpPort}`) };
    try {
      expect(acked.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
      for (const a of acked) {
        const view = await after.request('GET', `/v1/flash-preorders/${a.id}`, { token: a.token });
        expect(view.status, view.text).toBe(200);
        expect(view.body).toMatchObject({ status: 'waiting', depositMinor: 5000 });
        const replay = await payDeposit(after, a.id, a.eventId);
        expect(replay.status).toBe(409);
        expect(replay.body['code']).toBe('ALREADY_EXISTS');
      }
      const [check = {}] = await database.many<Record<string, number>>(
        sql`SELECT
             (SELECT count(*) FROM flash_purchases WHERE status = 'paid') AS paid,
             (SELECT count(*) FROM flash_preorders) AS preorders,
             (SELECT count(*) FROM flash_deposit_entries WHERE kind = 'deposit') AS deposits,
             (SELECT coalesce(sum(amount_minor), 0) FROM flash_deposit_entries) AS held,
             (SELECT count(*) FROM flash_purchases p WHERE p.status = 'paid'
                AND NOT EXISTS (SELECT 1 FROM flash_preorders r WHERE r.purchase_id = p.id)) AS without_preorder`,
      );
      // A paid deposit, its pre-order and its one deposit entry committed together, or none of them.
      expect(check['paid']).toBeGreaterThanOrEqual(acked.length);
      expect(check['preorders']).toBe(check['paid']);
      expect(check['deposits']).toBe(check['paid']);
      expect(check['held']).toBe(5000 * (check['paid'] ?? 0));
      expect(check['without_preorder']).toBe(0);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited();
      await database.drop();
    }
  }, 240_000);
});
