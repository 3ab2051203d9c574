import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { expect } from 'vitest';
import { signWebhook } from '../../src/commerce/signature.js';
import { sql } from '../../src/store/sql.js';
import { partnerWithModel, provision } from './devices.js';
import { ADMIN_TOKEN, type HttpHub, type TestHub, type TestResponse } from './hub.js';
import type { OnboardedPartner } from './partners.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

export interface Shop {
  readonly partner: OnboardedPartner;
  readonly modelId: string;
  readonly skuId: string;
  readonly deviceIds: string[];
}

/** A partner with a published model, `stock` provisioned devices and an active SKU at `priceMinor`. */
export async function openShop(
  hub: HttpHub,
  stock: number,
  sku: { priceMinor?: number; currency?: string } = {},
): Promise<Shop> {
  const { partner, modelId } = await partnerWithModel(hub);
  const devices = stock > 0 ? await provision(hub, partner, modelId, stock) : [];
  const skuId = await listSku(hub, partner, modelId, sku);
  return { partner, modelId, skuId, deviceIds: devices.map((d) => d.id) };
}

export async function listSku(
  hub: HttpHub,
  partner: OnboardedPartner,
  modelId: string,
  sku: { priceMinor?: number; currency?: string } = {},
): Promise<string> {
  const res = await hub.request('POST', '/v1/skus', {
    token: partner.key,
    body: { modelId, priceMinor: sku.priceMinor ?? 1999, currency: sku.currency ?? 'EUR' },
  });
  expect(res.status, res.text).toBe(201);
  return String(res.body['id']);
}

export function placeOrder(
  hub: HttpHub,
  token: string,
  lines: Array<{ skuId: string; quantity: number }>,
  key: string = randomUUID(),
): Promise<TestResponse> {
  return hub.request('POST', '/v1/orders', { token, body: { lines }, headers: { 'idempotency-key': key } });
}

export interface WebhookEvent {
  id?: string;
  type?: 'payment.succeeded' | 'refund.succeeded';
  orderId: string;
  amountMinor: number;
  currency: string;
}

/** Sends a provider event signed with `secret` at `timestampMs` (default: now), over the raw body. */
export function sendWebhook(
  hub: HttpHub,
  event: WebhookEvent | string,
  opts: { secret?: string; timestampMs?: number; signature?: string } = {},
): Promise<TestResponse> {
  const raw =
    typeof event === 'string'
      ? event
      : JSON.stringify({
          id: event.id ?? `evt_${randomUUID()}`,
          type: event.type ?? 'payment.succeeded',
          ...event,
        });
  const timestamp = String(Math.floor((opts.timestampMs ?? Date.now()) / 1000));
  return hub.request('POST', '/v1/payments/webhook', {
    body: raw,
    headers: {
      'x-ecohub-timestamp': timestamp,
      'x-ecohub-signature': opts.signature ?? signWebhook(opts.secret ?? WEBHOOK_SECRET, timestamp, raw),
    },
  });
}

/** Pays an order (as placed: its total and currency) and expects it to be accepted. */
export async function payOrder(hub: HttpHub, order: Record<string, unknown>, timestampMs?: number) {
  const res = await sendWebhook(
    hub,
    {
      orderId: String(order['id']),
      amountMinor: Number(order['totalMinor']),
      currency: String(order['currency']),
    },
    timestampMs === undefined ? {} : { timestampMs },
  );
  expect(res.status, res.text).toBe(200);
  return res;
}

/** Every number anywhere in a JSON value is a safe integer: no float ever reaches a client. */
export function expectOnlySafeIntegers(value: unknown, path = ''): void {
  if (typeof value === 'number') {
    expect(Number.isSafeInteger(value), `${path} = ${value}`).toBe(true);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expectOnlySafeIntegers(v, `${path}/${i}`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) expectOnlySafeIntegers(v, `${path}/${k}`);
  }
}

async function get(hub: HttpHub, path: string): Promise<Record<string, unknown>> {
  const res = await hub.request('GET', path, { token: ADMIN_TOKEN });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  expectOnlySafeIntegers(res.body, path);
  return res.body;
}

