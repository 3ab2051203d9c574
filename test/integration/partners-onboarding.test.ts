import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { applicationBody } from '../support/partners.js';

describe('partner onboarding', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  async function apply(overrides: Record<string, unknown> = {}) {
    const res = await hub.request('POST', '/v1/partner-applications', { body: applicationBody(overrides) });
    expect(res.status, res.text).toBe(201);
    return String(res.body['id']);
  }

  it('applies, is approved, and the issued key identifies the partner', async () => {
    const body = applicationBody({ categories: ['air-purifier'] });
    const applied = await hub.request('POST', '/v1/partner-applications', { body });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({
      status: 'pending',
      slug: body['slug'],
      partnerId: null,
      reason: null,
    });
    const id = String(applied.body['id']);

    const queue = await hub.request('GET', '/v1/partner-applications?status=pending', { token: ADMIN_TOKEN });
    expect(queue.status).toBe(200);
    expect((queue.body['items'] as Array<{ id: string }>).map((a) => a.id)).toContain(id);

    const approved = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
      token: ADMIN_TOKEN,
      body: { rateBp: 750, note: 'launch terms' },
    });
    expect(approved.status, approved.text).toBe(201);
    const partner = approved.body['partner'] as Record<string, unknown>;
    const apiKey = approved.body['apiKey'] as Record<string, unknown>;
    expect(partner).toMatchObject({ slug: body['slug'], company: body['company'], applicationId: id });
    expect(approved.body['contract']).toMatchObject({ rateBp: 750, note: 'launch terms' });
    expect(String(apiKey['key'])).toMatch(/^ek_[0-9a-f]{16}_/);

    const me = await hub.request('GET', '/v1/partners/me', { token: String(apiKey['key']) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: partner['id'], slug: body['slug'], categories: ['air-purifier'] });

    const after = await hub.request('GET', `/v1/partner-applications/${id}`, { token: ADMIN_TOKEN });
    expect(after.body).toMatchObject({ status: 'approved', partnerId: partner['id'] });
    expect(after.body['decidedAt']).toEqual(expect.any(String));
    // The key was shown once: nothing readable afterwards carries it.
    expect(after.text).not.toContain(String(apiKey['key']));
  });

  it('approves with the default 5 % rate and an empty body', async () => {
    const id = await apply();
    const approved = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
      token: ADMIN_TOKEN,
    });
    expect(approved.status, approved.text).toBe(201);
    expect(approved.body['contract']).toMatchObject({ rateBp: 500 });
  });

  it('rejects with a reason: no partner, no key, and it cannot be approved afterwards', async () => {
    const id = await apply();
    const rejected = await hub.request('POST', `/v1/partner-applications/${id}/reject`, {
      token: ADMIN_TOKEN,
      body: { reason: 'no certification lab on file' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      reason: 'no certification lab on file',
      partnerId: null,
    });

    const approve = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
      token: ADMIN_TOKEN,
      body: {},
    });
    expect(approve.status).toBe(409);
    expect(approve.body['code']).toBe('INVALID_STATE');
    expect(approve.body['detail']).toBe('application is rejected, not pending');

    const again = await hub.request('POST', `/v1/partner-applications/${id}/reject`, {
      token: ADMIN_TOKEN,
      body: { reason: 'twice' },
    });
    expect(again.status).toBe(409);

    const partners = await hub.request('GET', '/v1/partners', { token: ADMIN_TOKEN });
    expect(JSON.stringify(partners.body)).not.toContain(id);
    const rejectedList = await hub.request('GET', '/v1/partner-applications?status=rejected', {
      token: ADMIN_TOKEN,
    });
    expect((rejectedList.body['items'] as Array<{ id: string }>).map((a) => a.id)).toEqual([id]);
  });

  it('names the state when approving an approved application', async () => {
    const id = await apply();
    await hub.request('POST', `/v1/partner-applications/${id}/approve`, { token: ADMIN_TOKEN, body: {} });
    const twice = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
      token: ADMIN_TOKEN,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.body['detail']).toBe('application is approved, not pending');
  });

  it('refuses a slug held by a pending application or a partner, and frees a rejected one', async () => {
    const pending = applicationBody();
    await apply(pending);
    const dupPending = await hub.request('POST', '/v1/partner-applications', {
      body: applicationBody({ slug: pending['slug'] }),
    });
    expect(dupPending.status).toBe(409);
    expect(dupPending.body['code']).toBe('ALREADY_EXISTS');
    expect(dupPending.body.errors?.[0]?.path).toBe('/slug');

    const approvedBody = applicationBody();
    const approvedId = await apply(approvedBody);
    await hub.request('POST', `/v1/partner-applications/${approvedId}/approve`, {
      token: ADMIN_TOKEN,
      body: {},
    });
    const dupPartner = await hub.request('POST', '/v1/partner-applications', {
      body: applicationBody({ slug: approvedBody['slug'] }),
    });
    expect(dupPartner.status).toBe(409);

    const rejectedBody = applicationBody();
    const rejectedId = await apply(rejectedBody);
    await hub.request('POST', `/v1/partner-applications/${rejectedId}/reject`, {
      token: ADMIN_TOKEN,
      body: { reason: 'incomplete' },
    });
    await apply({ slug: rejectedBody['slug'] });
  });

  it('names every bad field of an application in a 400', async () => {
    const res = await hub.request('POST', '/v1/partner-applications', {
      body: applicationBody({
        contactEmail: 'not-an-email',
        website: 'http://plain.example.com',
        slug: 'Bad_Slug',
        extra: true,
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body['code']).toBe('VALIDATION_FAILED');
    const paths = res.body.errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/contactEmail', '/website', '/slug', '/extra']));

    const missing = await hub.request('POST', '/v1/partner-applications', { body: { company: 'X' } });
    expect(missing.body.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/contactEmail', '/website', '/slug', '/categories']),
    );
  });

  it('names each unknown category by its position', async () => {
    const res = await hub.request('POST', '/v1/partner-applications', {
      body: applicationBody({ categories: ['light', 'teleporter', 'plug', 'toaster'] }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toEqual(['/categories/1', '/categories/3']);
    expect(res.body.errors?.[0]?.message).toContain('teleporter');
    const empty = await hub.request('POST', '/v1/partner-applications', {
      body: applicationBody({ categories: [] }),
    });
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0]?.path).toBe('/categories');
  });

  it('refuses a rate that is a string, a fraction, out of range, or an unknown approval field', async () => {
    const id = await apply();
    for (const body of [{ rateBp: '500' }, { rateBp: 1.5 }, { rateBp: 10_001 }, { rateBp: -1 }]) {
      const res = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
        token: ADMIN_TOKEN,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors?.map((e) => e.path)).toEqual(['/rateBp']);
    }
    const unknown = await hub.request('POST', `/v1/partner-applications/${id}/approve`, {
      token: ADMIN_TOKEN,
      body: { rate: 500 },
    });
    expect(unknown.body.errors?.map((e) => e.path)).toEqual(['/rate']);
    const noReason = await hub.request('POST', `/v1/partner-applications/${id}/reject`, {
      token: ADMIN_TOKEN,
      body: { reason: '' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.[0]?.path).toBe('/reason');
    // Nothing above changed the application.
    const still = await hub.request('GET', `/v1/partner-applications/${id}`, { token: ADMIN_TOKEN });
    expect(still.body['status']).toBe('pending');
  });

  it('answers unknown applications with 404 and a bad status filter with 400', async () => {
    const missing = await hub.request('GET', '/v1/partner-applications/0000000000000000', {
      token: ADMIN_TOKEN,
    });
    expect(missing.status).toBe(404);
    const approve = await hub.request('POST', '/v1/partner-applications/0000000000000000/approve', {
      token: ADMIN_TOKEN,
      body: {},
    });
    expect(approve.status).toBe(404);
    const bad = await hub.request('GET', '/v1/partner-applications?status=archived', { token: ADMIN_TOKEN });
    expect(bad.status).toBe(400);
  });
});
