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
import { connect, end, phoneOptions, subscribeCode } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

type User = Awaited<ReturnType<typeof newUser>>;
type Phone = Awaited<ReturnType<typeof rawPhone>>;

function closed(client: MqttClient, timeoutMs = 5000): Promise<void> {
  if (client.disconnected || !client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`connection still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function login(hub: TestHub, user: User): Promise<User> {
  const res = await hub.request('POST', '/v1/auth/login', {
    body: { email: user.email, password: user.password },
  });
  expect(res.status, res.text).toBe(200);
  return { ...user, token: String(res.body['token']) };
}

const shadows = (phone: Phone, did: string) => phone.messages.filter((m) => m.topic === `dev/${did}/shadow`);

describe('revoking access cuts off live MQTT sessions at once', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  const device = (i: number) => devices[i] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub({ commandTimeoutMs: 2000 });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 4);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("logging out closes that token's sessions (not the user's others) before the next message", async () => {
    const alice = await newUser(hub);
    await claim(hub, alice.token, device(0));
    const did = device(0).id;
    const other = await login(hub, alice);
    const phone = await rawPhone(hub.mqttUrl, alice);
    const second = await rawPhone(hub.wsUrl, other);
    for (const p of [phone, second]) expect(await subscribeCode(p.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, device(0));

    const out = await hub.request('POST', '/v1/auth/logout', { token: alice.token });
    expect(out.status).toBe(204);
    await report(dev, did, { 'light.on': true });
    await closed(phone.client);
    await second.until(() => shadows(second, did)[0], 'shadow on the session still logged in');
    expect(shadows(phone, did)).toHaveLength(0);

    // The revoked token opens nothing any more, on MQTT or REST.
    const again = await connect(hub.mqttUrl, phoneOptions(alice));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.code).toBe(4);
    const rest = await hub.request('POST', `/v1/devices/${did}/commands`, {
      token: alice.token,
      body: { op: 'get', props: ['light.on'] },
    });
    expect(rest.status).toBe(401);
    await Promise.all([end(dev), end(phone.client), end(second.client)]);
  });

  it('revoking a share and removing a home member stop the next message and refuse commands', async () => {
    const [owner, shared, housemate] = [await newUser(hub), await newUser(hub), await newUser(hub)];
    await claim(hub, owner.token, device(1));
    const did = device(1).id;
    const share = await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: owner.token,
      body: { email: shared.email },
    });
    expect(share.status, share.text).toBe(201);
    const home = await hub.request('POST', '/v1/homes', { token: owner.token, body: { name: 'Flat' } });
    const homeId = String(home.body['id']);
    await hub.request('PUT', `/v1/devices/${did}/placement`, { token: owner.token, body: { homeId } });
    const added = await hub.request('POST', `/v1/homes/${homeId}/members`, {
      token: owner.token,
      body: { email: housemate.email },
    });
    expect(added.status, added.text).toBe(201);

    const phones = [await rawPhone(hub.mqttUrl, shared), await rawPhone(hub.mqttUrl, housemate)];
    for (const p of phones) expect(await subscribeCode(p.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, device(1));
    await report(dev, did, { 'light.on': true });
    for (const p of phones) await p.until(() => shadows(p, did)[0], 'shadow while allowed');

    expect(
      (await hub.request('DELETE', `/v1/devices/${did}/shares/${shared.id}`, { token: owner.token })).status,
    ).toBe(204);
    expect(
      (await hub.request('DELETE', `/v1/homes/${homeId}/members/${housemate.id}`, { token: owner.token }))
        .status,
    ).toBe(204);
    await report(dev, did, { 'light.on': false });
    for (const p of phones) {
      await p.sync();
      expect(shadows(p, did)).toHaveLength(1);
      p.send({ id: 'after-revoke', did, op: 'set', props: { 'light.on': true } });
      const reply = await p.reply('after-revoke');
      expect(reply).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    }
    await Promise.all([end(dev), ...phones.map((p) => end(p.client))]);
  });

  it('deleting an account needs the password, closes its sessions, releases its devices and homes', async () => {
    const [dave, erin, frank] = [await newUser(hub), await newUser(hub), await newUser(hub)];
    await claim(hub, dave.token, device(2));
    const did = device(2).id;
    await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: dave.token,
      body: { email: erin.email },
    });
    const home = await hub.request('POST', '/v1/homes', { token: dave.token, body: { name: 'Dave home' } });
    await hub.request('POST', `/v1/homes/${String(home.body['id'])}/members`, {
      token: dave.token,
      body: { email: frank.email },
    });
    const davePhone = await rawPhone(hub.mqttUrl, dave);
    const erinPhone = await rawPhone(hub.mqttUrl, erin);
    for (const p of [davePhone, erinPhone])
      expect(await subscribeCode(p.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, device(2));

    const wrong = await hub.request('DELETE', '/v1/me', {
      token: dave.token,
      body: { password: 'not my password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors?.[0]?.path).toBe('/password');
    const missing = await hub.request('DELETE', '/v1/me', { token: dave.token, body: {} });
    expect(missing.status).toBe(400);

    const deleted = await hub.request('DELETE', '/v1/me', {
      token: dave.token,
      body: { password: dave.password },
    });
    expect(deleted.status, deleted.text).toBe(200);
    const released = deleted.body['devices'] as Array<{ id: string; pairingCode: string }>;
    expect(released.map((d) => d.id)).toEqual([did]);
    await report(dev, did, { 'light.on': true });
    await closed(davePhone.client);
    await erinPhone.sync();
    expect(shadows(davePhone, did)).toHaveLength(0);
    expect(shadows(erinPhone, did)).toHaveLength(0);
    erinPhone.send({ id: 'after-delete', did, op: 'get', props: ['light.on'] });
    expect(await erinPhone.reply('after-delete')).toMatchObject({
      status: 'error',
      error: { code: 'NOT_FOUND' },
    });

    expect((await hub.request('GET', '/v1/me', { token: dave.token })).status).toBe(401);
    const relogin = await hub.request('POST', '/v1/auth/login', {
      body: { email: dave.email, password: dave.password },
    });
    expect(relogin.status).toBe(401);
    expect((await hub.request('GET', '/v1/homes', { token: frank.token })).body).toMatchObject({ homes: [] });
    // The released device can be claimed again with the fresh pairing code, and the email is free.
    const reclaim = await hub.request('POST', `/v1/devices/${did}/claim`, {
      token: frank.token,
      body: { pairingCode: released[0]?.pairingCode },
    });
    expect(reclaim.status, reclaim.text).toBe(201);
    const again = await hub.request('POST', '/v1/auth/register', {
      body: { email: dave.email, password: dave.password },
    });
    expect(again.status).toBe(201);
    await Promise.all([end(dev), end(davePhone.client), end(erinPhone.client)]);
  }, 60_000); // ten scrypt password hashes: slow on a loaded machine
});

describe('an expired access token', () => {
  let now = Date.now();
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ now: () => now, tokenTtlMs: 3600_000 });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('receives nothing more and may not publish once it expires', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const [d] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    const user = await newUser(hub);
    await claim(hub, user.token, d);
    const phone = await rawPhone(hub.mqttUrl, user);
    expect(await subscribeCode(phone.client, `dev/${d.id}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, d);
    now += 3600_000;
    await report(dev, d.id, { 'light.on': true });
    phone.send({ id: 'expired', did: d.id, op: 'get', props: ['light.on'] });
    await closed(phone.client);
    expect(phone.messages).toHaveLength(0);
    expect(phone.replies).toHaveLength(0);
    await Promise.all([end(dev), end(phone.client)]);
  });
});
