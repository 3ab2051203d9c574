import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, connectDevice, partnerWithModel, provision, report } from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end, subscribeCode } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

/**
 * Two hub processes' worth of hubs on one PostgreSQL database (each with its own broker, caches and
 * LISTEN connection): a share revoked through one hub stops delivery on the other, whose access
 * index learns of it through the database's notifications (device_access), not through memory.
 * PostgreSQL only: on SQLite one file belongs to one hub process.
 */
describe('access changes reach every hub on a shared PostgreSQL database', () => {
  let a: TestHub;
  let b: TestHub;

  beforeAll(async () => {
    a = await startHub();
    if (a.store.dialect !== 'postgres') throw new Error('run with npm run test:postgres');
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('a share revoked on one hub stops the next message on the other, and its REST views', async () => {
    const { partner, modelId } = await partnerWithModel(a);
    const [device] = await provision(a, partner, modelId, 1);
    if (!device) throw new Error('no device');
    const [alice, bob] = [await newUser(a), await newUser(a)];
    await claim(a, alice.token, device);
    const shared = await a.request('POST', `/v1/devices/${device.id}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    expect(shared.status, shared.text).toBe(201);

    // The second hub: the same database, its own broker; the device and both phones connect to it.
    b = await startHub({ database: a.options.database });
    const did = device.id;
    const bobPhone = await rawPhone(b.mqttUrl, bob);
    const alicePhone = await rawPhone(b.mqttUrl, alice);
    expect(await subscribeCode(bobPhone.client, `dev/${did}/shadow`)).toBe(1);
    expect(await subscribeCode(alicePhone.client, `dev/${did}/shadow`)).toBe(1);
    const dev = await connectDevice(b.mqttUrl, device);
    const shadowOf = (phone: typeof bobPhone, brightness: number) =>
      phone.messages.find(
        (m) =>
          m.topic === `dev/${did}/shadow` &&
          (m.body['reported'] as Record<string, unknown>)['light.brightness'] === brightness,
      );
    await report(dev, did, { 'light.brightness': 10 });
    await bobPhone.until(() => shadowOf(bobPhone, 10), 'shadow for bob on hub b');
    expect((await b.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(200);

    // Revoked through hub a; hub b hears it from the database and refuses bob's device topics from then on.
    const heard = nextEvent(b, 'access', ({ userIds }) => userIds.includes(bob.id));
    const revoked = await a.request('DELETE', `/v1/devices/${did}/shares/${bob.id}`, { token: alice.token });
    expect(revoked.status).toBe(204);
    await heard;
    await report(dev, did, { 'light.brightness': 20 });
    await alicePhone.until(() => shadowOf(alicePhone, 20), 'second shadow for alice on hub b');
    await bobPhone.sync();
    expect(bobPhone.messages.filter((m) => m.topic === `dev/${did}/shadow`)).toHaveLength(1);
    expect((await b.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(404);

    // And the other way: shared again through hub b, hub a's views see it.
    const again = await b.request('POST', `/v1/devices/${did}/shares`, {
      token: alice.token,
      body: { email: bob.email },
    });
    expect(again.status, again.text).toBe(201);
    expect((await a.request('GET', `/v1/me/devices/${did}`, { token: bob.token })).status).toBe(200);
    await Promise.all([end(dev), end(bobPhone.client), end(alicePhone.client)]);
  });
});
