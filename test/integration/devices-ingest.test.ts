import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectDevice,
  nextSeq,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { nextEvent, scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';

describe('spec-validated ingest', () => {
  let hub: TestHub;
  let key: string;
  let device: ProvisionedDevice;
  let bystander: ProvisionedDevice;
  let client: MqttClient;
  beforeAll(async () => {
    hub = await startHub();
    // A read-only property outside device-information, to prove reports may only carry notify ones.
    const { partner, modelId } = await partnerWithModel(hub, 'acme.light.bulb1', (doc) => {
      const light = doc.services.find((s) => s.name === 'light');
      light?.properties.push({
        iid: 10,
        name: 'rated-power',
        description: 'Rated power',
        format: 'uint16',
        access: ['read'],
        unit: 'watt',
        range: [0, 1000, 1],
      });
      return doc;
    });
    key = partner.key;
    const provisioned = await provision(hub, partner, modelId, 2);
    device = provisioned[0] as ProvisionedDevice;
    bystander = provisioned[1] as ProvisionedDevice;
    client = await connectDevice(hub.mqttUrl, device);
  });
  afterAll(async () => {
    await end(client);
    await hub.stop();
  });

  const detail = async () => (await hub.request('GET', `/v1/devices/${device.id}`, { token: key })).body;
  const shadowOf = async () =>
    (await detail())['shadow'] as { version: number; reported: Record<string, { value: unknown }> };
  const historyCount = async (property: string) => {
    const res = await hub.request('GET', `/v1/devices/${device.id}/history?property=${property}`, {
      token: key,
    });
    expect(res.status, res.text).toBe(200);
    return (res.body['items'] as unknown[]).length;
  };

  it('stores a valid report in the shadow and the history before acknowledging it', async () => {
    const before = await shadowOf();
    await report(client, device.id, { 'light.on': true, 'light.brightness': 42, '2.3': 3000 });
    // The PUBACK has arrived: the report must already be readable.
    const after = await shadowOf();
    expect(after.version).toBe(before.version + 1);
    expect(after.reported['light.on']?.value).toBe(true);
    expect(after.reported['light.brightness']?.value).toBe(42);
    expect(after.reported['light.color-temperature']?.value).toBe(3000);
    expect(await historyCount('light.brightness')).toBe(1);
  });

  it('records the firmware revision a device announces', async () => {
    await report(client, device.id, { 'device-information.firmware-revision': '1.4.2' });
    expect((await detail())['firmwareVersion']).toBe('1.4.2');
  });

  it('stores a redelivered report (same seq) once', async () => {
    const seq = nextSeq();
    const metrics0 = await scrapeMetrics(hub);
    await report(client, device.id, { 'light.brightness': 77 }, seq);
    await report(client, device.id, { 'light.brightness': 77 }, seq);
    const points = await hub.request('GET', `/v1/devices/${device.id}/history?property=light.brightness`, {
      token: key,
    });
    expect((points.body['items'] as Array<{ value: number }>).filter((p) => p.value === 77)).toHaveLength(1);
    const metrics1 = await scrapeMetrics(hub);
    expect(
      (metrics1.get('ecohub_reports_duplicate_total') ?? 0) -
        (metrics0.get('ecohub_reports_duplicate_total') ?? 0),
    ).toBe(1);
  });

  const invalid: Array<[string, string, string]> = [
    ['not JSON', '{"seq": 1, "props": ', 'json'],
    ['no seq', JSON.stringify({ props: { 'light.on': true } }), 'shape'],
    ['unknown envelope field', JSON.stringify({ seq: 1, props: { 'light.on': true }, extra: 1 }), 'shape'],
    ['empty props', JSON.stringify({ seq: 1, props: {} }), 'shape'],
    ['seq as string', JSON.stringify({ seq: '1', props: { 'light.on': true } }), 'shape'],
    ['unknown property', JSON.stringify({ seq: 1, props: { 'light.warp': 1 } }), 'unknown-property'],
    ['read-only property', JSON.stringify({ seq: 1, props: { 'light.rated-power': 9 } }), 'not-notifiable'],
    ['over range', JSON.stringify({ seq: 1, props: { 'light.brightness': 101 } }), 'range'],
    ['under range', JSON.stringify({ seq: 1, props: { 'light.color-temperature': 2699 } }), 'range'],
    ['wrong format', JSON.stringify({ seq: 1, props: { 'light.on': 'yes' } }), 'format'],
    ['float for integer', JSON.stringify({ seq: 1, props: { 'light.brightness': 50.5 } }), 'format'],
    ['not in enum', JSON.stringify({ seq: 1, props: { 'light.fault': 99 } }), 'enum'],
    [
      'string too long',
      JSON.stringify({ seq: 1, props: { 'device-information.serial-number': 'x'.repeat(5000) } }),
      'length',
    ],
    [
      'one bad value spoils the report',
      JSON.stringify({ seq: 1, props: { 'light.on': false, 'light.brightness': 0 } }),
      'range',
    ],
  ];

  it.each(invalid)('rejects a report with %s as a whole, counted as %s', async (_what, payload, reason) => {
    const before = await shadowOf();
    const metrics0 = await scrapeMetrics(hub);
    const label = `ecohub_reports_rejected_total{reason="${reason}"}`;
    await client.publishAsync(`dev/${device.id}/props`, payload.replace('"seq":1', `"seq":${nextSeq()}`), {
      qos: 1,
    });
    const metrics1 = await scrapeMetrics(hub);
    expect((metrics1.get(label) ?? 0) - (metrics0.get(label) ?? 0)).toBe(1);
    expect(await shadowOf()).toEqual(before);
    expect(client.connected).toBe(true);
  });

  it('keeps other clients unaffected by a bad one', async () => {
    const other = await connectDevice(hub.mqttUrl, bystander);
    await client.publishAsync(`dev/${device.id}/props`, 'garbage', { qos: 1 });
    await report(other, bystander.id, { 'light.on': true });
    const res = await hub.request('GET', `/v1/devices/${bystander.id}`, { token: key });
    expect((res.body['shadow'] as { version: number }).version).toBe(1);
    await end(other);
  });

  it('validates and stores events, rejecting unknown events and bad arguments', async () => {
    const metrics0 = await scrapeMetrics(hub);
    const stored = nextEvent(hub, 'event', (e) => e.deviceId === device.id);
    await client.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({ seq: nextSeq(), event: 'light.fault-occurred', arguments: [{ piid: 4, value: 1 }] }),
      { qos: 1 },
    );
    expect((await stored).event).toBe('light.fault-occurred');
    for (const bad of [
      { seq: nextSeq(), event: 'light.exploded', arguments: [] },
      { seq: nextSeq(), event: 'light.fault-occurred', arguments: [{ piid: 4, value: 42 }] },
      { seq: nextSeq(), event: 'light.fault-occurred', arguments: [] },
    ]) {
      await client.publishAsync(`dev/${device.id}/events`, JSON.stringify(bad), { qos: 1 });
    }
    const events = await hub.request('GET', `/v1/devices/${device.id}/events`, { token: key });
    const list = events.body['items'] as Array<{ event: string; arguments: unknown }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ event: 'light.fault-occurred', arguments: [{ piid: 4, value: 1 }] });
    const metrics1 = await scrapeMetrics(hub);
    const delta = (label: string) => (metrics1.get(label) ?? 0) - (metrics0.get(label) ?? 0);
    expect(delta('ecohub_reports_rejected_total{reason="unknown-event"}')).toBe(1);
    expect(delta('ecohub_reports_rejected_total{reason="arguments"}')).toBe(2);
    expect(delta('ecohub_reports_accepted_total{kind="event"}')).toBe(1);
  });

  it('names event arguments `arguments` both ways, and still takes the old `args` from devices', async () => {
    const legacy = nextEvent(hub, 'event', (e) => e.deviceId === device.id && e.seq === 7_000_001);
    await client.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({ seq: 7_000_001, event: 'light.fault-occurred', args: [{ piid: 4, value: 2 }] }),
      { qos: 1 },
    );
    expect((await legacy).arguments).toEqual([{ piid: 4, value: 2 }]);
    const metrics0 = await scrapeMetrics(hub);
    await client.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({
        seq: 7_000_002,
        event: 'light.fault-occurred',
        arguments: [{ piid: 4, value: 1 }],
        args: [{ piid: 4, value: 1 }],
      }),
      { qos: 1 },
    );
    const metrics1 = await scrapeMetrics(hub);
    const shape = 'ecohub_reports_rejected_total{reason="shape"}';
    expect((metrics1.get(shape) ?? 0) - (metrics0.get(shape) ?? 0)).toBe(1);
    const events = await hub.request('GET', `/v1/devices/${device.id}/events`, { token: key });
    const list = events.body['items'] as Array<{ seq: number; arguments: unknown; args?: unknown }>;
    const stored = list.filter((e) => e.seq === 7_000_001 || e.seq === 7_000_002);
    expect(stored).toEqual([expect.objectContaining({ seq: 7_000_001, arguments: [{ piid: 4, value: 2 }] })]);
    expect(stored[0]?.args).toBeUndefined();
  });

  it('closes the connection of a device that sends a packet over the size limit', async () => {
    const big = await connectDevice(hub.mqttUrl, bystander);
    const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.publish(`dev/${bystander.id}/props`, 'x'.repeat(70 * 1024), { qos: 1 });
    await closed;
    big.end(true);
    expect((await hub.request('GET', '/readyz')).status).toBe(200);
  });

  it('exports ingest metrics in Prometheus format', async () => {
    const m = await scrapeMetrics(hub);
    for (const name of [
      'ecohub_mqtt_connections',
      'ecohub_devices_online',
      'ecohub_ingest_batch_size_count',
      'ecohub_ingest_latency_seconds_count',
      'ecohub_ingest_write_seconds_count',
      'ecohub_mqtt_messages_received_total{topic="props"}',
    ]) {
      expect(m.has(name), name).toBe(true);
    }
    expect(m.get('ecohub_devices_online')).toBeGreaterThanOrEqual(1);
  });
});
