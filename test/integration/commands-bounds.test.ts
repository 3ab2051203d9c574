import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  fakeDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
} from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('command ids are keyed by (user, device, id)', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let owner: User;
  const device = (i: number) => devices[i] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub({ commandTimeoutMs: 2000 });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 3);
    owner = await newUser(hub);
    await claim(hub, owner.token, device(0));
    await claim(hub, owner.token, device(1));
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("never replays another device's reply over REST, and refuses a reused id with another body (422)", async () => {
    const b = await fakeDevice(hub.mqttUrl, device(0), (cmd) => ({
      id: cmd.id,
      status: 'ok',
      data: { from: 'B' },
    }));
    const c = await fakeDevice(hub.mqttUrl, device(1), (cmd) => ({
      id: cmd.id,
      status: 'ok',
      data: { from: 'C' },
    }));
    const get = { id: 'same-id', op: 'get', props: ['light.on'] };
    const first = await hub.request('POST', `/v1/devices/${device(0).id}/commands`, {
      token: owner.token,
      body: get,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body['data']).toEqual({ from: 'B' });

    // A device that is not the user's: 404, not B's cached reply.
    const unbound = await hub.request('POST', `/v1/devices/${device(2).id}/commands`, {
      token: owner.token,
      body: get,
    });
    expect(unbound.status).toBe(404);
    // Another device of the user: runs there.
    const other = await hub.request('POST', `/v1/devices/${device(1).id}/commands`, {
      token: owner.token,
      body: get,
    });
    expect(other.status).toBe(200);
    expect(other.body['data']).toEqual({ from: 'C' });
    expect(c.received).toHaveLength(1);

    // Same device, same id, different command: refused, and the device is not commanded.
    const reused = await hub.request('POST', `/v1/devices/${device(0).id}/commands`, {
      token: owner.token,
      body: { id: 'same-id', op: 'set', props: { 'light.on': true } },
    });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'COMMAND_ID_REUSED' });
    expect(reused.body.errors?.[0]?.path).toBe('/id');
    // Same device, same id, same command (keys in another order): the first reply, not run again.
    const retry = await hub.request('POST', `/v1/devices/${device(0).id}/commands`, {
      token: owner.token,
      body: { props: ['light.on'], op: 'get', id: 'same-id' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body['data']).toEqual({ from: 'B' });
    expect(b.received).toHaveLength(1);
    await Promise.all([end(b.client), end(c.client)]);
  });

  it('refuses a reused id with another body over MQTT with the same code', async () => {
    const b = await fakeDevice(hub.mqttUrl, device(0));
    const phone = await rawPhone(hub.mqttUrl, owner);
    phone.send({ id: 'mqtt-id', did: device(0).id, op: 'get', props: ['light.on'] });
    expect(await phone.reply('mqtt-id')).toMatchObject({ status: 'ok' });
    phone.send({ id: 'mqtt-id', did: device(0).id, op: 'action', action: 'light.toggle' });
    await phone.until(() => (phone.repliesTo('mqtt-id').length === 2 ? true : undefined), 'second reply');
    expect(phone.repliesTo('mqtt-id')[1]).toMatchObject({
      status: 'error',
      error: { code: 'COMMAND_ID_REUSED', mqttCode: -4034 },
    });
    phone.send({ id: 'mqtt-id', did: device(1).id, op: 'get', props: ['light.on'] });
    await phone.until(() => (phone.repliesTo('mqtt-id').length === 3 ? true : undefined), 'third reply');
    expect(phone.repliesTo('mqtt-id')[2]).toMatchObject({
      did: device(1).id,
      error: { code: 'DEVICE_OFFLINE' },
    });
    expect(b.received).toHaveLength(1);
    await Promise.all([end(b.client), end(phone.client)]);
  });
});

