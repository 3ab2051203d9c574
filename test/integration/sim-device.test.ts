import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSpec, type SimulatedDevice } from '../../firmware-sim/index.js';
import { nextEvent, startHub, type TestHub } from '../support/hub.js';
import { fixture, quietDevice, shadowOf, waitFor } from './sim-support.js';

const MODELS = [
  'acme.air-purifier.ap1',
  'acme.curtain.c1',
  'acme.light.bulb1',
  'acme.plug.p1',
  'acme.switch.s2',
  'acme.temperature-humidity-sensor.th1',
];

describe('simulated devices against a real hub', () => {
  let hub: TestHub;
  const running: SimulatedDevice[] = [];
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await Promise.all(running.map((d) => d.stop()));
    await hub.stop();
  });

  it.each(MODELS)('%s: connects, reports every notify property and stores an event', async (file) => {
    const { key, spec, devices } = await fixture(hub, file);
    const [device] = devices;
    if (device === undefined) throw new Error('no device provisioned');
    const sim = quietDevice(hub.mqttUrl, spec, device, { firmwareRevision: '2.3.4' });
    running.push(sim);
    await sim.start();

    const detail = await shadowOf(hub, key, device.id);
    const notify = prepareSpec(spec).properties.filter((p) => p.notifiable);
    expect(notify.length).toBeGreaterThan(0);
    for (const prop of notify) expect(detail.shadow.reported[prop.key], prop.key).toBeDefined();
    expect(detail.firmwareVersion).toBe('2.3.4');
    expect(detail.presence.online).toBe(true);

    for (const event of sim.spec.events) {
      const stored = nextEvent(hub, 'event', (e) => e.deviceId === device.id && e.event === event.key);
      await sim.sendEvent(event.key);
      await stored;
    }
    const events = await hub.request('GET', `/v1/devices/${device.id}/events`, { token: key });
    const list = events.body['items'] as Array<{ event: string }>;
    expect(list.map((e) => e.event).sort()).toEqual(sim.spec.events.map((e) => e.key).sort());
    expect(sim.counters.errors).toBe(0);
    await sim.stop();
  });

  it('speaks MQTT over WebSocket too', async () => {
    const { key, spec, devices } = await fixture(hub, 'acme.light.bulb1');
    const [device] = devices;
    if (device === undefined) throw new Error('no device provisioned');
    const sim = quietDevice(hub.wsUrl, spec, device);
    running.push(sim);
    await sim.start();
    expect((await shadowOf(hub, key, device.id)).shadow.reported['light.on']?.value).toBe(false);
    await sim.stop();
  });

  it('lets sensors drift on the step grid and emits events by itself', async () => {
    const { key, spec, devices } = await fixture(hub, 'acme.temperature-humidity-sensor.th1');
    const [device] = devices;
    if (device === undefined) throw new Error('no device provisioned');
    const sim = quietDevice(hub.mqttUrl, spec, device, {
      telemetryIntervalMs: 30,
      eventIntervalMs: 30,
      seed: 7,
    });
    running.push(sim);
    const drifted = waitFor(sim, 'reported', (r: { kind: string }) => r.kind === 'telemetry');
    const event = nextEvent(hub, 'event', (e) => e.deviceId === device.id);
    await sim.start();
    await drifted;
    expect((await event).event).toBe('battery.low-battery');
    await sim.stop();
    const reported = (await shadowOf(hub, key, device.id)).shadow.reported;
    // The hub accepted every drifted report, so every value passed its range and step checks.
    expect(sim.counters.reportsAcked).toBe(sim.counters.reportsSent);
    expect(reported['temperature-humidity-sensor.temperature']).toBeDefined();
    expect(sim.counters.errors).toBe(0);
  });

  it('reconnects with backoff after a dropped link and reports everything again', async () => {
    const { spec, devices } = await fixture(hub, 'acme.plug.p1');
    const [device] = devices;
    if (device === undefined) throw new Error('no device provisioned');
    const sim = quietDevice(hub.mqttUrl, spec, device, { backoff: { baseMs: 50, maxMs: 200 } });
    running.push(sim);
    await sim.start();
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === device.id && !p.online);
    const back = waitFor(sim, 'connected', (c: { reconnect: boolean }) => c.reconnect);
    const rereported = waitFor(sim, 'reported', (r: { kind: string }) => r.kind === 'full');
    sim.dropConnection();
    await offline;
    await back;
    await rereported;
    expect(sim.counters.reconnects).toBe(1);
    expect(sim.counters.connects).toBe(2);
    await sim.stop();
    expect(sim.status).toBe('stopped');
  });

  it('refuses to start with a wrong secret', async () => {
    const { spec, devices } = await fixture(hub, 'acme.plug.p1');
    const [device] = devices;
    if (device === undefined) throw new Error('no device provisioned');
    const sim = quietDevice(hub.mqttUrl, spec, { ...device, secret: 'wrong' });
    await expect(sim.start()).rejects.toThrow(/return code 4/);
    expect(sim.status).toBe('stopped');
  });
});
