import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  type DeviceCommandMessage,
  fakeDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('desired state belongs to its users and follows what the device says', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let alice: User;
  let bob: User;
  let carol: User;
  let next = 0;
  /** A device nobody has claimed yet. */
  const fresh = () => devices[next++] as ProvisionedDevice;

  beforeAll(async () => {
    // A long timeout: an answer seen before it comes from the hub's decisions, not from timing out.
    hub = await startHub({ commandTimeoutMs: 20_000 });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 12);
    [alice, bob, carol] = [await newUser(hub), await newUser(hub), await newUser(hub)];
  });
  afterAll(() => hub.stop());

  const command = (user: User, did: string, body: Record<string, unknown>) =>
    hub.request('POST', `/v1/devices/${did}/commands`, { token: user.token, body });
  const desiredOf = async (user: User, did: string) => {
    const res = await hub.request('GET', `/v1/me/devices/${did}/desired`, { token: user.token });
    expect(res.status, res.text).toBe(200);
    return res.body as { desired: Record<string, unknown>; refused: Record<string, unknown> };
  };

  /** Closes the device's connection and waits until the hub has it offline. */
  async function disconnect(client: Parameters<typeof end>[0], deviceId: string) {
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === deviceId && !p.online);
    await end(client);
    await offline;
  }

  /**
   * Connects the device and proves what it was sent on connect: `user` then sends it a `get`,
   * which must be the first command it sees unless desired values were due first.
   */
  async function commandsOnConnect(
    device: ProvisionedDevice,
    user: User,
    answer?: (c: DeviceCommandMessage) => unknown,
  ) {
    const listening = nextEvent(hub, 'presence', (p) => p.deviceId === device.id && p.online);
    const dev = await fakeDevice(hub.mqttUrl, device, answer);
    await listening;
    const marker = await command(user, device.id, { op: 'get', props: ['light.on'] });
    expect(marker.status, marker.text).toBe(200);
    const seen = [...dev.received];
    await disconnect(dev.client, device.id);
    const at = seen.findIndex((c) => c.op === 'get');
    expect(at, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    return seen.slice(0, at);
  }

  it('forgets an owner’s pending values when it removes the device, and never sends an empty set', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    const queued = await command(alice, device.id, { op: 'set', props: { 'light.brightness': 30 } });
    expect(queued.status).toBe(202);
    const removed = await hub.request('DELETE', `/v1/devices/${device.id}/binding`, { token: alice.token });
    expect(removed.status).toBe(200);
    await claim(hub, bob.token, { ...device, pairingCode: String(removed.body['pairingCode']) });

    // Before: {"op":"set","props":{}} on this connect and on every one after.
    expect(await commandsOnConnect(device, bob)).toEqual([]);
    expect(await commandsOnConnect(device, bob)).toEqual([]);
    expect(await desiredOf(bob, device.id)).toEqual({ desired: {}, refused: {} });
  });

  it('drops what a member left pending when its share is revoked', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    const shared = await hub.request('POST', `/v1/devices/${device.id}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    expect(shared.status, shared.text).toBe(201);
    expect((await command(bob, device.id, { op: 'set', props: { 'light.on': true } })).status).toBe(202);
    expect((await command(alice, device.id, { op: 'set', props: { 'light.brightness': 70 } })).status).toBe(
      202,
    );
    const revoked = await hub.request('DELETE', `/v1/devices/${device.id}/shares/${bob.id}`, {
      token: alice.token,
    });
    expect(revoked.status).toBe(204);

    const sent = await commandsOnConnect(device, alice);
    expect(sent.map((c) => c.props)).toEqual([{ 'light.brightness': 70 }]);
    expect((await desiredOf(alice, device.id)).desired).toEqual({
      'light.brightness': { value: 70, setAt: expect.any(String) },
    });
  });

  it('answers a command still waiting for a device at once when its user loses the device', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    await hub.request('POST', `/v1/devices/${device.id}/shares`, {
      token: alice.token,
      body: { email: carol.email },
    });
    const dev = await fakeDevice(hub.mqttUrl, device, () => undefined); // never answers
    const phone = await rawPhone(hub.mqttUrl, carol);
    phone.send({ id: 'slow-get', did: device.id, op: 'get', props: ['light.on'] });
    await dev.waitFor(1);
    const started = Date.now();
    await hub.request('DELETE', `/v1/devices/${device.id}/shares/${carol.id}`, { token: alice.token });
    const reply = await phone.reply('slow-get', 5000);
    expect(reply).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    expect(Date.now() - started).toBeLessThan(5000); // the command timeout is 20 s
    // The device's late answer reaches nobody.
    const [cmd] = dev.received;
    dev.client.publish(
      `dev/${device.id}/replies`,
      JSON.stringify({ id: cmd?.id, status: 'ok', data: { props: { 'light.on': true } } }),
      { qos: 1 },
    );
    await phone.sync();
    expect(phone.repliesTo('slow-get')).toHaveLength(1);
    await Promise.all([end(dev.client), end(phone.client)]);
  });

  it('clears a value the device refuses, records why, and does not push it again', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    const refuse = (c: DeviceCommandMessage) =>
      c.op === 'set'
        ? { id: c.id, status: 'error', error: { code: 'VALUE_INVALID', message: 'the LED driver is at 60' } }
        : { id: c.id, status: 'ok', data: {} };
    const dev = await fakeDevice(hub.mqttUrl, device, refuse);
    const res = await command(alice, device.id, { op: 'set', props: { 'light.brightness': 90 } });
    expect(res.status).toBe(502);
    expect(res.body['code']).toBe('DEVICE_ERROR');
    await disconnect(dev.client, device.id);

    expect(await desiredOf(alice, device.id)).toEqual({
      desired: {},
      refused: {
        'light.brightness': {
          value: 90,
          code: 'VALUE_INVALID',
          message: 'the LED driver is at 60',
          refusedAt: expect.any(String),
        },
      },
    });
    // Before: pushed again on every reconnect, forever.
    expect(await commandsOnConnect(device, alice)).toEqual([]);

    // The same for a value queued while offline and refused when delivered on reconnect.
    expect((await command(alice, device.id, { op: 'set', props: { 'light.on': false } })).status).toBe(202);
    const delivered = await commandsOnConnect(device, alice, refuse);
    expect(delivered.map((c) => c.props)).toEqual([{ 'light.on': false }]);
    const after = await desiredOf(alice, device.id);
    expect(after.desired).toEqual({});
    expect(Object.keys(after.refused).sort()).toEqual(['light.brightness', 'light.on']);
    expect(await commandsOnConnect(device, alice)).toEqual([]);

    // A new value for a property replaces its refusal.
    expect((await command(alice, device.id, { op: 'set', props: { 'light.on': true } })).status).toBe(202);
    expect(Object.keys((await desiredOf(alice, device.id)).refused)).toEqual(['light.brightness']);
  });

  it('sends a reconnecting device the delta: desired values that differ from what it reported', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    const dev = await fakeDevice(hub.mqttUrl, device);
    const stored = nextEvent(hub, 'reported', (r) => r.deviceId === device.id);
    await report(dev.client, device.id, { 'light.on': true, 'light.brightness': 10 });
    await stored;
    await disconnect(dev.client, device.id);

    const queued = await command(alice, device.id, {
      op: 'set',
      props: { 'light.on': true, 'light.brightness': 50 },
    });
    expect(queued.status).toBe(202);
    const sent = await commandsOnConnect(device, alice);
    // Before: both values, although the device already reported light.on = true.
    expect(sent.map((c) => c.props)).toEqual([{ 'light.brightness': 50 }]);
    expect(Object.keys((await desiredOf(alice, device.id)).desired)).toEqual(['light.brightness']);
  });

  it('lets its users read and clear desired state over REST and MQTT; others see nothing', async () => {
    const device = fresh();
    await claim(hub, alice.token, device);
    await hub.request('POST', `/v1/devices/${device.id}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    const set = await command(alice, device.id, {
      op: 'set',
      props: { 'light.on': true, 'light.brightness': 20, 'light.color-temperature': 3000 },
    });
    expect(set.status).toBe(202);

    const phone = await rawPhone(hub.mqttUrl, bob);
    phone.send({ id: 'read-1', did: device.id, op: 'desired' });
    const read = await phone.reply('read-1');
    expect(read).toMatchObject({
      status: 'ok',
      data: { desired: { 'light.on': { value: true }, 'light.brightness': { value: 20 } }, refused: {} },
    });
    // By name or by iid (2.2 is light.brightness).
    phone.send({ id: 'clear-1', did: device.id, op: 'clear-desired', props: ['2.2'] });
    const cleared = await phone.reply('clear-1');
    expect(cleared.status).toBe('ok');
    expect(Object.keys((await desiredOf(alice, device.id)).desired).sort()).toEqual([
      'light.color-temperature',
      'light.on',
    ]);
    phone.send({ id: 'clear-2', did: device.id, op: 'clear-desired', props: ['light.warp'] });
    expect(await phone.reply('clear-2')).toMatchObject({
      status: 'error',
      error: { code: 'PROPERTY_UNKNOWN' },
    });

    const one = await hub.request('DELETE', `/v1/me/devices/${device.id}/desired/light.on`, {
      token: alice.token,
    });
    expect(one.status, one.text).toBe(200);
    expect(Object.keys((one.body as { desired: object }).desired)).toEqual(['light.color-temperature']);
    const all = await hub.request('DELETE', `/v1/me/devices/${device.id}/desired`, { token: alice.token });
    expect(all.body).toEqual({ desired: {}, refused: {} });
    expect(await commandsOnConnect(device, alice)).toEqual([]);

    for (const [method, path] of [
      ['GET', `/v1/me/devices/${device.id}/desired`],
      ['DELETE', `/v1/me/devices/${device.id}/desired`],
    ] as const) {
      expect((await hub.request(method, path, { token: carol.token })).status).toBe(404);
    }
    const outsider = await rawPhone(hub.mqttUrl, carol);
    outsider.send({ id: 'peek', did: device.id, op: 'desired' });
    expect(await outsider.reply('peek')).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    await Promise.all([end(phone.client), end(outsider.client)]);
  });
});