describe('per-user and per-device command bounds', () => {
  let now = Date.now();
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  const device = (i: number) => devices[i] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub({
      now: () => now,
      commandTimeoutMs: 10_000,
      limits: {
        commandRatePerSec: 10,
        commandIdsPerUser: 50,
        commandIdsTotal: 120,
        pendingCommandsPerDevice: 4,
      },
    });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 2);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('keeps remembered command ids within their bounds however many unique ids arrive', async () => {
    const users = [await newUser(hub), await newUser(hub), await newUser(hub)];
    const phones = await Promise.all(users.map((u) => rawPhone(hub.mqttUrl, u)));
    for (const [u, phone] of phones.entries()) {
      // 200 unique ids per user, 20 at a time (the burst), two simulated seconds apart (the rate).
      for (let batch = 0; batch < 10; batch++) {
        now += 2000;
        for (let i = 0; i < 20; i++) {
          phone.send({ id: `u${u}-${batch}-${i}`, did: device(1).id, op: 'get', props: ['light.on'] });
        }
        await phone.until(() => (phone.replies.length === (batch + 1) * 20 ? true : undefined), 'replies');
      }
      expect(phone.replies.every((r) => r.status === 'error' && r.error.code === 'NOT_FOUND')).toBe(true);
      const stats = hub.control.commands.stats();
      expect(stats.largestUserIds).toBeLessThanOrEqual(50);
      expect(stats.rememberedIds).toBeLessThanOrEqual(Math.min(120, 50 * (u + 1)));
    }
    const stats = hub.control.commands.stats();
    expect(stats).toMatchObject({ rememberedIds: 120, largestUserIds: 50, pending: 0 });
    expect(stats.rateLimitedUsers).toBeLessThanOrEqual(3);
    await Promise.all(phones.map((p) => end(p.client)));
  }, 60_000); // 600 command round trips: slow on a loaded machine

  it('limits commands per user with RATE_LIMITED, the same code on MQTT and REST', async () => {
    const user = await newUser(hub);
    const phone = await rawPhone(hub.mqttUrl, user);
    now += 10_000;
    for (let i = 0; i < 25; i++)
      phone.send({ id: `r${i}`, did: device(1).id, op: 'get', props: ['light.on'] });
    await phone.until(() => (phone.replies.length === 25 ? true : undefined), '25 replies');
    const limited = phone.replies.filter((r) => r.status === 'error' && r.error.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(5); // burst = 2 x 10 per second
    expect(limited[0]).toMatchObject({ id: 'r20', error: { mqttCode: -4019, retryAfter: 1 } });
    const rest = await hub.request('POST', `/v1/devices/${device(1).id}/commands`, {
      token: user.token,
      body: { op: 'get', props: ['light.on'] },
    });
    expect(rest.status).toBe(429);
    expect(rest.body['code']).toBe('RATE_LIMITED');
    expect(rest.headers.get('retry-after')).toBe('1');
    now += 1000; // ten more tokens
    const after = await hub.request('POST', `/v1/devices/${device(1).id}/commands`, {
      token: user.token,
      body: { op: 'get', props: ['light.on'] },
    });
    expect(after.status).toBe(404);
    await end(phone.client);
  });

  it('caps commands waiting for one device with DEVICE_BUSY', async () => {
    const user = await newUser(hub);
    await claim(hub, user.token, device(0));
    const silent = await fakeDevice(hub.mqttUrl, device(0), () => undefined);
    const phone = await rawPhone(hub.mqttUrl, user);
    now += 10_000;
    for (let i = 0; i < 5; i++)
      phone.send({ id: `p${i}`, did: device(0).id, op: 'get', props: ['light.on'] });
    expect(await phone.reply('p4')).toMatchObject({
      status: 'error',
      error: { code: 'DEVICE_BUSY', mqttCode: -4035, retryAfter: 1 },
    });
    await silent.waitFor(4);
    expect(hub.control.commands.stats()).toMatchObject({ pending: 4, busiestDevice: 4 });
    const rest = await hub.request('POST', `/v1/devices/${device(0).id}/commands`, {
      token: user.token,
      body: { op: 'get', props: ['light.on'] },
    });
    expect(rest.status).toBe(429);
    expect(rest.body['code']).toBe('DEVICE_BUSY');
    expect(silent.received).toHaveLength(4);
    await Promise.all([end(silent.client), end(phone.client)]);
  });
});
