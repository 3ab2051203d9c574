import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  connectDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
} from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { connected, end, phoneOptions, subscribeCode } from '../support/mqtt.js';

describe('per-session subscription cap and hub-only retained messages', () => {
  let hub: TestHub;
  let device: ProvisionedDevice;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    hub = await startHub({ limits: { maxSubscriptionsPerSession: 10 } });
    const { partner, modelId } = await partnerWithModel(hub);
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    user = await newUser(hub);
    await claim(hub, user.token, device);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('refuses filters past the cap with 0x80, keeps the connection, and frees a slot on unsubscribe', async () => {
    const phone = await connected(hub.mqttUrl, phoneOptions(user));
    const filters = Array.from({ length: 14 }, (_, i) => `app/${user.id}/f${i}`);
    // One SUBSCRIBE with 14 filters: the first 10 are granted.
    const granted = await phone
      .subscribeAsync(filters, { qos: 1 })
      .catch((err: { packet?: { granted?: number[] } }) =>
        (err.packet?.granted ?? []).map((qos) => ({ qos })),
      );
    expect(granted.map((g) => g.qos)).toEqual([...Array(10).fill(1), 128, 128, 128, 128]);
    // Subscribing again to a granted filter does not take a slot; a new one does not fit.
    expect(await subscribeCode(phone, `app/${user.id}/f0`)).toBe(1);
    expect(await subscribeCode(phone, `dev/${device.id}/shadow`)).toBe(128);
    await phone.unsubscribeAsync(`app/${user.id}/f0`);
    expect(await subscribeCode(phone, `dev/${device.id}/shadow`)).toBe(1);
    expect(phone.connected).toBe(true);
    await end(phone);
  });

  it('ignores the retain flag on every device upward topic, wills and phone commands; only the hub retains (presence)', async () => {
    const dev = await connectDevice(hub.mqttUrl, device);
    const retain = { qos: 1 as const, retain: true };
    await dev.publishAsync(
      `dev/${device.id}/props`,
      JSON.stringify({ seq: 1, props: { 'light.on': true } }),
      retain,
    );
    await dev.publishAsync(`dev/${device.id}/replies`, JSON.stringify({ id: 'x', status: 'ok' }), retain);
    await dev.publishAsync(`dev/${device.id}/ota/progress`, JSON.stringify({ pct: 1 }), retain);
    const event = nextEvent(hub, 'event', (e) => e.deviceId === device.id);
    await dev.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({ seq: 2, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 1 }] }),
      retain,
    );
    await event;
    await end(dev);
    expect(await hub.broker.retainedTopics()).toEqual([`dev/${device.id}/presence`]);

    // A device's will with the retain flag: it is fired (stored as a report), never retained.
    const willSeq = 3;
    const willed = await connectDevice(hub.mqttUrl, device, {
      will: {
        topic: `dev/${device.id}/props`,
        payload: Buffer.from(JSON.stringify({ seq: willSeq, props: { 'light.on': false } })),
        qos: 1,
        retain: true,
      },
    });
    const fired = nextEvent(hub, 'reported', (r) => r.deviceId === device.id && r.seq === willSeq);
    willed.stream.destroy(); // gone without DISCONNECT: the hub publishes the will
    await fired;
    const phone = await connected(hub.mqttUrl, phoneOptions(user));
    await phone.publishAsync(
      `app/${user.id}/cmd`,
      JSON.stringify({ id: 'r1', did: device.id, op: 'get', props: ['light.on'] }),
      retain,
    );
    expect(await hub.broker.retainedTopics()).toEqual([`dev/${device.id}/presence`]);

    // A new subscriber to the phone's own namespace gets no retained command back.
    const late = await connected(hub.mqttUrl, phoneOptions(user));
    const seen: string[] = [];
    const retained: string[] = [];
    late.on('message', (topic, _payload, packet) => {
      seen.push(topic);
      if (packet.retain) retained.push(topic);
    });
    await late.subscribeAsync([`app/${user.id}/#`, `dev/${device.id}/presence`], { qos: 1 });
    await late.publishAsync(
      `app/${user.id}/cmd`,
      JSON.stringify({ id: 'sync', did: device.id, op: 'get', props: ['x.y'] }),
      {
        qos: 1,
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 5 s')), 5000);
      const check = () => {
        if (!seen.includes(`app/${user.id}/replies`)) return;
        clearTimeout(timer);
        resolve();
      };
      late.on('message', check);
      check();
    });
    // Subscribing delivers retained messages at once: the hub's presence, never a client's command.
    expect(retained).toEqual([`dev/${device.id}/presence`]);
    await Promise.all([end(phone), end(late)]);
  });
});
