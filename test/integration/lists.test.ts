import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, partnerWithModel, provision, report } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';

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
  '/v1/posts/{postId}/releases', // the few firmware releases linked to one post
  '/v1/models/{modelId}/digest', // one week's digest of a model's posts: a report, not a list
  '/v1/me/devices/{deviceId}/firmware', // one device's firmware and its recent updates
  '/v1/firmware/rollouts/{rolloutId}/stages', // one rollout's stages: at most 11 (the canary and 10 stages)
  '/v1/models/{modelId}/beta-testing', // a report: the model's released firmware among its newest 100 packages
  '/v1/me/tester-credit', // one user's credit: a report of the beta releases its devices ran
  '/v1/certification/keys', // every report-signing key in one page: one per key rotation, public
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
        if (arrays.length === 0 || RESOURCES_WITH_ARRAYS.has(path)) continue;
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
});
