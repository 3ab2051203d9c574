import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { signWebhook } from '../../src/commerce/signature.js';
import type { Hub } from '../../src/hub.js';
import { newId } from '../../src/identity/secrets.js';
import { sql } from '../../src/store/sql.js';
import { WEBHOOK_SECRET } from './commerce.js';
import type { HttpHub, TestResponse } from './hub.js';
import type { OnboardedPartner } from './partners.js';

/**
 * `count` users with access tokens, written straight to the users table: a flash sale needs
 * thousands of buyers, and registering each through the API costs a scrypt hash (~200 ms).
 */
export async function manyUsers(hub: Hub, count: number): Promise<Array<{ id: string; token: string }>> {
  const ids = Array.from({ length: count }, () => newId());
  const now = Date.now();
  await hub.store.transaction(async (tx) => {
    for (const id of ids) {
      await tx.run(sql`INSERT INTO users (id, email, password_hash, created_at)
        VALUES (${id}, ${`${id}@flash.test`}, ${'not-a-password-hash'}, ${now})`);
    }
  });
  return ids.map((id) => ({ id, token: hub.identities.issueUserToken(id).token }));
}

export interface SaleTimes {
  readonly registrationOpensAt: number;
  readonly opensAt: number;
  readonly closesAt: number;
}

export async function createSale(
  hub: HttpHub,
  partner: OnboardedPartner,
  skuId: string,
  times: SaleTimes,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await hub.request('POST', '/v1/flash-sales', {
    token: partner.key,
    body: {
      skuId,
      cap: 3,
      mode: 'first_come',
      registrationOpensAt: new Date(times.registrationOpensAt).toISOString(),
      opensAt: new Date(times.opensAt).toISOString(),
      closesAt: new Date(times.closesAt).toISOString(),
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export function buy(
  hub: HttpHub,
  token: string,
  saleId: string,
  body: { quantity?: number; code?: string } = {},
  key: string = randomUUID(),
): Promise<TestResponse> {
  return hub.request('POST', `/v1/flash-sales/${saleId}/purchases`, {
    token,
    body: { quantity: 1, ...body },
    headers: { 'idempotency-key': key },
  });
}

export async function register(hub: HttpHub, token: string, saleId: string): Promise<TestResponse> {
  return hub.request('POST', `/v1/flash-sales/${saleId}/registrations`, { token });
}

/** Pays a flash purchase through the signed flash webhook (timestamp: the hub's clock, in ms). */
export function payPurchase(
  hub: HttpHub,
  purchase: { id: string; amountMinor: number; currency: string },
  timestampMs: number,
  eventId = `evt_${randomUUID()}`,
): Promise<TestResponse> {
  const raw = JSON.stringify({
    id: eventId,
    type: 'payment.succeeded',
    purchaseId: purchase.id,
    amountMinor: purchase.amountMinor,
    currency: purchase.currency,
  });
  const timestamp = String(Math.floor(timestampMs / 1000));
  return hub.request('POST', '/v1/flash-payments/webhook', {
    body: raw,
    headers: {
      'x-ecohub-timestamp': timestamp,
      'x-ecohub-signature': signWebhook(WEBHOOK_SECRET, timestamp, raw),
    },
  });
}
