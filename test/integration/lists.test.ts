import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, partnerWithModel, provision, report } from '../support/devices.js';
import { shipPackage } from '../support/firmware.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { createPost, makerWithOwners } from './community-support.js';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  maximum?: number;
  default?: number;
};
type Operation = {
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

/** GET routes whose answer is one resource that holds a few small, bounded arrays (not a list). */
const RESOURCES_WITH_ARRAYS = new Set([
  '/v1/homes/{homeId}', // members (at most 50), rooms (at most 100), placed devices
  '/v1/models/{modelId}', // its versions
  '/v1/models/{modelId}/versions/{version}', // quality-rule warnings of one document
  '/v1/partner-applications/{id}', // categories
  '/v1/partners/{partnerId}', // categories
  '/v1/partners/me', // categories
  '/v1/partners/{partnerId}/statements/{month}', // totals per currency
  '/v1/orders/{orderId}', // order lines
  '/v1/certification/runs/{runId}', // its cases: one per case of the plan the run executes
  '/v1/posts/{postId}/attachment', // a bug's device context: at most 50 events of its last day
  '/v1/models/{modelId}/digest', // one week's digest of a model's posts: a report, not a list
  '/v1/me/devices/{deviceId}/firmware', // one device's firmware and its recent updates
  '/v1/firmware/rollouts/{rolloutId}/stages', // one rollout's stages: at most 11 (the canary and 10 stages)
  '/v1/me/tester-credit', // one user's credit: a report of the beta releases its devices ran
  '/v1/flash-preorders/{purchaseId}', // one pre-order with its few deposit entries (paid, refunded or forfeited)
  '/v1/models/{modelId}/batch-margins', // a report: the model's margin per production batch (at most 1,000) and lifetime
]);

describe('every list answers { items, next } with a cursor and a bounded limit', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('says so in the OpenAPI document for every GET route that returns an array', async () => {
    const doc = (await hub.request('GET', '/openapi.json')).body as {
      paths: Record<string, { get?: Operation }>;
    };
    const lists: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      const get = item.get;
      if (!get) continue;
      const schema = get.responses['200']?.content?.['application/json']?.schema;
      if (!schema) continue;
      expect(schema.type, `${path} answers a bare array`).not.toBe('array');
      for (const variant of schema.anyOf ?? [schema]) {
        const arrays = Object.entries(variant.properties ?? {}).filter(([, p]) => p.type === 'array');
        // A route answering `items` is a list, whatever the exceptions say: it pages like one.
        const isList = variant.properties?.['items']?.type === 'array';
        if (arrays.length === 0 || (RESOURCES_WITH_ARRAYS.has(path) && !isList)) continue;
        lists.push(path);
        expect(
          arrays.map(([name]) => name),
          `${path}: its only array is items`,
        ).toEqual(['items']);
        expect(variant.properties?.['next'], `${path}: next`).toBeDefined();
        const query = new Map((get.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
        expect(query.has('cursor'), `${path}: cursor`).toBe(true);
        const limit = query.get('limit')?.schema;
        expect(limit?.maximum, `${path}: limit has a maximum`).toBeLessThanOrEqual(10_000);
        expect(limit?.default, `${path}: limit has a default`).toBeGreaterThan(0);
      }
    }
    // The lists this release has (a new one is checked the same way).
    expect(lists.length).toBeGreaterThanOrEqual(24);
    // Every exception is a route that still exists, so the set cannot hide a list added later.
    for (const path of RESOURCES_WITH_ARRAYS) expect(doc.paths[path]?.get, path).toBeDefined();
  });

  it('pages a list one item at a time without skipping or repeating, and refuses a bad limit or cursor', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const devices = await provision(hub, partner, modelId, 5);
    const walk = async (path: string, token: string) => {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const join = path.includes('?') ? '&' : '?';
        const res = await hub.request(
          'GET',
          `${path}${join}limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
          { token },
        );
        expect(res.status, res.text).toBe(200);
        const items = res.body['items'] as unknown[];
        expect(items.length).toBeLessThanOrEqual(2);
        seen.push(...items);
        cursor = res.body['next'] as string | null;
        pages++;
      } while (cursor !== null);
      return { seen, pages };
    };
    const { seen, pages } = await walk(`/v1/devices?modelId=${modelId}`, partner.key);
    expect((seen as Array<{ id: string }>).map((d) => d.id)).toEqual(devices.map((d) => d.id).sort());
    expect(pages).toBe(3);

    // A time series: a device's history, two points a page.
    const client = await connectDevice(hub.mqttUrl, devices[0] as (typeof devices)[number]);
    for (const value of [1, 2, 3, 4, 5]) {
      await report(client, devices[0]?.id ?? '', { 'light.brightness': value });
    }
    await end(client);
    const history = await walk(
      `/v1/devices/${devices[0]?.id}/history?property=light.brightness`,
      partner.key,
    );
    expect((history.seen as Array<{ value: number }>).map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);

    const user = await newUser(hub);
    expect((await walk('/v1/me/devices', user.token)).seen).toEqual([]);

    const tooMany = await hub.request('GET', '/v1/partners?limit=1001', { token: ADMIN_TOKEN });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.path).toBe('/limit');
    const foreign = await hub.request('GET', '/v1/devices?limit=1', { token: partner.key });
    const cursor = String(foreign.body['next']);
    const wrongList = await hub.request('GET', `/v1/partners?cursor=${cursor}`, { token: ADMIN_TOKEN });
    expect(wrongList.status).toBe(400);
    expect(wrongList.body.errors?.[0]?.path).toBe('/cursor');
  });
  it("pages a post's release links, a model's beta testing and the signing keys like every list", async () => {
    const walk = async (path: string, token?: string) => {
      const seen: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      do {
        const res = await hub.request(
          'GET',
          `${path}?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
          token === undefined ? {} : { token },
        );
        expect(res.status, res.text).toBe(200);
        const items = res.body['items'] as Array<Record<string, unknown>>;
        expect(items.length).toBeLessThanOrEqual(1);
        seen.push(...items);
        cursor = res.body['next'] as string | null;
      } while (cursor !== null);
      return seen;
    };
    const maker = await makerWithOwners(hub, 1);
    const key = maker.partner.key;
    const packages = [];
    for (const version of ['1.1.0', '1.2.0', '1.3.0'])
      packages.push(await shipPackage(hub, key, maker.modelId, version));
    const post = String((await createPost(hub, maker.owners[0]?.token ?? '', maker.modelId))['id']);
    for (const pkg of packages) {
      const linked = await hub.request('PUT', `/v1/community/releases/${pkg.id}/posts`, {
        token: key,
        body: { postIds: [post] },
      });
      expect(linked.status, linked.text).toBe(200);
    }
    const links = await walk(`/v1/posts/${post}/releases`, maker.owners[0]?.token);
    expect(links.map((l) => l['releaseId'])).toEqual(packages.map((p) => p.id));

    // Two of the three go to beta: the model's beta testing lists those two, newest first.
    for (const pkg of packages.slice(0, 2)) {
      const beta = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/beta`, {
        token: key,
        body: {},
      });
      expect(beta.status, beta.text).toBe(200);
    }
    const testing = await walk(`/v1/models/${maker.modelId}/beta-testing`, key);
    expect(testing.map((t) => t['releaseId'])).toEqual([packages[1]?.id, packages[0]?.id]);

    const keys = await walk('/v1/certification/keys');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ algorithm: 'Ed25519', retiredAt: null });
    const bad = await hub.request('GET', '/v1/certification/keys?limit=1001');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toBe('/limit');
  });
});
