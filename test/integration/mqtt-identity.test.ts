import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connect, end } from '../support/mqtt.js';

type User = Awaited<ReturnType<typeof newUser>>;

/** Records whether the client's connection closed, so a test can assert it stayed open. */
function watchClose(client: MqttClient): {
  readonly closed: boolean;
  wait(timeoutMs?: number): Promise<void>;
} {
  let closed = false;
  const waiters: Array<() => void> = [];
  client.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  return {
    get closed() {
      return closed;
    },
    wait(timeoutMs = 5000) {
      if (closed) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

describe('a clientId belongs to one identity', () => {
  let hub: TestHub;
  let device: ProvisionedDevice;
  let partnerKey: string;
  let alice: User;
  let mallory: User;

  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    partnerKey = partner.key;
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    [alice, mallory] = [await newUser(hub), await newUser(hub)];
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("refuses a user who takes a live device's id with CONNACK 2; the device stays online", async () => {
    const live = await connectDevice(hub.mqttUrl, device);
    const watch = watchClose(live);
    const intruder = await connect(hub.mqttUrl, {
      clientId: device.id,
      username: 'token',
      password: mallory.token,
    });
    expect(intruder.ok).toBe(false);
    if (!intruder.ok) expect(intruder.code).toBe(2);
    // The device's session is untouched: a QoS 1 round trip completes and it is still online.
    await live.publishAsync(
      `dev/${device.id}/props`,
      JSON.stringify({ seq: 1, props: { 'light.on': true } }),
      {
        qos: 1,
      },
    );
    expect(watch.closed).toBe(false);
    const detail = await hub.request('GET', `/v1/devices/${device.id}`, { token: partnerKey });
    expect(detail.body['presence']).toMatchObject({ online: true, connectionCount: 1 });
    await end(live);
  });

  it("refuses a user who takes another user's phone clientId with CONNACK 2; the owner's session stays", async () => {
    const phoneId = `app/${alice.id}/phone-1`;
    const first = await connect(hub.mqttUrl, { clientId: phoneId, username: 'token', password: alice.token });
    if (!first.ok) throw new Error(first.error);
    const watch = watchClose(first.client);
    const intruder = await connect(hub.mqttUrl, {
      clientId: phoneId,
      username: 'token',
      password: mallory.token,
    });
    expect(intruder.ok).toBe(false);
    if (!intruder.ok) expect(intruder.code).toBe(2);
    await first.client.subscribeAsync(`app/${alice.id}/replies`, { qos: 1 });
    expect(watch.closed).toBe(false);

    // The same user may take over its own clientId (a phone reconnecting with a new token).
    const again = await hub.request('POST', '/v1/auth/login', {
      body: { email: alice.email, password: alice.password },
    });
    const second = await connect(hub.wsUrl, {
      clientId: phoneId,
      username: 'token',
      password: String(again.body['token']),
    });
    expect(second.ok).toBe(true);
    await watch.wait();
    if (second.ok) await end(second.client);
    await end(first.client);
  });

  it('accepts only clientIds in the user namespace app/{uid}/..., or an empty one the hub assigns', async () => {
    const cases: Array<[string, boolean]> = [
      [`app/${alice.id}`, true],
      [`app/${alice.id}/tablet_2.web-x`, true],
      [`app/${alice.id}/${'x'.repeat(64)}`, true],
      [`app/${alice.id}/${'x'.repeat(65)}`, false],
      [`app/${alice.id}/`, false],
      [`app/${alice.id}/a/b`, false],
      [`app/${alice.id}/sp ace`, false],
      [`app/${mallory.id}/phone`, false],
      [`app/${alice.id}x/phone`, false],
      ['mqttjs_0123abcd', false],
      [alice.id, false],
      ['ffffffffffffffff', false],
    ];
    for (const [clientId, ok] of cases) {
      const outcome = await connect(hub.mqttUrl, { clientId, username: 'token', password: alice.token });
      expect(outcome.ok, clientId).toBe(ok);
      if (outcome.ok) await end(outcome.client);
      else expect(outcome.code, clientId).toBe(2);
    }
    const assigned = await connect(hub.mqttUrl, {
      clientId: '',
      clean: true,
      username: 'token',
      password: alice.token,
    });
    expect(assigned.ok).toBe(true);
    if (assigned.ok) await end(assigned.client);
  });
});
