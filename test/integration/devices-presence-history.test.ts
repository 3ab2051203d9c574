import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';

function lengthPrefixed(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** A CONNECT with keepalive=1 s, sent raw so that no PINGREQ ever follows it. */
function silentConnect(port: number, device: ProvisionedDevice): net.Socket {
  const variable = Buffer.concat([lengthPrefixed('MQTT'), Buffer.from([4, 0xc2, 0, 1])]); // user+password, clean; keepalive 1 s
  const payload = Buffer.concat([
    lengthPrefixed(device.id),
    lengthPrefixed(device.id),
    lengthPrefixed(device.secret),
  ]);
  const remaining = variable.length + payload.length;
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]));
  });
  socket.on('error', () => undefined);
  return socket;
}

describe('presence', () => {
  let hub: TestHub;
  let key: string;
  let devices: ProvisionedDevice[];
  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    key = partner.key;
    devices = await provision(hub, partner, modelId, 3);
  });
  afterAll(async () => {
    await hub.stop();
  });
  const presenceOf = async (id: string) =>
    (await hub.request('GET', `/v1/devices/${id}`, { token: key })).body['presence'] as Record<
      string,
      unknown
    >;

  it('goes online on connect and offline on disconnect, with last seen and a connection count', async () => {
    const d = devices[0] as ProvisionedDevice;
    expect(await presenceOf(d.id)).toMatchObject({ online: false, connectionCount: 0, lastSeenAt: null });
    const online = nextEvent(hub, 'presence', (p) => p.deviceId === d.id && p.online);
    const client = await connectDevice(hub.mqttUrl, d);
    await online;
    const p1 = await presenceOf(d.id);
    expect(p1).toMatchObject({ online: true, connectionCount: 1 });
    expect(p1['connectedAt']).toEqual(expect.any(String));
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === d.id && !p.online);
    await end(client);
    await offline;
    const p2 = await presenceOf(d.id);
    expect(p2).toMatchObject({ online: false, connectionCount: 1 });
    expect(Date.parse(String(p2['lastSeenAt']))).toBeGreaterThanOrEqual(
      Date.parse(String(p1['connectedAt'])),
    );
    const again = await connectDevice(hub.wsUrl, d);
    expect(await presenceOf(d.id)).toMatchObject({ online: true, connectionCount: 2 });
    await end(again);
  });

  it('goes offline when the keepalive expires', async () => {
    const d = devices[1] as ProvisionedDevice;
    const online = nextEvent(hub, 'presence', (p) => p.deviceId === d.id && p.online);
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === d.id && !p.online, 8000);
    const socket = silentConnect(hub.mqttPort, d);
    await online;
    const gone = await offline;
    expect(gone.online).toBe(false);
    expect((await presenceOf(d.id))['online']).toBe(false);
    socket.destroy();
  });

  it('lists devices by presence', async () => {
    const d = devices[2] as ProvisionedDevice;
    const client = await connectDevice(hub.mqttUrl, d);
    const res = await hub.request('GET', '/v1/devices?online=true', { token: key });
    expect((res.body['items'] as Array<{ id: string }>).map((x) => x.id)).toEqual([d.id]);
    await end(client);
  });

  it('marks every device offline after a restart', async () => {
    const dataDir = hub.dataDir;
    const d = devices[2] as ProvisionedDevice;
    const client = await connectDevice(hub.mqttUrl, d);
    client.on('error', () => undefined);
    await hub.close();
    client.end(true);
    hub = await startHub({ dataDir });
    expect((await presenceOf(d.id))['online']).toBe(false);
  });
});

