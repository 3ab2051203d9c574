import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import type { ModelState } from '../../src/registry/models/service.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { exampleModel } from '../support/models.js';
import { type OnboardedPartner, onboardPartner } from '../support/partners.js';
import { POWER_STRIP } from '../unit/spec/miot-fixture.js';

/**
 * Who may call which model route. Partner A owns every model in the paths; B is another partner
 * (A's models must look absent to it: 404), a user is the wrong kind (403), no token is 401.
 */
type Who = 'operator' | 'owner' | 'other' | 'user' | 'anonymous';
const WHO: readonly Who[] = ['operator', 'owner', 'other', 'user', 'anonymous'];

interface Ctx {
  readonly a: OnboardedPartner;
  /** A fresh model of A with version 1 in `state`; returns its document. */
  modelIn(state: ModelState): Promise<ModelSpec>;
  /** A fresh model id of A, not created. */
  freshDoc(): ModelSpec;
}

interface Case {
  /** The concrete request; may first create the model (in the state) that one call consumes. */
  readonly call: (ctx: Ctx) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  readonly expect: readonly [operator: number, owner: number, other: number, user: number, anonymous: number];
}

const OPERATOR: Identity = { kind: 'operator', tokenId: 'matrix' };
const v1 = (id: string, step = '') => `/v1/models/${id}/versions/1${step}`;

/** Keyed by the route as OpenAPI names it, so the test can check that none is missing. */
const cases: Record<string, Case> = {
  'POST /v1/models': {
    // B may not create a model under A's slug: the id names A (400 on /model).
    call: async (c) => ({ path: '/v1/models', body: c.freshDoc() }),
    expect: [403, 201, 400, 403, 401],
  },
  'POST /v1/models/import/miot': {
    // As for POST /v1/models: B may not import under A's slug (400 on /model).
    call: async (c) => ({
      path: `/v1/models/import/miot?model=${c.a.slug}.plug.m${++serial}`,
      body: POWER_STRIP,
    }),
    expect: [403, 201, 400, 403, 401],
  },
  'GET /v1/models': { call: () => ({ path: '/v1/models' }), expect: [200, 200, 200, 403, 401] },
  'GET /v1/models/{modelId}': {
    call: async (c) => ({ path: `/v1/models/${(await c.modelIn('draft')).model}` }),
    expect: [200, 200, 404, 403, 401],
  },
  'GET /v1/models/{modelId}/versions/{version}': {
    call: async (c) => ({ path: v1((await c.modelIn('draft')).model) }),
    expect: [200, 200, 404, 403, 401],
  },
  'PUT /v1/models/{modelId}/versions/{version}': {
    call: async (c) => {
      const doc = await c.modelIn('draft');
      return { path: v1(doc.model), body: doc };
    },
    expect: [403, 200, 404, 403, 401],
  },
  'POST /v1/models/{modelId}/versions': {
    call: async (c) => ({ path: `/v1/models/${(await c.modelIn('published')).model}/versions` }),
    expect: [403, 201, 404, 403, 401],
  },
  'POST /v1/models/{modelId}/versions/{version}/submit': {
    call: async (c) => ({ path: v1((await c.modelIn('draft')).model, '/submit') }),
    expect: [403, 200, 404, 403, 401],
  },
  'POST /v1/models/{modelId}/versions/{version}/certify': {
    call: async (c) => ({
      path: v1((await c.modelIn('submitted')).model, '/certify'),
      body: { note: 'matrix' },
    }),
    expect: [200, 403, 403, 403, 401],
  },
  'POST /v1/models/{modelId}/versions/{version}/publish': {
    call: async (c) => ({ path: v1((await c.modelIn('certified')).model, '/publish') }),
    expect: [403, 200, 404, 403, 401],
  },
  'POST /v1/models/{modelId}/versions/{version}/retire': {
    call: async (c) => ({ path: v1((await c.modelIn('published')).model, '/retire') }),
    expect: [200, 200, 404, 403, 401],
  },
  'POST /v1/models/{modelId}/variants': {
    call: async (c) => ({
      path: `/v1/models/${(await c.modelIn('published')).model}/variants`,
      body: { code: `s${++serial}` },
    }),
    expect: [403, 201, 404, 403, 401],
  },
  'GET /v1/catalog/models': {
    call: () => ({ path: '/v1/catalog/models' }),
    expect: [200, 200, 200, 200, 200],
  },
  'GET /v1/catalog/models/{modelId}': {
    call: async (c) => ({ path: `/v1/catalog/models/${(await c.modelIn('published')).model}` }),
    expect: [200, 200, 200, 200, 200],
  },
};

