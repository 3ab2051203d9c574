import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  connectDevice,
  nextSeq,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import type { OnboardedPartner } from '../support/partners.js';

type User = Awaited<ReturnType<typeof newUser>>;
const HOUR = 3_600_000;

describe('a new owner does not see what the device did for the previous one', () => {
  let hub: TestHub;
  let now = Date.UTC(2031, 2, 1, 8);
  let partner: OnboardedPartner;
  let device: ProvisionedDevice;
  let alice: User;
  let bob: User;
  let carol: User;
  const t0 = now;

  beforeAll(async () => {
    hub = await startHub({ now: () => now, tokenTtlMs: 365 * 24 * HOUR });
    const made = await partnerWithModel(hub);
    partner = made.partner;
    [device] = (await provision(hub, partner, made.modelId, 1)) as [ProvisionedDevice];
    [alice, bob, carol] = [await newUser(hub), await newUser(hub), await newUser(hub)];
  });
  afterAll(() => hub.stop());

  async function reportAndEvent(brightness: number) {
    const dev = await connectDevice(hub.mqttUrl, device);
    const stored = nextEvent(hub, 'reported', (r) => r.deviceId === device.id);
    await report(dev, device.id, { 'light.brightness': brightness });
    await stored;
    const event = nextEvent(hub, 'event', (e) => e.deviceId === device.id);
    await dev.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({
        seq: nextSeq(),
        event: 'light.fault-occurred',
        args: [{ piid: 4, value: brightness % 3 }],
      }),
      { qos: 1 },
    );
    await event;
    const offline = nextEvent(hub, 'presence', (p) => p.deviceId === device.id && !p.online);
    await end(dev);
    await offline;
  }

  const range = `from=${new Date(t0 - HOUR).toISOString()}&to=${new Date(t0 + 10 * HOUR).toISOString()}`;
  const historyFor = async (token: string, base: string, bucket = '') => {
    const res = await hub.request(
      'GET',
      `${base}/history?property=light.brightness&${range}${bucket ? `&bucket=${bucket}` : ''}`,
      { token },
    );
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const eventsFor = async (token: string, base: string) => {
    const res = await hub.request('GET', `${base}/events?${range}`, { token });
    expect(res.status, res.text).toBe(200);
    return res.body['events'] as Array<{ ts: string }>;
  };
  const points = (body: Record<string, unknown>) =>
    (body['points'] as Array<{ value: number }>).map((p) => p.value);

  it('shows history, events and shadow from the current owner’s claim on; the partner keeps all', async () => {
    await claim(hub, alice.token, device);
    now += HOUR;
    await reportAndEvent(10);
    const mine = `/v1/me/devices/${device.id}`;
    expect(points(await historyFor(alice.token, mine))).toEqual([10]);
    expect(await eventsFor(alice.token, mine)).toHaveLength(1);

    now += HOUR;
    const removed = await hub.request('DELETE', `/v1/devices/${device.id}/binding`, { token: alice.token });
    expect(removed.status).toBe(200);
    now += HOUR;
    await claim(hub, bob.token, { ...device, pairingCode: String(removed.body['pairingCode']) });
    const shared = await hub.request('POST', `/v1/devices/${device.id}/shares`, {
      token: bob.token,
      body: { email: carol.email },
    });
    expect(shared.status, shared.text).toBe(201);

    // Before: Bob saw Alice's brightness, its time, her events and when the device was last seen.
    for (const user of [bob, carol]) {
      const state = await hub.request('GET', mine, { token: user.token });
      expect(state.status).toBe(200);
      expect(state.body['reported']).toEqual({});
      expect((state.body['presence'] as { lastSeenAt: unknown }).lastSeenAt).toBeNull();
      expect(points(await historyFor(user.token, mine))).toEqual([]);
      expect((await historyFor(user.token, mine, String(HOUR)))['buckets']).toEqual([]);
      expect(await eventsFor(user.token, mine)).toEqual([]);
    }

    now += HOUR;
    await reportAndEvent(20);
    for (const user of [bob, carol]) {
      const state = await hub.request('GET', mine, { token: user.token });
      expect(state.body['reported']).toEqual({
        'light.brightness': { value: 20, reportedAt: new Date(now).toISOString() },
      });
      expect(points(await historyFor(user.token, mine))).toEqual([20]);
      const buckets = (await historyFor(user.token, mine, String(HOUR)))['buckets'] as Array<{
        count: number;
      }>;
      expect(buckets.map((b) => b.count)).toEqual([1]);
      const events = await eventsFor(user.token, mine);
      expect(events.map((e) => e.ts)).toEqual([new Date(now).toISOString()]);
    }
    const list = await hub.request('GET', '/v1/me/devices', { token: bob.token });
    const listed = (list.body['devices'] as Array<{ id: string; reported: object }>).find(
      (d) => d.id === device.id,
    );
    expect(Object.keys(listed?.reported ?? {})).toEqual(['light.brightness']);

    // The partner's fleet view is not a user's: it keeps the device's whole life.
    const fleet = `/v1/devices/${device.id}`;
    expect(points(await historyFor(partner.key, fleet))).toEqual([10, 20]);
    expect(await eventsFor(partner.key, fleet)).toHaveLength(2);
  });
});
