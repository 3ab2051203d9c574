import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import { spawnServe } from '../support/cli.js';
import { checkInvariants, listSku, placeOrder, sendWebhook, WEBHOOK_SECRET } from '../support/commerce.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, httpRequester, newUser, tempDir } from '../support/hub.js';
import { spawnedDatabase } from '../support/spawned-database.js';

const ACKED_BEFORE_KILL = 60;

interface Attempt {
  readonly key: string;
  readonly token: string;
  readonly lines: Array<{ skuId: string; quantity: number }>;
  status?: number;
  text?: string;
  orderId?: string;
  paid?: number;
}

describe('orders and payments survive kill -9', () => {
  it('keeps every answered order exactly once and never strands reserved stock', async () => {
    const dataDir = tempDir();
    const database = await spawnedDatabase();
    const env = {
      ...database.env,
      ECOHUB_DATA_DIR: dataDir,
      ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      ECOHUB_PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const first = await spawnServe([], env);
    const api = { request: httpRequester(`http://127.0.0.1:${first.httpPort}`) };
    const { partner, modelId } = await partnerWithModel(api);
    await provision(api, partner, modelId, 400);
    const skuId = await listSku(api, partner, modelId, { priceMinor: 2500, currency: 'EUR' });
    const users = await Promise.all([newUser(api), newUser(api), newUser(api)]);

    const attempts: Attempt[] = [];
    let acked = 0;
    let stop = false;
    let reachedKillPoint: () => void = () => undefined;
    const killPoint = new Promise<void>((resolve) => {
      reachedKillPoint = resolve;
    });
    // Eight clients, each placing an order and paying it, in a loop until the hub dies under them.
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const user = users[(w + i) % users.length];
        if (!user) return;
        const attempt: Attempt = {
          key: randomUUID(),
          token: user.token,
          lines: [{ skuId, quantity: 1 + (i % 2) }],
        };
        attempts.push(attempt);
        try {
          const res = await placeOrder(api, attempt.token, attempt.lines, attempt.key);
          attempt.status = res.status;
          attempt.text = res.text;
          if (res.status !== 201) continue;
          attempt.orderId = String(res.body['id']);
          acked++;
          if (acked >= ACKED_BEFORE_KILL) reachedKillPoint();
          const paid = await sendWebhook(api, {
            orderId: attempt.orderId,
            amountMinor: Number(res.body['totalMinor']),
            currency: 'EUR',
          });
          attempt.paid = paid.status;
        } catch {
          return; // the hub was killed mid-request: the outcome of this attempt is unknown
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await killPoint;
    first.child.kill('SIGKILL');
    await first.exited();
    stop = true;
    await Promise.all(workers);

    const second = await spawnServe([], env);
    const after = { request: httpRequester(`http://127.0.0.1:${second.httpPort}`) };
    try {
      const answered = attempts.filter((a) => a.status === 201);
      expect(answered.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
      for (const a of answered) {
        const order = await after.request('GET', `/v1/orders/${a.orderId}`, { token: a.token });
        expect(order.status, `order ${a.orderId} was answered 201 before the kill`).toBe(200);
        if (a.paid === 200) expect(order.body['status'], `order ${a.orderId} was paid`).toBe('paid');
        // The key replays the original answer, byte for byte, and creates nothing.
        const replay = await placeOrder(after, a.token, a.lines, a.key);
        expect(replay.status).toBe(201);
        expect(replay.text).toBe(a.text);
      }
      const all: string[] = [];
      let cursor = '';
      for (;;) {
        const page = await after.request('GET', `/v1/orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
          token: ADMIN_TOKEN,
        });
        all.push(...(page.body['items'] as Array<{ id: string }>).map((o) => o.id));
        if (page.body['next'] === null) break;
        cursor = String(page.body['next']);
      }
      expect(new Set(all).size).toBe(all.length);
      // Orders whose answer was lost in the kill may exist or not; none exists twice, none without a key.
      expect(all.length).toBeLessThanOrEqual(attempts.length);
      for (const a of answered) expect(all.filter((id) => id === a.orderId)).toHaveLength(1);
      await checkInvariants(after);

      const [orphans] = await database.many(
        sql`SELECT
             (SELECT count(*) FROM commerce_units u WHERE NOT EXISTS
                (SELECT 1 FROM commerce_orders o WHERE o.id = u.order_id)) AS units_without_order,
             (SELECT count(*) FROM commerce_orders o WHERE NOT EXISTS
                (SELECT 1 FROM commerce_idempotency_keys k WHERE k.order_id = o.id)) AS orders_without_key,
             (SELECT count(*) FROM commerce_units u JOIN commerce_free_devices f ON f.device_id = u.device_id
                WHERE u.released_at IS NULL) AS held_and_free`,
      );
      expect(orphans).toEqual({ units_without_order: 0, orders_without_key: 0, held_and_free: 0 });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited();
      await database.drop();
    }
  }, 60_000);
});
