import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcohubClient, EcohubError } from '../../src/sdk/index.js';
import {
  claim,
  connectDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { end, subscribeCode } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

type User = Awaited<ReturnType<typeof newUser>>;

describe('sharing, isolation and fan-out', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let alice: User;
  let bob: User;
  let carol: User;
  const device = (i: number) => devices[i] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub({ commandTimeoutMs: 2000 });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 4);
    [alice, bob, carol] = [await newUser(hub), await newUser(hub), await newUser(hub)];
    await claim(hub, alice.token, device(0));
    await claim(hub, alice.token, device(1));
    await claim(hub, carol.token, device(2));
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('refuses a second claim, a wrong code (rate-limited) and a reused code', async () => {
    const again = await hub.request('POST', `/v1/devices/${device(0).id}/claim`, {
      token: bob.token,
      body: { pairingCode: device(0).pairingCode },
    });
    expect(again.status).toBe(404); // single use: the code was cleared when Alice claimed
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (
        await hub.request('POST', `/v1/devices/${device(3).id}/claim`, {
          token: bob.token,
          body: { pairingCode: 'AAAA-BBBB-CCCC' },
        })
      ).status;
    }
    expect(last).toBe(429);
  });

  it('shares with a member who may watch and control but not share or remove; revoking stops delivery at once', async () => {
    const did = device(0).id;
    const shared = await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    expect(shared.status, shared.text).toBe(201);
    expect(shared.body).toEqual({ email: bob.email, role: 'member', since: expect.any(String) });

    const bobPhone = await rawPhone(hub.mqttUrl, bob);
    const alicePhone = await rawPhone(hub.wsUrl, alice);
    expect(await subscribeCode(bobPhone.client, `dev/${did}/shadow`)).toBe(1);
    expect(await subscribeCode(alicePhone.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, device(0));

    await report(dev, did, { 'light.brightness': 10 });
    await bobPhone.until(
      () => bobPhone.messages.find((m) => m.topic === `dev/${did}/shadow`),
      'shadow for bob',
    );
    await alicePhone.until(
      () => alicePhone.messages.find((m) => m.topic === `dev/${did}/shadow`),
      'shadow for alice',
    );

    const memberShare = await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: bob.token,
      body: { email: carol.email },
    });
    expect(memberShare.status).toBe(403);
    expect((await hub.request('DELETE', `/v1/devices/${did}/binding`, { token: bob.token })).status).toBe(
      403,
    );
    expect((await hub.request('GET', `/v1/devices/${did}/shares`, { token: bob.token })).status).toBe(403);
    expect((await hub.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).body['role']).toBe(
      'member',
    );

    const revoked = await hub.request('DELETE', `/v1/devices/${did}/shares/${bob.id}`, {
      token: alice.token,
    });
    expect(revoked.status).toBe(204);
    await report(dev, did, { 'light.brightness': 20 });
    await alicePhone.until(
      () =>
        alicePhone.messages.find(
          (m) =>
            m.topic === `dev/${did}/shadow` &&
            (m.body['reported'] as Record<string, unknown>)['light.brightness'] === 20,
        ),
      'second shadow for alice',
    );
    await bobPhone.sync();
    const bobShadows = bobPhone.messages.filter((m) => m.topic === `dev/${did}/shadow`);
    expect(bobShadows).toHaveLength(1);
    expect((await hub.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(404);
    await Promise.all([end(dev), end(bobPhone.client), end(alicePhone.client)]);
  });

  it('removing a device unbinds everyone and issues a fresh pairing code', async () => {
    const did = device(1).id;
    await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    const removed = await hub.request('DELETE', `/v1/devices/${did}/binding`, { token: alice.token });
    expect(removed.status).toBe(200);
    const fresh = String(removed.body['pairingCode']);
    expect(fresh).not.toBe(device(1).pairingCode);
    for (const u of [alice, bob])
      expect((await hub.request('GET', `/v1/me/devices/${did}`, { token: u.token })).status).toBe(404);
    // (Bob used up his wrong-code allowance in the first test: Alice claims it back.)
    const old = await hub.request('POST', `/v1/devices/${did}/claim`, {
      token: alice.token,
      body: { pairingCode: device(1).pairingCode },
    });
    expect(old.status).toBe(404);
    const reclaimed = await hub.request('POST', `/v1/devices/${did}/claim`, {
      token: alice.token,
      body: { pairingCode: fresh },
    });
    expect(reclaimed.status).toBe(201);
  });

  it('delivers device events to every bound user and no one else', async () => {
    const did = device(2).id; // Carol's
    await hub.request('POST', `/v1/devices/${did}/shares`, {
      token: carol.token,
      body: { email: alice.email },
    });
    const watchers = [await rawPhone(hub.mqttUrl, carol), await rawPhone(hub.mqttUrl, alice)];
    const outsider = await rawPhone(hub.mqttUrl, bob);
    for (const w of watchers) expect(await subscribeCode(w.client, `dev/${did}/#`)).toBe(1);
    expect(await subscribeCode(outsider.client, `dev/${did}/#`)).toBe(128);
    expect(await subscribeCode(outsider.client, 'dev/+/notify')).toBe(128);
    const dev = await connectDevice(hub.mqttUrl, device(2));
    await dev.publishAsync(
      `dev/${did}/events`,
      JSON.stringify({ seq: Date.now(), event: 'light.fault-occurred', args: [{ piid: 4, value: 2 }] }),
      { qos: 1 },
    );
    for (const w of watchers) {
      const got = await w.until(() => w.messages.find((m) => m.topic === `dev/${did}/notify`), 'event');
      expect(got.body).toMatchObject({ event: 'light.fault-occurred', arguments: [{ piid: 4, value: 2 }] });
      // Raw device topics are never forwarded, even under a wildcard.
      expect(w.messages.find((m) => m.topic === `dev/${did}/events`)).toBeUndefined();
    }
    await outsider.sync();
    expect(outsider.messages).toEqual([]);
    await Promise.all([end(dev), ...watchers.map((w) => end(w.client)), end(outsider.client)]);
  });

  it('shows retained presence to a new subscriber', async () => {
    const did = device(2).id;
    const dev = await connectDevice(hub.mqttUrl, device(2));
    const late = await rawPhone(hub.mqttUrl, carol);
    await late.client.subscribeAsync(`dev/${did}/presence`, { qos: 1 });
    const presence = await late.until(
      () => late.messages.find((m) => m.topic === `dev/${did}/presence`),
      'retained presence',
    );
    expect(presence.body['online']).toBe(true);
    await Promise.all([end(dev), end(late.client)]);
  });

  it('keeps users apart over REST and MQTT, and the SDK raises typed errors', async () => {
    const did = device(2).id; // Carol owns, Alice is a member, Bob is a stranger
    const matrix: Array<[User, string, string, number]> = [
      [carol, 'GET', `/v1/me/devices/${did}`, 200],
      [alice, 'GET', `/v1/me/devices/${did}`, 200],
      [bob, 'GET', `/v1/me/devices/${did}`, 404],
      [bob, 'GET', `/v1/me/devices/${did}/history?property=light.on`, 404],
      [bob, 'GET', `/v1/me/devices/${did}/events`, 404],
      [bob, 'GET', `/v1/devices/${did}/shares`, 404],
      [alice, 'GET', `/v1/devices/${did}/shares`, 403],
      [bob, 'DELETE', `/v1/devices/${did}/binding`, 404],
      [alice, 'DELETE', `/v1/devices/${did}/binding`, 403],
      [bob, 'POST', `/v1/devices/${did}/commands`, 404],
    ];
    for (const [user, method, path, status] of matrix) {
      const body = method === 'POST' ? { op: 'get', props: ['light.on'] } : undefined;
      const res = await hub.request(method, path, { token: user.token, ...(body ? { body } : {}) });
      expect(res.status, `${user.email} ${method} ${path}`).toBe(status);
    }
    const bobList = await hub.request('GET', '/v1/me/devices', { token: bob.token });
    expect((bobList.body['devices'] as Array<{ id: string }>).map((d) => d.id)).not.toContain(did);

    const sdk = await EcohubClient.login(hub.httpUrl, bob.email, bob.password, { mqttUrl: hub.mqttUrl });
    await expect(sdk.command(did, { op: 'get', props: ['light.on'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    await sdk.connect();
    const err = await sdk.command(did, { op: 'get', props: ['light.on'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcohubError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', mqttCode: -4013 });
    await expect(sdk.watch(did, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await sdk.close();
  });

  it('lets home members watch and control devices placed in the home, until they leave it', async () => {
    const did = device(3).id;
    await claim(hub, alice.token, device(3));
    const home = await hub.request('POST', '/v1/homes', { token: alice.token, body: { name: 'Flat' } });
    const homeId = String(home.body['id']);
    const room = await hub.request('POST', `/v1/homes/${homeId}/rooms`, {
      token: alice.token,
      body: { name: 'Kitchen' },
    });
    const placed = await hub.request('PUT', `/v1/devices/${did}/placement`, {
      token: alice.token,
      body: { homeId, roomId: String(room.body['id']) },
    });
    expect(placed.status, placed.text).toBe(200);
    expect((await hub.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(404);
    const added = await hub.request('POST', `/v1/homes/${homeId}/members`, {
      token: alice.token,
      body: { email: bob.email },
    });
    expect(added.status, added.text).toBe(201);

    const state = await hub.request('GET', `/v1/me/devices/${did}`, { token: bob.token });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      role: 'member',
      placement: { homeId, homeName: 'Flat', roomName: 'Kitchen' },
    });
    const bobPhone = await rawPhone(hub.mqttUrl, bob);
    expect(await subscribeCode(bobPhone.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(hub.mqttUrl, device(3));
    await report(dev, did, { 'light.on': true });
    await bobPhone.until(
      () => bobPhone.messages.find((m) => m.topic === `dev/${did}/shadow`),
      'shadow via home',
    );

    const removed = await hub.request('DELETE', `/v1/homes/${homeId}/members/${bob.id}`, {
      token: alice.token,
    });
    expect(removed.status).toBe(204);
    await report(dev, did, { 'light.on': false });
    await bobPhone.sync();
    expect(bobPhone.messages.filter((m) => m.topic === `dev/${did}/shadow`)).toHaveLength(1);
    expect((await hub.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(404);
    await Promise.all([end(dev), end(bobPhone.client)]);
  });

  it('mirrors commands over REST with the same semantics', async () => {
    const did = device(2).id;
    const offline = await hub.request('POST', `/v1/devices/${did}/commands`, {
      token: carol.token,
      body: { op: 'action', action: 'light.toggle' },
    });
    expect(offline.status).toBe(409);
    expect(offline.body['code']).toBe('DEVICE_OFFLINE');
    const queued = await hub.request('POST', `/v1/devices/${did}/commands`, {
      token: carol.token,
      body: { op: 'set', props: { 'light.on': true } },
    });
    expect(queued.status).toBe(202);
    const invalid = await hub.request('POST', `/v1/devices/${did}/commands`, {
      token: carol.token,
      body: { op: 'set', props: { 'light.brightness': 500 } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body['code']).toBe('VALUE_INVALID');
    expect(invalid.body.errors?.[0]?.path).toBe('/props/light.brightness');
    const sdk = await EcohubClient.login(hub.httpUrl, carol.email, carol.password);
    const devices = await sdk.devices();
    expect(devices.find((d) => d.id === did)).toMatchObject({
      role: 'owner',
      desired: { 'light.on': { value: true } },
    });
  });
});
