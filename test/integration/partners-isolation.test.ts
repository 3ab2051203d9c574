import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { applicationBody, type OnboardedPartner, onboardPartner } from '../support/partners.js';

/**
 * Who may call which partner route. Partner A owns every resource in the paths; B is another
 * partner (A's resources must look absent to it: 404), a user is the wrong kind (403), and no token is 401.
 */
type Who = 'operator' | 'owner' | 'other' | 'user' | 'anonymous';
const WHO: readonly Who[] = ['operator', 'owner', 'other', 'user', 'anonymous'];

interface Case {
  /** The concrete path; may first create what one call consumes (a fresh application, a spare key). */
  readonly path: (ctx: Ctx) => Promise<string> | string;
  readonly body?: () => unknown;
  readonly expect: readonly [operator: number, owner: number, other: number, user: number, anonymous: number];
}

interface Ctx {
  readonly a: OnboardedPartner;
  readonly b: OnboardedPartner;
  freshApplication(): Promise<string>;
  spareKeyOfA(): Promise<string>;
}

const OPERATOR: Identity = { kind: 'operator', tokenId: 'test' };

/** Keyed by the route as OpenAPI names it, so the test can check that none is missing. */
const cases: Record<string, Case> = {
  'POST /v1/partner-applications': {
    path: () => '/v1/partner-applications',
    body: () => applicationBody(),
    expect: [201, 201, 201, 201, 201],
  },
  'GET /v1/partner-applications': {
    path: () => '/v1/partner-applications',
    expect: [200, 403, 403, 403, 401],
  },
  'GET /v1/partner-applications/{id}': {
    path: (c) => `/v1/partner-applications/${c.a.applicationId}`,
    expect: [200, 403, 403, 403, 401],
  },
  'POST /v1/partner-applications/{id}/approve': {
    path: async (c) => `/v1/partner-applications/${await c.freshApplication()}/approve`,
    body: () => ({}),
    expect: [201, 403, 403, 403, 401],
  },
  'POST /v1/partner-applications/{id}/reject': {
    path: async (c) => `/v1/partner-applications/${await c.freshApplication()}/reject`,
    body: () => ({ reason: 'not now' }),
    expect: [200, 403, 403, 403, 401],
  },
  'GET /v1/partners': { path: () => '/v1/partners', expect: [200, 403, 403, 403, 401] },
  'GET /v1/partners/me': { path: () => '/v1/partners/me', expect: [403, 200, 200, 403, 401] },
  'GET /v1/partners/{partnerId}': {
    path: (c) => `/v1/partners/${c.a.partnerId}`,
    expect: [200, 200, 404, 403, 401],
  },
  'GET /v1/partners/{partnerId}/api-keys': {
    path: (c) => `/v1/partners/${c.a.partnerId}/api-keys`,
    expect: [200, 200, 404, 403, 401],
  },
  'POST /v1/partners/{partnerId}/api-keys': {
    path: (c) => `/v1/partners/${c.a.partnerId}/api-keys`,
    body: () => ({ label: 'matrix' }),
    expect: [201, 201, 404, 403, 401],
  },
  'POST /v1/partners/{partnerId}/api-keys/{keyId}/rotate': {
    path: async (c) => `/v1/partners/${c.a.partnerId}/api-keys/${await c.spareKeyOfA()}/rotate`,
    expect: [201, 201, 404, 403, 401],
  },
  'DELETE /v1/partners/{partnerId}/api-keys/{keyId}': {
    path: async (c) => `/v1/partners/${c.a.partnerId}/api-keys/${await c.spareKeyOfA()}`,
    expect: [204, 204, 404, 403, 401],
  },
  'GET /v1/partners/{partnerId}/contracts': {
    path: (c) => `/v1/partners/${c.a.partnerId}/contracts`,
    expect: [200, 200, 404, 403, 401],
  },
  'POST /v1/partners/{partnerId}/contracts': {
    path: (c) => `/v1/partners/${c.a.partnerId}/contracts`,
    body: () => ({ rateBp: 600, effectiveFrom: '2099-01-01' }),
    expect: [201, 403, 403, 403, 401],
  },
};

