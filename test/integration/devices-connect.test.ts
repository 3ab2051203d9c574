import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectDevice,
  deviceOptions,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
} from '../support/devices.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { connect, end } from '../support/mqtt.js';

function waitFor(
  client: import('mqtt').MqttClient,
  event: 'close' | 'offline',
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('device MQTT identity', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let partnerKey: string;
  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    partnerKey = partner.key;
    devices = await provision(hub, partner, modelId, 6);
  });
  afterAll(async () => {
    await hub.stop();
  });
  const device = (i: number): ProvisionedDevice => {
    const d = devices[i];
    if (!d) throw new Error(`no device ${i}`);
    return d;
  };

  it('accepts the device id and secret over TCP and WebSocket', async () => {
    for (const url of [hub.mqttUrl, hub.wsUrl]) {
      const client = await connectDevice(url, device(0));
      await end(client);
    }
  });

  it('refuses wrong secrets, unknown ids and mismatched client ids with the right CONNACK code', async () => {
    const d = device(1);
    const cases: Array<[string, import('mqtt').IClientOptions, number]> = [
      ['wrong secret', deviceOptions(d, { password: `${d.secret}x` }), 4],
      ['unknown id', { clientId: 'ffffffffffffffff', username: 'ffffffffffffffff', password: d.secret }, 4],
      ['no password', { clientId: d.id, username: d.id }, 4],
      ['clientId mismatch', deviceOptions(d, { clientId: device(2).id }), 2],
      ["another device's secret", deviceOptions(d, { password: device(2).secret }), 4],
    ];
    for (const [what, options, code] of cases) {
      const outcome = await connect(hub.mqttUrl, options);
      expect(outcome.ok, what).toBe(false);
      if (!outcome.ok) expect(outcome.code, what).toBe(code);
    }
  });

  it('refuses a blocked device with CONNACK 5 and disconnects a connected one at once', async () => {
    const d = device(3);
    const client = await connectDevice(hub.mqttUrl, d);
    const closed = waitFor(client, 'close');
    const blocked = await hub.request('POST', `/v1/devices/${d.id}/block`, { token: partnerKey });
    expect(blocked.status).toBe(200);
    expect(blocked.body['blocked']).toBe(true);
    await closed;
    client.end(true);
    const again = await connect(hub.mqttUrl, deviceOptions(d));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.code).toBe(5);
    expect((await hub.request('POST', `/v1/devices/${d.id}/unblock`, { token: ADMIN_TOKEN })).status).toBe(
      200,
    );
    await end(await connectDevice(hub.mqttUrl, d));
  });

  it('rotates a secret: the old one is refused, the connected device dropped, the new one works', async () => {
    const d = device(4);
    const client = await connectDevice(hub.mqttUrl, d);
    const closed = waitFor(client, 'close');
    const rotated = await hub.request('POST', `/v1/devices/${d.id}/secret`, { token: partnerKey });
    expect(rotated.status).toBe(201);
    await closed;
    client.end(true);
    const old = await connect(hub.mqttUrl, deviceOptions(d));
    expect(old.ok).toBe(false);
    await end(await connectDevice(hub.mqttUrl, { ...d, secret: String(rotated.body['secret']) }));
  });

  it('lets a second connection with the same credentials take over; a wrong credential disturbs nothing', async () => {
    const d = device(5);
    const first = await connectDevice(hub.mqttUrl, d, { clean: true });
    let firstClosed = false;
    first.on('close', () => {
      firstClosed = true;
    });
    const intruder = await connect(
      hub.mqttUrl,
      deviceOptions(d, { password: 'not-the-secret-at-all-xxxxxxxx' }),
    );
    expect(intruder.ok).toBe(false);
    // The first connection still works: a QoS 1 publish round trip completes.
    await first.publishAsync(`dev/${d.id}/props`, JSON.stringify({ seq: 1, props: { 'light.on': true } }), {
      qos: 1,
    });
    expect(firstClosed).toBe(false);

    const closed = waitFor(first, 'close');
    const second = await connectDevice(hub.wsUrl, d, { clean: true });
    await closed;
    first.end(true);
    await second.publishAsync(`dev/${d.id}/props`, JSON.stringify({ seq: 2, props: { 'light.on': false } }), {
      qos: 1,
    });
    const detail = await hub.request('GET', `/v1/devices/${d.id}`, { token: partnerKey });
    expect(detail.body['presence']).toMatchObject({ online: true });
    await end(second);
  });
});
