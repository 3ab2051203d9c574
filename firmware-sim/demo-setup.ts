import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hub } from '../src/hub.js';
import { defaultCatalog, type ModelSpec } from '../src/registry/spec/index.js';

export const DEMO_USER = { email: 'demo@ecohub.local', password: 'demo-password-123' };
const DEVICES_PER_MODEL = 2;
const ROOMS = ['Living room', 'Bedroom', 'Kitchen'];

/** The repository (package) root: two levels up from dist/firmware-sim/, one from firmware-sim/. */
export function packageRoot(): string {
  for (const relative of ['../../', '../']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    try {
      const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'ecohub') return candidate.replace(/\/+$/, '');
    } catch {}
  }
  throw new Error('the ecohub package root (package.json) was not found');
}

async function api<T = Record<string, unknown>>(
  hub: Hub,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export interface DemoDevice {
  readonly spec: ModelSpec;
  readonly id: string;
  readonly secret: string;
  readonly pairingCode: string;
}

export interface DemoWorld {
  readonly partnerKey: string;
  readonly user: { readonly id: string; readonly token: string };
  readonly devices: readonly DemoDevice[];
  readonly models: number;
}

/**
 * Fills a fresh hub through its REST API, as a partner, the operator and a user would: the demo
 * partner publishes every example model (an "S" variant through its parent), provisions two devices
 * of each, and the demo user claims them all into a home with rooms.
 */
export async function populate(hub: Hub, operator: string): Promise<DemoWorld> {
  const app = await api<{ id: string }>(hub, 'POST', '/v1/partner-applications', undefined, {
    company: 'Acme Devices',
    contactEmail: 'partners@acme.example.com',
    website: 'https://acme.example.com',
    slug: 'acme',
    // Every category of the catalog: there is an example model for each.
    categories: [...defaultCatalog.categories.keys()],
  });
  const approved = await api<{ apiKey: { key: string } }>(
    hub,
    'POST',
    `/v1/partner-applications/${app.id}/approve`,
    operator,
    {},
  );
  const key = approved.apiKey.key;

  const dir = join(packageRoot(), 'examples', 'models');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ModelSpec)
    .sort((a, b) => Number(a.parent !== undefined) - Number(b.parent !== undefined));
  const devices: DemoDevice[] = [];
  for (const doc of docs) {
    if (doc.parent !== undefined) {
      await api(hub, 'POST', `/v1/models/${doc.parent}/variants`, key, {
        code: doc.model.split('.')[2],
        name: doc.name,
      });
    } else {
      await api(hub, 'POST', '/v1/models', key, doc);
    }
    await api(hub, 'POST', `/v1/models/${doc.model}/versions/1/submit`, key);
    await api(hub, 'POST', `/v1/models/${doc.model}/versions/1/certify`, operator, {
      note: 'demo: certified by the operator without a harness run',
      override: true,
    });
    await api(hub, 'POST', `/v1/models/${doc.model}/versions/1/publish`, key);
    const published = await api<ModelSpec>(hub, 'GET', `/v1/catalog/models/${doc.model}`, undefined);
    const batch = await api<{ devices: Array<{ id: string; secret: string; pairingCode: string }> }>(
      hub,
      'POST',
      '/v1/device-batches',
      key,
      { modelId: doc.model, version: 1, count: DEVICES_PER_MODEL, label: 'demo' },
    );
    for (const d of batch.devices) devices.push({ spec: published, ...d });
  }

  await api(hub, 'POST', '/v1/auth/register', undefined, { ...DEMO_USER, displayName: 'Demo user' });
  const login = await api<{ token: string; user: { id: string } }>(
    hub,
    'POST',
    '/v1/auth/login',
    undefined,
    DEMO_USER,
  );
  const home = await api<{ id: string }>(hub, 'POST', '/v1/homes', login.token, { name: 'Demo home' });
  const rooms: string[] = [];
  for (const name of ROOMS) {
    rooms.push(
      (await api<{ id: string }>(hub, 'POST', `/v1/homes/${home.id}/rooms`, login.token, { name })).id,
    );
  }
  for (const [i, d] of devices.entries()) {
    await api(hub, 'POST', `/v1/devices/${d.id}/claim`, login.token, { pairingCode: d.pairingCode });
    await api(hub, 'PUT', `/v1/devices/${d.id}/placement`, login.token, {
      homeId: home.id,
      roomId: rooms[i % rooms.length],
    });
  }
  return { partnerKey: key, user: { id: login.user.id, token: login.token }, devices, models: docs.length };
}

/**
 * The first lamp (a `light` category model) with a writable `light.on`: what "switch a light on" can
 * switch. Other categories have a light service too (a bath heater's): only if no lamp has one.
 */
export function firstLight(devices: readonly DemoDevice[]): DemoDevice | undefined {
  const switchable = devices.filter((d) =>
    d.spec.services.some(
      (s) => s.name === 'light' && s.properties.some((p) => p.name === 'on' && p.access.includes('write')),
    ),
  );
  return switchable.find((d) => d.spec.category === 'light') ?? switchable[0];
}