describe('partner route isolation', () => {
  let hub: TestHub;
  let ctx: Ctx;
  const tokens = {} as Record<Who, string | undefined>;

  beforeAll(async () => {
    hub = await startHub();
    const [a, b, user] = await Promise.all([onboardPartner(hub), onboardPartner(hub), newUser(hub)]);
    tokens.operator = ADMIN_TOKEN;
    tokens.owner = a.key;
    tokens.other = b.key;
    tokens.user = user.token;
    tokens.anonymous = undefined;
    ctx = {
      a,
      b,
      async freshApplication() {
        const res = await hub.request('POST', '/v1/partner-applications', { body: applicationBody() });
        return String(res.body['id']);
      },
      spareKeyOfA: async () => (await hub.partners.createApiKey(OPERATOR, a.partnerId, 'spare')).id,
    };
  });
  afterEach(async () => {
    // Spare keys left active would run A into the key cap; keep only A's main key.
    for (const key of (await hub.partners.apiKeys(OPERATOR, ctx.a.partnerId, { limit: 1000 })).items) {
      if (key.id !== ctx.a.keyId && key.revokedAt === null)
        await hub.partners.revokeApiKey(OPERATOR, ctx.a.partnerId, key.id);
    }
  });
  afterAll(async () => {
    await hub.stop();
  });

  for (const [route, c] of Object.entries(cases)) {
    const method = route.split(' ')[0] ?? '';
    WHO.forEach((who, i) => {
      const expected = c.expect[i];
      it(`${route}: ${who} -> ${expected}`, async () => {
        const path = await c.path(ctx);
        const token = tokens[who];
        const res = await hub.request(method, path, {
          ...(token !== undefined ? { token } : {}),
          ...(c.body ? { body: c.body() } : {}),
        });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(expected);
        const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[res.status];
        if (code) expect(res.body['code']).toBe(code);
      });
    });
  }

  it('a partner cannot reach another partner key through its own partner path', async () => {
    const { a, b } = ctx;
    const rotate = await hub.request('POST', `/v1/partners/${a.partnerId}/api-keys/${b.keyId}/rotate`, {
      token: a.key,
    });
    expect(rotate.status).toBe(404);
    const revoke = await hub.request('DELETE', `/v1/partners/${a.partnerId}/api-keys/${b.keyId}`, {
      token: a.key,
    });
    expect(revoke.status).toBe(404);
    // Even the operator must name the right owner.
    const mismatched = await hub.request('DELETE', `/v1/partners/${a.partnerId}/api-keys/${b.keyId}`, {
      token: ADMIN_TOKEN,
    });
    expect(mismatched.status).toBe(404);
    expect((await hub.request('GET', '/v1/partners/me', { token: b.key })).status).toBe(200);
  });

  it('answers the same 404 for another partner and for a partner that does not exist', async () => {
    const other = await hub.request('GET', `/v1/partners/${ctx.a.partnerId}`, { token: ctx.b.key });
    const none = await hub.request('GET', '/v1/partners/0000000000000000', { token: ctx.b.key });
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    expect(other.body['detail']).toBe(none.body['detail']);
    expect((await hub.request('GET', '/v1/partners/0000000000000000', { token: ADMIN_TOKEN })).status).toBe(
      404,
    );
  });

  it('covers every route tagged partners in the OpenAPI document, each with a summary', async () => {
    const doc = await hub.request('GET', '/openapi.json');
    const paths = doc.body['paths'] as Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.tags?.includes('partners')) continue;
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(operation.summary, path).toEqual(expect.any(String));
      }
    }
    expect(documented.sort()).toEqual(Object.keys(cases).sort());
  });
});
