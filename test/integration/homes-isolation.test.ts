import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerWithModel, provision } from '../support/devices.js';
import { bindOwner } from '../support/homes.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

/**
 * Who may call which homes route. The owner owns the home (and the device) in each path; the member
 * is in that home; the stranger is a user outside it (the home must look absent: 404); partners and
 * the operator are the wrong kind of identity (403); no token is 401.
 */
type Who = 'owner' | 'member' | 'stranger' | 'partner' | 'operator' | 'anonymous';
const WHO: readonly Who[] = ['owner', 'member', 'stranger', 'partner', 'operator', 'anonymous'];

interface Ctx {
  /** A fresh home of the owner, with the member in it. */
  home(): Promise<string>;
  /** A fresh home of the owner, with the member and the extra user in it. */
  homeWithExtra(): Promise<string>;
  /** A fresh room in a fresh home: [homeId, roomId]. */
  room(): Promise<[string, string]>;
  /** A fresh device of the owner, placed in a fresh home: [deviceId, homeId]. */
  placedDevice(): Promise<[string, string]>;
  readonly extraEmail: string;
  readonly extraId: string;
}

interface Case {
  readonly call: (ctx: Ctx) => Promise<{ path: string; body?: unknown }>;
  readonly expect: readonly [
    owner: number,
    member: number,
    stranger: number,
    partner: number,
    operator: number,
    anonymous: number,
  ];
}

let serial = 0;
const name = () => ({ name: `Name ${++serial}` });

/** Keyed by the route as OpenAPI names it, so the test can check that none is missing. */
const cases: Record<string, Case> = {
  'POST /v1/homes': {
    call: async () => ({ path: '/v1/homes', body: name() }),
    expect: [201, 201, 201, 403, 403, 401],
  },
  'GET /v1/homes': { call: async () => ({ path: '/v1/homes' }), expect: [200, 200, 200, 403, 403, 401] },
  'GET /v1/homes/{homeId}': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}` }),
    expect: [200, 200, 404, 403, 403, 401],
  },
  'PATCH /v1/homes/{homeId}': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}`, body: name() }),
    expect: [200, 403, 404, 403, 403, 401],
  },
  'DELETE /v1/homes/{homeId}': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}` }),
    expect: [204, 403, 404, 403, 403, 401],
  },
  'POST /v1/homes/{homeId}/members': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}/members`, body: { email: c.extraEmail } }),
    expect: [201, 403, 404, 403, 403, 401],
  },
  'DELETE /v1/homes/{homeId}/members/{userId}': {
    // Removing someone else: the owner may, a member may not (it may only leave).
    call: async (c) => ({ path: `/v1/homes/${await c.homeWithExtra()}/members/${c.extraId}` }),
    expect: [204, 403, 404, 403, 403, 401],
  },
  'POST /v1/homes/{homeId}/rooms': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}/rooms`, body: name() }),
    expect: [201, 403, 404, 403, 403, 401],
  },
  'PATCH /v1/homes/{homeId}/rooms/{roomId}': {
    call: async (c) => {
      const [home, room] = await c.room();
      return { path: `/v1/homes/${home}/rooms/${room}`, body: name() };
    },
    expect: [200, 403, 404, 403, 403, 401],
  },
  'DELETE /v1/homes/{homeId}/rooms/{roomId}': {
    call: async (c) => {
      const [home, room] = await c.room();
      return { path: `/v1/homes/${home}/rooms/${room}` };
    },
    expect: [204, 403, 404, 403, 403, 401],
  },
  'GET /v1/homes/{homeId}/devices': {
    call: async (c) => ({ path: `/v1/homes/${await c.home()}/devices` }),
    expect: [200, 200, 404, 403, 403, 401],
  },
  'PUT /v1/devices/{deviceId}/placement': {
    // The member sees the device through the home but does not own it; the stranger does not see it.
    call: async (c) => {
      const [device] = await c.placedDevice();
      return { path: `/v1/devices/${device}/placement`, body: { homeId: await c.home() } };
    },
    expect: [200, 403, 404, 403, 403, 401],
  },
  'DELETE /v1/devices/{deviceId}/placement': {
    call: async (c) => ({ path: `/v1/devices/${(await c.placedDevice())[0]}/placement` }),
    expect: [204, 403, 404, 403, 403, 401],
  },
};

describe('homes route isolation', () => {
  let hub: TestHub;
  let ctx: Ctx;
  const tokens = {} as Record<Who, string | undefined>;

  beforeAll(async () => {
    hub = await startHub();
    const [made, owner, member, stranger, extra] = await Promise.all([
      partnerWithModel(hub),
      newUser(hub),
      newUser(hub),
      newUser(hub),
      newUser(hub),
    ]);
    const devices = (await provision(hub, made.partner, made.modelId, 3 * WHO.length)).map((d) => d.id);
    Object.assign(tokens, {
      owner: owner.token,
      member: member.token,
      stranger: stranger.token,
      partner: made.partner.key,
      operator: ADMIN_TOKEN,
      anonymous: undefined,
    });
    // Setup goes through the service: the routes under test are the ones in the table.
    const home = async () => {
      const id = (await hub.homes.create(owner.id, `Home ${++serial}`)).id;
      await hub.homes.addMember(owner.id, id, member.email);
      return id;
    };
    ctx = {
      home,
      async homeWithExtra() {
        const id = await home();
        await hub.homes.addMember(owner.id, id, extra.email);
        return id;
      },
      async room() {
        const id = await home();
        return [id, (await hub.homes.addRoom(owner.id, id, `Room ${++serial}`)).id];
      },
      async placedDevice() {
        const device = devices.shift();
        if (device === undefined) throw new Error('provision more devices');
        await bindOwner(hub, device, owner.id);
        const id = await home();
        await hub.homes.place(owner.id, device, { homeId: id });
        return [device, id];
      },
      extraEmail: extra.email,
      extraId: extra.id,
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

  it('answers the same 404 for a home of someone else and a home that does not exist', async () => {
    const theirs = await hub.request('GET', `/v1/homes/${await ctx.home()}`, {
      token: tokens.stranger ?? '',
    });
    const none = await hub.request('GET', '/v1/homes/0123456789abcdef', { token: tokens.owner ?? '' });
    expect([theirs.status, none.status]).toEqual([404, 404]);
    expect(theirs.body['detail']).toBe(none.body['detail']);
  });

  it('covers every route tagged homes in the OpenAPI document, each with a summary', async () => {
    const doc = await hub.request('GET', '/openapi.json');
    const paths = doc.body['paths'] as Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.tags?.includes('homes')) continue;
        documented.push(`${method.toUpperCase()} ${path}`);
        expect(operation.summary, path).toEqual(expect.any(String));
      }
    }
    expect(documented.sort()).toEqual(Object.keys(cases).sort());
  });
});