describe('property history', () => {
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  let now = t0;
  let hub: TestHub;
  let key: string;
  let device: ProvisionedDevice;
  beforeAll(async () => {
    hub = await startHub({ now: () => now });
    const { partner, modelId } = await partnerWithModel(hub);
    key = partner.key;
    device = (await provision(hub, partner, modelId, 1))[0] as ProvisionedDevice;
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('downsamples into buckets with the right min, max and average', async () => {
    const client = await connectDevice(hub.mqttUrl, device);
    const data: Array<[number, number]> = [
      [0, 10],
      [10, 20],
      [20, 30],
      [60, 40],
      [70, 60],
      [130, 5],
    ];
    for (const [second, value] of data) {
      now = t0 + second * 1000;
      await report(client, device.id, { 'light.brightness': value });
    }
    await end(client);
    const from = new Date(t0).toISOString();
    const to = new Date(t0 + 180_000).toISOString();
    const res = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&from=${from}&to=${to}&bucket=60000`,
      { token: key },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body['items']).toEqual([
      { start: '2026-01-01T00:00:00.000Z', count: 3, min: 10, max: 30, avg: 20 },
      { start: '2026-01-01T00:01:00.000Z', count: 2, min: 40, max: 60, avg: 50 },
      { start: '2026-01-01T00:02:00.000Z', count: 1, min: 5, max: 5, avg: 5 },
    ]);
    const raw = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&from=${from}&to=${to}`,
      {
        token: key,
      },
    );
    expect((raw.body['items'] as Array<{ value: number }>).map((p) => p.value)).toEqual([
      10, 20, 30, 40, 60, 5,
    ]);
    const narrow = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&from=${new Date(t0 + 60_000).toISOString()}&to=${to}&bucket=60000`,
      { token: key },
    );
    expect((narrow.body['items'] as unknown[]).length).toBe(2);
  });

  it('aligns buckets to UTC minute, hour and day boundaries, whatever `from` is', async () => {
    const client = await connectDevice(hub.mqttUrl, device);
    for (const [at, value] of [
      ['2026-01-03T10:00:30Z', 1],
      ['2026-01-03T10:01:10Z', 3],
      ['2026-01-03T10:59:59Z', 5],
      ['2026-01-03T11:00:00Z', 7],
      ['2026-01-04T02:00:00Z', 9],
    ] as const) {
      now = Date.parse(at);
      await report(client, device.id, { 'light.brightness': value });
    }
    await end(client);
    const buckets = async (from: string, to: string, bucket: number) => {
      const res = await hub.request(
        'GET',
        `/v1/devices/${device.id}/history?property=light.brightness&from=${from}&to=${to}&bucket=${bucket}`,
        { token: key },
      );
      expect(res.status, res.text).toBe(200);
      return (res.body['items'] as Array<{ start: string; count: number }>).map((b) => [b.start, b.count]);
    };
    expect(await buckets('2026-01-03T10:00:45Z', '2026-01-03T10:02:00Z', 60_000)).toEqual([
      ['2026-01-03T10:01:00.000Z', 1],
    ]);
    // Two charts asked from different moments share their bucket edges.
    for (const from of ['2026-01-03T10:00:10Z', '2026-01-03T10:00:20Z']) {
      expect(await buckets(from, '2026-01-03T12:00:00Z', 3_600_000), from).toEqual([
        ['2026-01-03T10:00:00.000Z', 3],
        ['2026-01-03T11:00:00.000Z', 1],
      ]);
    }
    expect(await buckets('2026-01-03T09:30:00Z', '2026-01-05T00:00:00Z', 86_400_000)).toEqual([
      ['2026-01-03T00:00:00.000Z', 4],
      ['2026-01-04T00:00:00.000Z', 1],
    ]);
  });

  it('refuses an inverted range and too many buckets, naming the field', async () => {
    const inverted = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`,
      { token: key },
    );
    expect(inverted.status).toBe(400);
    expect(inverted.body.errors?.[0]?.path).toBe('/to');
    const many = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=1000`,
      { token: key },
    );
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]?.path).toBe('/bucket');
    const bad = await hub.request(
      'GET',
      `/v1/devices/${device.id}/history?property=light.brightness&bucket=abc`,
      { token: key },
    );
    expect(bad.status).toBe(400);
  });
});
