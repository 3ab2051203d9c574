import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  connectDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connected, end, phoneOptions } from '../support/mqtt.js';

/** The first message on `topic` the client receives, parsed, or a rejection after `ms`. */
function nextMessage(client: MqttClient, topic: string, ms = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${ms} ms`));
    }, ms);
    function onMessage(t: string, payload: Buffer) {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString()) as Record<string, unknown>);
    }
    client.on('message', onMessage);
  });
}

describe('the hub publishes only what some session receives', () => {
  let hub: TestHub;
  let device: ProvisionedDevice;
  let user: Awaited<ReturnType<typeof newUser>>;
  /** Topics the hub routed through the broker (its own publishes). */
  const routed: string[] = [];
  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    user = await newUser(hub);
    await claim(hub, user.token, device);
    const publish = hub.broker.publish.bind(hub.broker);
    hub.broker.publish = (topic, payload, options) => {
      if (topic.startsWith('dev/')) routed.push(topic);
      return publish(topic, payload, options);
    };
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('routes no shadow update for a device nobody watches, and routes them once a phone subscribes', async () => {
    const dev = await connectDevice(hub.mqttUrl, device);
    const shadow = `dev/${device.id}/shadow`;
    await report(dev, device.id, { 'light.on': true });

    const phone = await connected(hub.mqttUrl, phoneOptions(user));
    await phone.subscribeAsync(shadow, { qos: 1 });
    const received = nextMessage(phone, shadow);
    const watchedSeq = await report(dev, device.id, { 'light.on': false });
    expect((await received)['seq']).toBe(watchedSeq);
    expect(routed.filter((t) => t === shadow)).toHaveLength(1);

    await end(phone);
    await end(dev);
  });

  it('keeps retained presence right for later subscribers without routing it to nobody', async () => {
    const presence = `dev/${device.id}/presence`;
    const before = routed.filter((t) => t === presence).length;
    const dev = await connectDevice(hub.mqttUrl, device);
    const late = await connected(hub.mqttUrl, phoneOptions(user));
    const retained = nextMessage(late, presence);
    await late.subscribeAsync(presence, { qos: 1 });
    expect(await retained).toMatchObject({ online: true });
    expect(routed.filter((t) => t === presence).length).toBe(before);

    // Watched now: the change of state is delivered live, once.
    const offline = nextMessage(late, presence);
    await end(dev);
    expect(await offline).toMatchObject({ online: false });
    expect(routed.filter((t) => t === presence).length).toBe(before + 1);
    await end(late);
  });
});
