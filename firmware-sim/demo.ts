#!/usr/bin/env node
/**
 * `npm run demo`: a hub on its embedded defaults with a demo partner, the example models, simulated
 * devices of each, and a demo user who owns a home with rooms and all those devices. Ctrl-C stops it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHub, type Hub } from '../src/hub.js';
import { defaultCatalog, type ModelSpec } from '../src/registry/spec/index.js';
import { SimulatedDevice } from './index.js';

const USER = { email: 'demo@ecohub.local', password: 'demo-password-123' };
const DEVICES_PER_MODEL = 2;
const ROOMS = ['Living room', 'Bedroom', 'Kitchen'];

function examplesDir(): string {
  // From dist/firmware-sim/demo.js the examples are two levels up; from firmware-sim/demo.ts one.
  for (const relative of ['../../examples/models/', '../examples/models/']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    try {
      readdirSync(candidate);
      return candidate;
    } catch {}
  }
  throw new Error('examples/models not found');
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

async function main(): Promise<void> {
  const dataDir = process.env['ECOHUB_DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'ecohub-demo-'));
  const operator = `demo-operator-${randomBytes(12).toString('hex')}`;
  const hub = await createHub({
    dataDir,
    host: process.env['ECOHUB_HOST'] ?? '127.0.0.1',
    httpPort: Number(process.env['ECOHUB_HTTP_PORT'] ?? 8080),
    mqttPort: Number(process.env['ECOHUB_MQTT_PORT'] ?? 1883),
    logLevel: 'warn',
    adminToken: operator,
  });
  const devices: SimulatedDevice[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write('\nstopping the demo...\n');
    await Promise.all(devices.map((d) => d.stop()));
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

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

  const dir = examplesDir();
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ModelSpec)
    .sort((a, b) => Number(a.parent !== undefined) - Number(b.parent !== undefined));
  const provisioned: Array<{ spec: ModelSpec; id: string; secret: string; pairingCode: string }> = [];
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
    await api(hub, 'POST', `/v1/models/${doc.model}/versions/1/certify`, operator, { note: 'demo' });
    await api(hub, 'POST', `/v1/models/${doc.model}/versions/1/publish`, key);
    const published = await api<ModelSpec>(hub, 'GET', `/v1/catalog/models/${doc.model}`, undefined);
    const batch = await api<{ devices: Array<{ id: string; secret: string; pairingCode: string }> }>(
      hub,
      'POST',
      '/v1/device-batches',
      key,
      { modelId: doc.model, version: 1, count: DEVICES_PER_MODEL, label: 'demo' },
    );
    for (const d of batch.devices) provisioned.push({ spec: published, ...d });
  }

  await api(hub, 'POST', '/v1/auth/register', undefined, { ...USER, displayName: 'Demo user' });
  const login = await api<{ token: string; user: { id: string } }>(
    hub,
    'POST',
    '/v1/auth/login',
    undefined,
    USER,
  );
  const home = await api<{ id: string }>(hub, 'POST', '/v1/homes', login.token, { name: 'Demo home' });
  const rooms: string[] = [];
  for (const name of ROOMS)
    rooms.push(
      (await api<{ id: string }>(hub, 'POST', `/v1/homes/${home.id}/rooms`, login.token, { name })).id,
    );
  for (const [i, d] of provisioned.entries()) {
    await api(hub, 'POST', `/v1/devices/${d.id}/claim`, login.token, { pairingCode: d.pairingCode });
    await api(hub, 'PUT', `/v1/devices/${d.id}/placement`, login.token, {
      homeId: home.id,
      roomId: rooms[i % rooms.length],
    });
    const device = new SimulatedDevice({
      spec: d.spec,
      credentials: { id: d.id, secret: d.secret },
      hubUrl: hub.mqttUrl,
      options: { telemetryIntervalMs: 5000, eventIntervalMs: 30_000 },
    });
    devices.push(device);
  }
  await Promise.all(devices.map((d) => d.start()));

  const first = provisioned[0]?.id ?? '<device id>';
  process.stdout.write(
    [
      '',
      'ecohub demo is running. Ctrl-C stops it.',
      '',
      `  API docs (Swagger UI)  ${hub.httpUrl}/docs`,
      `  MQTT                   ${hub.mqttUrl}   (WebSocket: ${hub.wsUrl})`,
      `  data                   ${dataDir}`,
      `  operator token         ${operator}`,
      `  partner API key        ${key}`,
      `  demo user              ${USER.email} / ${USER.password}`,
      `  demo user token        ${login.token}`,
      `  devices                ${devices.length} simulated (${docs.length} models x ${DEVICES_PER_MODEL}) in "Demo home"`,
      '',
      'Watch a device:',
      `  mosquitto_sub -h 127.0.0.1 -p ${hub.mqttPort} -i 'app/${login.user.id}/mosquitto' -u token -P '${login.token}' -t 'dev/${first}/#' -v`,
      'List my devices:',
      `  curl -H 'authorization: Bearer ${login.token}' ${hub.httpUrl}/v1/me/devices`,
      'Switch the first light on (SDK):',
      `  const c = await EcohubClient.login('${hub.httpUrl}', '${USER.email}', '${USER.password}');`,
      `  await c.command('${first}', { op: 'set', props: { 'light.on': true } });`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