/** Every item of a list route, following `next` page by page (as the operator). */
async function allPages<T>(hub: HttpHub, path: string): Promise<T[]> {
  const out: T[] = [];
  const join = path.includes('?') ? '&' : '?';
  let cursor = '';
  for (;;) {
    const page = await get(hub, `${path}${join}limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...(page['items'] as T[]));
    if (page['next'] === null) return out;
    cursor = String(page['next']);
  }
}

type Entry = {
  statementMonth: string;
  currency: string;
  payableMinor: number;
  kind: string;
  grossMinor: number;
};
type Totals = { currency: string; netPayableMinor: number; grossSalesMinor: number; refundsMinor: number };

function allEntries(hub: HttpHub, partnerId: string): Promise<Entry[]> {
  return allPages<Entry>(hub, `/v1/partners/${partnerId}/ledger`);
}

/**
 * The commerce invariants, checked through the REST API as the operator after every scenario:
 * - per partner and currency, the ledger's entries sum to what its statements show, month by month;
 * - per SKU, provisioned = available + reserved + sold + claimed (available is counted independently);
 * - reserved and sold units match the open and paid order lines;
 * - every amount returned is a safe integer;
 * - with the hub's database at hand (in-process hubs): stock holds only devices that were never
 *   claimed, no device an unpaid order holds has an owner, and every owned device counts as claimed.
 */
export async function checkInvariants(hub: HttpHub | TestHub): Promise<void> {
  if ('store' in hub) await checkOwnershipAgainstStock(hub as TestHub);
  const partners = await allPages<{ id: string }>(hub, '/v1/partners');
  for (const { id } of partners) {
    const entries = await allEntries(hub, id);
    const months = [...new Set(entries.map((e) => e.statementMonth))];
    for (const month of months) {
      const statement = await get(hub, `/v1/partners/${id}/statements/${month}`);
      const totals = statement['totals'] as Totals[];
      const inMonth = entries.filter((e) => e.statementMonth === month);
      for (const currency of new Set(inMonth.map((e) => e.currency))) {
        const mine = inMonth.filter((e) => e.currency === currency);
        const row = totals.find((t) => t.currency === currency);
        const sum = (pick: (e: Entry) => number) => mine.reduce((n, e) => n + pick(e), 0);
        expect(row?.netPayableMinor, `${id} ${month} ${currency} net payable`).toBe(
          sum((e) => e.payableMinor),
        );
        expect(row?.grossSalesMinor).toBe(sum((e) => (e.kind === 'sale' ? e.grossMinor : 0)));
        expect(row?.refundsMinor).toBe(sum((e) => (e.kind === 'refund' ? -e.grossMinor : 0)));
      }
    }
  }

  const orders = await allPages<{
    status: string;
    lines: Array<{ modelId: string; quantity: number; refundedAt: string | null }>;
  }>(hub, '/v1/orders');
  const held = new Map<string, { reserved: number; sold: number }>();
  for (const order of orders) {
    for (const line of order.lines) {
      const h = held.get(line.modelId) ?? { reserved: 0, sold: 0 };
      if (order.status === 'reserved') h.reserved += line.quantity;
      if ((order.status === 'paid' || order.status === 'refunded') && line.refundedAt === null)
        h.sold += line.quantity;
      held.set(line.modelId, h);
    }
  }
  const skus = await allPages<{
    modelId: string;
    stock: { provisioned: number; available: number; reserved: number; sold: number; claimed: number };
  }>(hub, '/v1/skus');
  for (const sku of skus) {
    const { provisioned, available, reserved, sold, claimed } = sku.stock;
    expect(available + reserved + sold + claimed, `stock of ${sku.modelId}`).toBe(provisioned);
    expect(available).toBeGreaterThanOrEqual(0);
    expect(claimed).toBeGreaterThanOrEqual(0);
    const h = held.get(sku.modelId) ?? { reserved: 0, sold: 0 };
    expect({ reserved, sold }, `held units of ${sku.modelId}`).toEqual(h);
  }
}

/** Ownership against stock, read straight from the database (the API lists neither owners nor free devices). */
async function checkOwnershipAgainstStock(hub: TestHub): Promise<void> {
  const count = async (query: string) => (await hub.store.one<{ n: number }>(sql.raw(query)))?.n;
  expect(
    await count(`SELECT count(*) AS n FROM commerce_free_devices f
             JOIN device_bindings b ON b.device_id = f.device_id AND b.role = 'owner'`),
    'owned devices in stock',
  ).toBe(0);
  expect(
    await count(`SELECT count(*) AS n FROM commerce_free_devices f
             JOIN commerce_claimed_devices c ON c.device_id = f.device_id`),
    'once-claimed devices in stock',
  ).toBe(0);
  expect(
    await count(`SELECT count(*) AS n FROM commerce_units u
             JOIN device_bindings b ON b.device_id = u.device_id AND b.role = 'owner'
             WHERE u.released_at IS NULL AND u.state = 'reserved'`),
    'owned devices reserved for an order',
  ).toBe(0);
  expect(
    await count(`SELECT count(*) AS n FROM device_bindings b WHERE b.role = 'owner'
             AND NOT EXISTS (SELECT 1 FROM commerce_claimed_devices c WHERE c.device_id = b.device_id)`),
    'owned devices not counted as claimed',
  ).toBe(0);
}

/**
 * Like httpRequester, over a keep-alive agent: a burst of a thousand requests is queued on `sockets`
 * connections instead of opening a thousand (which costs more than the requests on a busy machine).
 */
export function keepAliveRequester(
  port: number,
  sockets: number,
): { request: TestHub['request']; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const request: TestHub['request'] = (method, path, opts = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
      const body =
        opts.body === undefined
          ? undefined
          : typeof opts.body === 'string'
            ? opts.body
            : JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === 'string') responseHeaders.set(k, v);
          let parsed: TestResponse['body'] = {};
          try {
            parsed = text ? (JSON.parse(text) as TestResponse['body']) : {};
          } catch {
            parsed = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}
