import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Faults, SimulatedDevice } from '../../firmware-sim/index.js';
import { nextEvent, scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { fixture, metricDelta, quietDevice, shadowOf, until } from './sim-support.js';

describe('fault modes, seen from the hub', () => {
  let hub: TestHub;
  const running: SimulatedDevice[] = [];
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await Promise.all(running.map((d) => d.stop()));
    await hub.stop();
  });

  async function simulate(file: string, faults: Faults, count = 1) {
    const fx = await fixture(hub, file, count);
    const sims = fx.devices.map((d) =>
      quietDevice(hub.mqttUrl, fx.spec, d, { faults, backoff: { baseMs: 20, maxMs: 100 } }),
    );
    running.push(...sims);
    return { ...fx, sims };
  }

  const spoilers: Array<[keyof Faults, string, string]> = [
    ['outOfRange', 'acme.light.bulb1', 'range'],
    ['outOfRange', 'acme.curtain.c1', 'range'],
    ['wrongFormat', 'acme.plug.p1', 'format'],
    ['malformedJson', 'acme.temperature-humidity-sensor.th1', 'json'],
  ];

  it.each(spoilers)(
    '%s (%s): every report is rejected, counted as reason %s',
    async (fault, file, reason) => {
      const { key, devices, sims } = await simulate(file, { [fault]: true });
      const [sim] = sims;
      const [device] = devices;
      if (sim === undefined || device === undefined) throw new Error('no device');
      expect(sim.expectedRejection).toBe(reason);
      const label = `ecohub_reports_rejected_total{reason="${reason}"}`;
      const before = await scrapeMetrics(hub);
      await sim.start();
      await until(async () => metricDelta(before, await scrapeMetrics(hub), label) >= 1, 5000, label);
      await sim.reportAll();
      await until(async () => metricDelta(before, await scrapeMetrics(hub), label) >= 2, 5000, label);
      const detail = await shadowOf(hub, key, device.id);
      expect(detail.shadow.version).toBe(0);
      expect(detail.presence.online).toBe(true);
      await sim.stop();
    },
  );

  it('outOfRange refuses a model whose notify properties cannot leave a range (all bools)', async () => {
    const { spec, devices } = await fixture(hub, 'acme.switch.s2');
    const [device] = devices;
    if (device === undefined) throw new Error('no device');
    expect(() => quietDevice(hub.mqttUrl, spec, device, { faults: { outOfRange: true } })).toThrow(
      /has none/,
    );
  });

  it('flapping: presence goes offline and online again, over and over', async () => {
    const { devices, sims } = await simulate('acme.plug.p1', { flapping: 150 });
    const [sim] = sims;
    const [device] = devices;
    if (sim === undefined || device === undefined) throw new Error('no device');
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === device.id && !p.online);
    await sim.start();
    await offline;
    await nextEvent(hub, 'presence', (p) => p.deviceId === device.id && p.online);
    await nextEvent(hub, 'presence', (p) => p.deviceId === device.id && !p.online);
    expect(sim.counters.flaps).toBeGreaterThanOrEqual(2);
    expect(sim.counters.reconnects).toBeGreaterThanOrEqual(1);
    await sim.stop();
  });

  it('dropReports: a set is answered but never reaches the shadow', async () => {
    const { key, devices, sims } = await simulate('acme.light.bulb1', { dropReports: true });
    const good = await simulate('acme.light.bulb1', {});
    const set = JSON.stringify({ id: 'c1', op: 'set', props: { 'light.brightness': 55 } });
    for (const [sim, device, partnerKey] of [
      [sims[0], devices[0], key],
      [good.sims[0], good.devices[0], good.key],
    ] as const) {
      if (sim === undefined || device === undefined) throw new Error('no device');
      await sim.start();
      const before = await shadowOf(hub, partnerKey, device.id);
      expect(before.shadow.reported['light.brightness']?.value).toBe(1);
      const reflected = nextEvent(hub, 'reported', (r) => r.deviceId === device.id, 2000).then(
        () => true,
        () => false,
      );
      // The reply is published at QoS 1 after the reflection, so the hub has seen both once it resolves.
      expect(await sim.handleCommand(set)).toEqual([{ id: 'c1', status: 'ok', data: {} }]);
      const after = await shadowOf(hub, partnerKey, device.id);
      const faulty = sim === sims[0];
      expect(after.shadow.reported['light.brightness']?.value).toBe(faulty ? 1 : 55);
      expect(after.shadow.version).toBe(before.shadow.version + (faulty ? 0 : 1));
      if (!faulty) expect(await reflected).toBe(true);
      await sim.stop();
    }
  });
});
