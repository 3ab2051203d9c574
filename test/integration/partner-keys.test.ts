import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ACTIVE_API_KEYS } from '../../src/partners/service.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { onboardPartner } from '../support/partners.js';

type KeyRow = { id: string; label: string; lastUsedAt: string | null; revokedAt: string | null };

describe('partner API keys', () => {
  let hub: TestHub;
  // An injected clock: lastUsedAt throttling is about time, and tests must not sleep.
  let now = Date.parse('2031-05-01T08:00:00Z');
  beforeAll(async () => {
    hub = await startHub({ now: () => now });
  });
  afterAll(async () => {
    await hub.stop();
  });

  async function keysOf(partnerId: string, token: string): Promise<KeyRow[]> {
    const res = await hub.request('GET', `/v1/partners/${partnerId}/api-keys`, { token });
    expect(res.status, res.text).toBe(200);
    return res.body['items'] as KeyRow[];
  }

  it('lists keys without any secret or hash', async () => {
    const p = await onboardPartner(hub);
    const res = await hub.request('GET', `/v1/partners/${p.partnerId}/api-keys`, { token: p.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: p.keyId,
          label: 'initial',
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          revokedAt: null,
        },
      ],
      next: null,
    });
    // The secret is base64url and may itself contain '_': it is everything after `ek_<id>_`.
    const secret = p.key.slice(`ek_${p.keyId}_`.length);
    expect(p.key.startsWith(`ek_${p.keyId}_`)).toBe(true);
    expect(secret.length).toBeGreaterThan(20);
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toMatch(/"key"|hash/i);
  });

  it('creates a key shown once, usable at once, by the partner or the operator', async () => {
    const p = await onboardPartner(hub);
    const created = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: p.key,
      body: { label: 'ci pipeline' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      label: 'ci pipeline',
      key: expect.stringMatching(/^ek_[0-9a-f]{16}_/),
    });
    const me = await hub.request('GET', '/v1/partners/me', { token: String(created.body['key']) });
    expect(me.body['id']).toBe(p.partnerId);

    const byOperator = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: ADMIN_TOKEN,
      body: { label: 'support' },
    });
    expect(byOperator.status).toBe(201);
    const labels = (await keysOf(p.partnerId, ADMIN_TOKEN)).map((k) => k.label);
    expect(labels.sort()).toEqual(['ci pipeline', 'initial', 'support']);

    const bad = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: p.key,
      body: { label: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toBe('/label');
  });

  it('rotates: the old key is refused on the next request, the new one works', async () => {
    const p = await onboardPartner(hub);
    const rotated = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys/${p.keyId}/rotate`, {
      token: p.key,
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ label: 'initial' });
    expect(rotated.body['id']).not.toBe(p.keyId);

    const old = await hub.request('GET', '/v1/partners/me', { token: p.key });
    expect(old.status).toBe(401);
    expect(old.body['code']).toBe('UNAUTHENTICATED');
    const fresh = String(rotated.body['key']);
    expect((await hub.request('GET', '/v1/partners/me', { token: fresh })).status).toBe(200);

    const list = await keysOf(p.partnerId, fresh);
    expect(list.find((k) => k.id === p.keyId)?.revokedAt).toEqual(expect.any(String));
    expect(list.find((k) => k.id === rotated.body['id'])?.revokedAt).toBeNull();

    const again = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys/${p.keyId}/rotate`, {
      token: fresh,
    });
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('INVALID_STATE');
  });

  it('revokes: refused on the next request; revoking again is still 204', async () => {
    const p = await onboardPartner(hub);
    const spare = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: p.key,
      body: { label: 'spare' },
    });
    const spareKey = String(spare.body['key']);
    expect((await hub.request('GET', '/v1/partners/me', { token: spareKey })).status).toBe(200);

    const revoked = await hub.request('DELETE', `/v1/partners/${p.partnerId}/api-keys/${spare.body['id']}`, {
      token: p.key,
    });
    expect(revoked.status).toBe(204);
    expect((await hub.request('GET', '/v1/partners/me', { token: spareKey })).status).toBe(401);
    const twice = await hub.request('DELETE', `/v1/partners/${p.partnerId}/api-keys/${spare.body['id']}`, {
      token: ADMIN_TOKEN,
    });
    expect(twice.status).toBe(204);
    const unknown = await hub.request('DELETE', `/v1/partners/${p.partnerId}/api-keys/0000000000000000`, {
      token: p.key,
    });
    expect(unknown.status).toBe(404);
    // A partner may revoke the key it is calling with; it is locked out from then on.
    const self = await hub.request('DELETE', `/v1/partners/${p.partnerId}/api-keys/${p.keyId}`, {
      token: p.key,
    });
    expect(self.status).toBe(204);
    expect((await hub.request('GET', '/v1/partners/me', { token: p.key })).status).toBe(401);
  });

  it('refuses a key with a wrong secret, and a malformed one', async () => {
    const p = await onboardPartner(hub);
    const wrong = `ek_${p.keyId}_${'x'.repeat(43)}`;
    expect((await hub.request('GET', '/v1/partners/me', { token: wrong })).status).toBe(401);
    expect(
      (await hub.request('GET', '/v1/partners/me', { token: 'ek_nothex_secretsecretsecret' })).status,
    ).toBe(401);
  });

  it('records lastUsedAt on use, at most once a minute per key', async () => {
    const p = await onboardPartner(hub);
    const created = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: ADMIN_TOKEN,
      body: { label: 'watched' },
    });
    const keyId = String(created.body['id']);
    const lastUsed = async () =>
      (await keysOf(p.partnerId, ADMIN_TOKEN)).find((k) => k.id === keyId)?.lastUsedAt;
    expect(await lastUsed()).toBeNull();

    const first = now;
    await hub.request('GET', '/v1/partners/me', { token: String(created.body['key']) });
    expect(await lastUsed()).toBe(new Date(first).toISOString());

    now += 30_000;
    await hub.request('GET', '/v1/partners/me', { token: String(created.body['key']) });
    expect(await lastUsed()).toBe(new Date(first).toISOString());

    now += 31_000;
    await hub.request('GET', '/v1/partners/me', { token: String(created.body['key']) });
    expect(await lastUsed()).toBe(new Date(now).toISOString());
  });

  it(`caps active keys at ${MAX_ACTIVE_API_KEYS}; rotating at the cap still works; revoking frees a slot`, async () => {
    const p = await onboardPartner(hub);
    const ids: string[] = [p.keyId];
    for (let i = 1; i < MAX_ACTIVE_API_KEYS; i++) {
      const res = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
        token: ADMIN_TOKEN,
        body: { label: `k${i}` },
      });
      expect(res.status).toBe(201);
      ids.push(String(res.body['id']));
    }
    const over = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: p.key,
      body: { label: 'one too many' },
    });
    expect(over.status).toBe(409);
    expect(over.body['code']).toBe('INVALID_STATE');
    expect(String(over.body['detail'])).toContain(`at most ${MAX_ACTIVE_API_KEYS} active API keys`);

    const rotated = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys/${ids[1]}/rotate`, {
      token: ADMIN_TOKEN,
    });
    expect(rotated.status).toBe(201);

    await hub.request('DELETE', `/v1/partners/${p.partnerId}/api-keys/${ids[2]}`, { token: ADMIN_TOKEN });
    const freed = await hub.request('POST', `/v1/partners/${p.partnerId}/api-keys`, {
      token: p.key,
      body: { label: 'now fits' },
    });
    expect(freed.status).toBe(201);
  });
});