let serial = 0;

describe('model route isolation', () => {
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
    const owner: Identity = { kind: 'partner', partnerId: a.partnerId, keyId: a.keyId };
    // Setup goes through the service: the routes under test are the ones in the table.
    const steps: Array<[ModelState, (id: string) => Promise<unknown>]> = [
      ['submitted', (id) => hub.models.submit(owner, id, 1)],
      ['certified', (id) => hub.models.certify(OPERATOR, id, 1, 'setup')],
      ['published', (id) => hub.models.publish(owner, id, 1)],
    ];
    const freshDoc = () => ({
      ...exampleModel('acme.light.bulb1', a.slug),
      model: `${a.slug}.light.m${++serial}`,
    });
    ctx = {
      a,
      freshDoc,
      async modelIn(state) {
        const doc = freshDoc();
        await hub.models.create(owner, doc);
        for (const [reached, run] of steps) {
          if (state === 'draft') break;
          await run(doc.model);
          if (reached === state) break;
        }
        return doc;
      },
    };
  });
  afterAll(async () => {
    await hub.stop();
  });

  for (const [route, c] of Object.entries(cases)) {
    const method = route.split(' ')[0] ?? '';
    WHO.forEach((who, i) => {
      const expected = c.expect[i];
      it(`${route}: ${who} -> ${expected}`, async () => {
        const { path, body } = await c.call(ctx);
        const token = tokens[who];
        const res = await hub.request(method, path, {
          ...(token !== undefined ? { token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(expected);
        const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[res.status];
        if (code) expect(res.body['code']).toBe(code);
      });
    });
  }

  it("lists only the caller's own models to a partner, all to the operator", async () => {
    const mine = (await ctx.modelIn('draft')).model;
    const ids = async (token: string, query = '') => {
      const res = await hub.request('GET', `/v1/models${query}`, { token });
      return (res.body['items'] as Array<{ id: string }>).map((m) => m.id);
    };
    expect(await ids(ctx.a.key)).toContain(mine);
    expect(await ids(tokens.other ?? '')).not.toContain(mine);
    expect(await ids(tokens.other ?? '', `?partnerId=${ctx.a.partnerId}`)).toEqual([]);
    expect(await ids(ADMIN_TOKEN, `?partnerId=${ctx.a.partnerId}`)).toContain(mine);
  });

  it('answers the same 404 for another partner model and for a model that does not exist', async () => {
    const id = (await ctx.modelIn('draft')).model;
    const other = await hub.request('GET', `/v1/models/${id}`, { token: tokens.other ?? '' });
    const none = await hub.request('GET', `/v1/models/${ctx.a.slug}.light.nothing`, { token: ctx.a.key });
    expect([other.status, none.status]).toEqual([404, 404]);
    expect(other.body['detail']).toBe(none.body['detail']);
  });

  it('covers every route tagged models or catalog in the OpenAPI document, each with a summary', async () => {
    const doc = await hub.request('GET', '/openapi.json');
    const paths = doc.body['paths'] as Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.tags?.some((tag) => tag === 'models' || tag === 'catalog')) continue;
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(operation.summary, path).toEqual(expect.any(String));
      }
    }
    expect(documented.sort()).toEqual(Object.keys(cases).sort());
  });
});
