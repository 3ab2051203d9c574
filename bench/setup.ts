import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Setup of a benchmark hub through its public REST API, as a partner and a user would do it. */

export interface ProvisionedDevice {
  readonly id: string;
  readonly secret: string;
  readonly pairingCode: string;
}

export interface BenchUser {
  readonly id: string;
  readonly token: string;
}

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what}: expected an object`);
  return value as Json;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string`);
  return value;
}

export class HubApi {
  constructor(
    readonly baseUrl: string,
    readonly adminToken: string,
  ) {}

  /** A JSON request that must answer `expect`; returns the parsed body. */
  async call(method: string, path: string, expect: number, body?: unknown, token?: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    const raw = await res.text();
    if (res.status !== expect) {
      throw new Error(`${method} ${path}: expected ${expect}, got ${res.status}: ${raw.slice(0, 300)}`);
    }
    return raw === '' ? {} : (JSON.parse(raw) as unknown);
  }

  /** GET /metrics, as `name{labels}` -> value. */
  async metrics(): Promise<Map<string, number>> {
    const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(30_000) });
    const out = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return out;
  }
}

/** Sum of every series of a metric (all label sets). */
export function metricSum(metrics: ReadonlyMap<string, number>, name: string): number {
  let sum = 0;
  for (const [key, value] of metrics) {
    if (key === name || key.startsWith(`${name}{`)) sum += value;
  }
  return sum;
}

export interface Partner {
  readonly slug: string;
  readonly key: string;
}

/** Applies as a partner for the light category and has the operator approve. */
export async function onboardPartner(api: HubApi): Promise<Partner> {
  const slug = `bench${randomBytes(4).toString('hex')}`;
  const applied = record(
    await api.call('POST', '/v1/partner-applications', 201, {
      company: `Bench ${slug}`,
      contactEmail: `partners@${slug}.example.com`,
      website: `https://${slug}.example.com`,
      slug,
      categories: ['light', 'plug'],
    }),
    'application',
  );
  const approved = record(
    await api.call(
      'POST',
      `/v1/partner-applications/${text(applied['id'], 'application id')}/approve`,
      201,
      {},
      api.adminToken,
    ),
    'approval',
  );
  return { slug, key: text(record(approved['apiKey'], 'apiKey')['key'], 'api key') };
}

/** examples/models/acme.light.bulb1.json under the partner's slug: created, certified, published. */
export async function publishBulbModel(api: HubApi, partner: Partner, root: string): Promise<string> {
  const doc = record(
    JSON.parse(readFileSync(join(root, 'examples', 'models', 'acme.light.bulb1.json'), 'utf8')) as unknown,
    'example model',
  );
  const modelId = text(doc['model'], 'model').replace(/^acme\./, `${partner.slug}.`);
  await api.call('POST', '/v1/models', 201, { ...doc, model: modelId }, partner.key);
  const version = `/v1/models/${modelId}/versions/1`;
  await api.call('POST', `${version}/submit`, 200, undefined, partner.key);
  await api.call(
    'POST',
    `${version}/certify`,
    200,
    { note: 'benchmark fleet', override: true },
    api.adminToken,
  );
  await api.call('POST', `${version}/publish`, 200, undefined, partner.key);
  return modelId;
}

/** Provisions `count` devices, 100,000 per request at most. */
export async function provisionDevices(
  api: HubApi,
  partner: Partner,
  modelId: string,
  count: number,
): Promise<ProvisionedDevice[]> {
  const devices: ProvisionedDevice[] = [];
  while (devices.length < count) {
    const n = Math.min(100_000, count - devices.length);
    const batch = record(
      await api.call(
        'POST',
        '/v1/device-batches',
        201,
        { modelId, version: 1, count: n, label: 'benchmark' },
        partner.key,
      ),
      'batch',
    );
    const list = batch['devices'];
    if (!Array.isArray(list)) throw new Error('batch: devices missing');
    for (const item of list) {
      const d = record(item, 'device');
      devices.push({
        id: text(d['id'], 'device id'),
        secret: text(d['secret'], 'device secret'),
        pairingCode: text(d['pairingCode'], 'pairing code'),
      });
    }
  }
  return devices;
}

/** Registers and logs in a user; the id comes from GET /v1/me. */
export async function createUser(api: HubApi): Promise<BenchUser> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = `bench ${randomBytes(8).toString('hex')}`;
  await api.call('POST', '/v1/auth/register', 201, { email, password });
  const login = record(await api.call('POST', '/v1/auth/login', 200, { email, password }), 'login');
  const token = text(login['token'], 'token');
  const me = record(await api.call('GET', '/v1/me', 200, undefined, token), 'me');
  return { id: text(me['id'], 'user id'), token };
}

export async function claimDevice(api: HubApi, user: BenchUser, device: ProvisionedDevice): Promise<void> {
  await api.call(
    'POST',
    `/v1/devices/${device.id}/claim`,
    201,
    { pairingCode: device.pairingCode },
    user.token,
  );
}

/** A partner, the published bulb model and `count` devices of it. */
export async function provisionFleet(api: HubApi, root: string, count: number): Promise<ProvisionedDevice[]> {
  const partner = await onboardPartner(api);
  const modelId = await publishBulbModel(api, partner, root);
  return provisionDevices(api, partner, modelId, count);
}
