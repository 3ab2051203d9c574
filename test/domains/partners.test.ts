/**
 * The partners domain on the run's engine (SQLite under `npm test`, PostgreSQL under
 * `npm run test:postgres`): onboarding, API keys and contracts, and the decisions concurrent
 * requests must not both win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { createLogger } from '../../src/log.js';
import { MAX_ACTIVE_API_KEYS, PartnerService } from '../../src/partners/service.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const OPERATOR: Identity = { kind: 'operator', tokenId: 'op' };
let n = 0;
const application = () => {
  const slug = `p-${++n}-${Date.now().toString(36)}`;
  return {
    company: `Company ${slug}`,
    contactEmail: `ops@${slug}.example.com`,
    website: `https://${slug}.example.com`,
    slug,
    categories: ['light'],
  };
};

describe('partners on the store engine', () => {
  let t: TestEngine;
  let partners: PartnerService;
  beforeAll(async () => {
    t = await openMigratedEngine();
    partners = new PartnerService({ store: t.engine, log: createLogger('silent'), now: Date.now });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('onboards a partner: application, approval with contract and key, the key resolves', async () => {
    const applied = await partners.apply(application());
    const approval = await partners.approve(OPERATOR, applied.id, { rateBp: 650 });
    expect(await partners.application(OPERATOR, applied.id)).toMatchObject({
      status: 'approved',
      partnerId: approval.partner.id,
    });
    expect(await partners.resolveApiKey(approval.apiKey.key)).toEqual({
      kind: 'partner',
      partnerId: approval.partner.id,
      keyId: approval.apiKey.id,
    });
    expect(await partners.rateAt(approval.partner.id, Date.now())).toBe(650);
    const me: Identity = { kind: 'partner', partnerId: approval.partner.id, keyId: approval.apiKey.id };
    expect((await partners.partner(me, approval.partner.id)).slug).toBe(applied.slug);
    const other: Identity = { kind: 'partner', partnerId: 'someone-else', keyId: 'k' };
    await expect(partners.partner(other, approval.partner.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives a slug to one of 10 concurrent applications', async () => {
    const body = application();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => partners.apply(body)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ALREADY_EXISTS' });
    }
  });

  it('approves an application once when two operators decide at the same time', async () => {
    const applied = await partners.apply(application());
    const results = await Promise.allSettled([
      partners.approve(OPERATOR, applied.id),
      partners.approve(OPERATOR, applied.id),
      partners.reject(OPERATOR, applied.id, 'duplicate'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'INVALID_STATE' });
    }
  });

  it(`never holds more than ${MAX_ACTIVE_API_KEYS} active keys, even from 20 concurrent creations`, async () => {
    const { partner } = await partners.approve(OPERATOR, (await partners.apply(application())).id);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => partners.createApiKey(OPERATOR, partner.id, `k${i}`)),
    );
    // The first key came with the approval.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_ACTIVE_API_KEYS - 1);
    const page = await partners.apiKeys(OPERATOR, partner.id, { limit: 100 });
    expect(page.items.filter((k) => k.revokedAt === null)).toHaveLength(MAX_ACTIVE_API_KEYS);
  });

  it('rotates a key once when two rotations race; the old key stops resolving', async () => {
    const { partner, apiKey } = await partners.approve(OPERATOR, (await partners.apply(application())).id);
    const results = await Promise.allSettled([
      partners.rotateApiKey(OPERATOR, partner.id, apiKey.id),
      partners.rotateApiKey(OPERATOR, partner.id, apiKey.id),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    expect(await partners.resolveApiKey(apiKey.key)).toBeUndefined();
    const page = await partners.apiKeys(OPERATOR, partner.id, { limit: 100 });
    expect(page.items.filter((k) => k.revokedAt === null)).toHaveLength(1);
  });

  it('pages partners by (created_at, id) and answers the contract in force at each time', async () => {
    const { partner } = await partners.approve(OPERATOR, (await partners.apply(application())).id, {
      rateBp: 500,
    });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await partners.setContract(OPERATOR, partner.id, { rateBp: 800, effectiveFrom: tomorrow });
    expect(await partners.rateAt(partner.id, Date.now())).toBe(500);
    expect(await partners.rateAt(partner.id, Date.parse(`${tomorrow}T00:00:00Z`))).toBe(800);
    const history = await partners.contracts(OPERATOR, partner.id, { limit: 10 });
    expect(history.current?.rateBp).toBe(500);
    expect(history.items.map((c) => c.rateBp)).toEqual([800, 500]);
    const seen: string[] = [];
    let after: (string | number)[] | undefined;
    do {
      const page = await partners.partners(OPERATOR, { after, limit: 2 });
      seen.push(...page.items.map((p) => p.id));
      after = page.next ? [...page.next] : undefined;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(partner.id);
  });
});
