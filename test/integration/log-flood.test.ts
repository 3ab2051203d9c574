import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { connectDevice, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { connectPacket, rawClient } from '../support/raw-mqtt.js';

interface Line {
  readonly raw: string;
  readonly module?: string;
  readonly msg?: string;
  readonly suppressed?: number;
  readonly reason?: string;
}

describe('log output under a flood', () => {
  let now = Date.now();
  let hub: TestHub;
  let device: ProvisionedDevice;
  const lines: Line[] = [];
  const mqttLines = () => lines.filter((l) => l.module === 'broker' || l.module === 'telemetry');

  beforeAll(async () => {
    const logger = createLogger('info', {
      write(raw: string) {
        lines.push({ raw, ...(JSON.parse(raw) as Omit<Line, 'raw'>) });
      },
    });
    hub = await startHub({
      now: () => now,
      logger,
      limits: { maxPendingPerAddress: 1000, connectRatePerAddress: 100_000 },
    });
    const { partner, modelId } = await partnerWithModel(hub);
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('keeps every line small and summarises repeats per source and reason', async () => {
    lines.length = 0;
    const hugeId = 'x'.repeat(60_000);
    // 200 refused connects with 60,000-byte client ids, 200 malformed packets, from one address.
    for (let i = 0; i < 200; i++) {
      const raw = await rawClient(hub.mqttPort, '127.0.0.2');
      raw.write(connectPacket({ clientId: hugeId, username: 'y'.repeat(2000), password: 'nothing' }));
      await raw.closed();
      const junk = await rawClient(hub.mqttPort, '127.0.0.2');
      junk.write(Buffer.from([0x10, 0x04, 0x00, 0x02, 0x4d, 0x51])); // a CONNECT with a cut protocol name
      await junk.closed();
    }
    // 200 rejected reports from one device, each with a 30,000-character property name.
    const dev = await connectDevice(hub.mqttUrl, device);
    for (let i = 0; i < 200; i++) {
      await dev.publishAsync(
        `dev/${device.id}/props`,
        JSON.stringify({ seq: i + 1, props: { [`light.${'y'.repeat(30_000)}`]: true } }),
        { qos: 1 },
      );
    }
    const flood = mqttLines();
    // Per (source, reason) 10 lines a minute: refused connects, connection errors, rejected reports,
    // plus the device's own connect line.
    expect(flood.length).toBeLessThanOrEqual(40);
    // The budget is per source: another address refused for the same reason is still logged.
    const other = await rawClient(hub.mqttPort, '127.0.0.3');
    other.write(connectPacket({ clientId: hugeId, username: 'z', password: 'nothing' }));
    await other.closed();
    const fromOther = mqttLines().filter((l) => l.raw.includes('127.0.0.3'));
    expect(fromOther.length, fromOther.map((l) => l.raw).join('\n')).toBeGreaterThanOrEqual(1);
    expect(fromOther.every((l) => l.msg !== 'repeated log lines suppressed')).toBe(true);
    for (const line of lines) expect(line.raw.length, line.raw.slice(0, 200)).toBeLessThan(2048);
    const total = lines.reduce((n, l) => n + l.raw.length, 0);
    expect(total).toBeLessThan(100_000);

    // A minute later the next line of each source comes with a count of what was suppressed.
    now += 61_000;
    const raw = await rawClient(hub.mqttPort, '127.0.0.2');
    raw.write(connectPacket({ clientId: hugeId, username: 'nobody', password: 'nothing' }));
    await raw.closed();
    await dev.publishAsync(`dev/${device.id}/props`, JSON.stringify({ seq: 999, props: { 'x.y': 1 } }), {
      qos: 1,
    });
    const summaries = mqttLines().filter((l) => l.msg === 'repeated log lines suppressed');
    const suppressed = (reason: string) => summaries.find((l) => l.reason === reason)?.suppressed;
    expect(suppressed('connect refused: client id')).toBe(190);
    expect(suppressed('connection error')).toBe(190);
    expect(suppressed('unknown-property')).toBe(190);
    await end(dev);
  });

  it('writes at most 50 accepted-connect lines a second across all devices, and counts the rest', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const fleet = await provision(hub, partner, modelId, 60);
    now += 61_000;
    lines.length = 0;
    const clients = await Promise.all(fleet.map((d) => connectDevice(hub.mqttUrl, d)));
    const accepted = () =>
      mqttLines().filter((l) => l.msg === 'mqtt connect' && l.raw.includes('"accepted"'));
    expect(accepted()).toHaveLength(50);
    // The next second's first connect brings the count of the lines left out.
    now += 1000;
    const again = await connectDevice(hub.mqttUrl, device);
    const summary = mqttLines().find((l) => l.msg === 'log lines suppressed');
    expect(summary?.suppressed).toBe(10);
    expect(accepted()).toHaveLength(51);
    await Promise.all([...clients.map(end), end(again)]);
  });
});
