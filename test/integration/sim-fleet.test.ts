import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../firmware-sim/fleet.js';
import { planFleet } from '../../firmware-sim/plan.js';
import { startHub, type TestHub } from '../support/hub.js';
import { fixture, until } from './sim-support.js';

const WORKER = fileURLToPath(new URL('../../dist/firmware-sim/fleet-worker.js', import.meta.url));

describe('fleet planning', () => {
  it('keeps a small fleet in one process on the default source address', () => {
    const plan = planFleet({ count: 500, hubHost: '127.0.0.1' });
    expect(plan.processes).toEqual([{ start: 0, end: 500 }]);
    expect(plan.addresses).toEqual([]);
  });

  it('spreads a large fleet over even process slices and loopback source addresses', () => {
    const plan = planFleet({ count: 40_000, hubHost: '127.0.0.1', devicesPerAddress: 25_000 });
    expect(plan.processes).toEqual([
      { start: 0, end: 13_334 },
      { start: 13_334, end: 26_668 },
      { start: 26_668, end: 40_000 },
    ]);
    expect(plan.addresses).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(plan.warnings).toEqual([]);
  });

  it('defaults to 90% of the ephemeral port range per source address', () => {
    const plan = planFleet({ count: 1, hubHost: '127.0.0.1' });
    expect(plan.devicesPerAddress).toBeGreaterThan(1000);
    expect(plan.devicesPerProcess).toBe(15_000);
  });

  it('warns instead of binding loopback addresses when the hub is remote', () => {
    const plan = planFleet({ count: 60_000, hubHost: 'hub.example.com', devicesPerAddress: 25_000 });
    expect(plan.addresses).toEqual([]);
    expect(plan.warnings[0]).toMatch(/need 3 source addresses/);
  });
});

describe('fleet against a real hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  const onlineCount = async (key: string, modelId: string) => {
    const res = await hub.request('GET', `/v1/devices?online=true&modelId=${modelId}&limit=1000`, {
      token: key,
    });
    return (res.body['items'] as unknown[]).length;
  };

  it('runs 200 lean devices in one process, all online, then stops cleanly', async () => {
    const { key, modelId, spec, devices } = await fixture(hub, 'acme.plug.p1', 200);
    const fleet = new Fleet({
      spec,
      devices,
      hubUrl: hub.mqttUrl,
      seed: 3,
      tickMs: 50,
      device: { telemetryIntervalMs: 2000, eventIntervalMs: 0 },
    });
    expect(fleet.plan.processes).toHaveLength(1);
    await fleet.start();
    const stats = await fleet.waitForConnected(200, 15_000);
    expect(stats.connected).toBe(200);
    expect(await onlineCount(key, modelId)).toBe(200);
    const final = await fleet.stop();
    expect(final).toMatchObject({ devices: 200, connected: 0, connects: 200, reconnects: 0, errors: 0 });
    expect(final.reportsAcked).toBeGreaterThanOrEqual(200);
    await until(async () => (await onlineCount(key, modelId)) === 0, 5000, 'all offline');
  });

  it('spreads devices over worker processes and source addresses', async () => {
    expect(existsSync(WORKER), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const { key, modelId, spec, devices } = await fixture(hub, 'acme.light.bulb1', 40);
    const fleet = new Fleet({
      spec,
      devices,
      hubUrl: hub.mqttUrl,
      devicesPerProcess: 20,
      devicesPerAddress: 25,
      workerScript: WORKER,
      statsIntervalMs: 100,
      device: { telemetryIntervalMs: 0, eventIntervalMs: 0 },
    });
    expect(fleet.plan.processes).toHaveLength(2);
    expect(fleet.plan.addresses).toEqual(['127.0.0.2', '127.0.0.3']);
    await fleet.start();
    const stats = await fleet.waitForConnected(40, 15_000);
    expect(stats.processes).toBe(2);
    expect(await onlineCount(key, modelId)).toBe(40);
    const final = await fleet.stop();
    expect(final).toMatchObject({ devices: 40, connected: 0, connects: 40, errors: 0 });
    await until(async () => (await onlineCount(key, modelId)) === 0, 5000, 'all offline');
  });
});
