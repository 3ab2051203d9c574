import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../firmware-sim/index.js';
import { claim, fakeDevice, ownedDevice, partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { quietDevice, type SimFixture, until } from './sim-support.js';

/** Quality scorecards from live traffic, over REST, for the partner and the operator only. */

let hub: TestHub;
let acme: SimFixture & { partnerId: string };
let other: SimFixture & { partnerId: string };

async function fixture(file: string) {
  const { partner, modelId, spec } = await partnerWithModel(hub, file);
  const devices = await provision(hub, partner, modelId, 1);
  return { key: partner.key, partnerId: partner.partnerId, modelId, spec, devices };
}
let sim: SimulatedDevice;
let user: { id: string; token: string };

beforeAll(async () => {
  hub = await startHub();
  acme = await fixture('acme.light.bulb1');
  other = await fixture('acme.plug.p1');
  const [device] = acme.devices;
  if (device === undefined) throw new Error('no device');
  user = await newUser(hub);
  await claim(hub, user.token, device);
  sim = quietDevice(hub.mqttUrl, acme.spec, device);
  await sim.start();
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  await hub?.stop();
});

describe('quality scorecards', () => {
  it('counts commands, their latency, connects and offline time of a live device', async () => {
    const deviceId = acme.devices[0]?.id as string;
    for (const on of [true, false, true]) {
      const res = await hub.request('POST', `/v1/devices/${deviceId}/commands`, {
        token: user.token,
        body: { op: 'set', props: { 'light.on': on } },
      });
      expect(res.status, res.text).toBe(200);
    }
    await sim.stop();
    await until(async () => !hub.devices.isOnline(deviceId), 10_000, 'the device offline');
    const res = await hub.request('GET', `/v1/scorecards/models/${acme.modelId}?days=7`, { token: acme.key });
    expect(res.status, res.text).toBe(200);
    const card = res.body['scorecard'] as Record<string, Record<string, unknown>>;
    expect(card['commands']).toEqual({ total: 3, ok: 3, errors: {}, timeouts: 0, successRateBp: 10_000 });
    expect(card['replyLatencyMs']).toMatchObject({ samples: 3, p50: expect.any(Number) });
    expect(card['connects']).toMatchObject({ total: 1 });
    expect(card['offline']).toMatchObject({ devices: 1 });
    const daily = res.body['daily'] as Array<Record<string, number>>;
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ commands: 3, commandsOk: 3, connects: 1 });

    // The partner's own scorecard lists its model; the operator compares partners side by side.
    const mine = await hub.request('GET', `/v1/scorecards/partners/${acme.partnerId}`, { token: acme.key });
    expect(mine.status, mine.text).toBe(200);
    expect((mine.body['models'] as Array<{ modelId: string }>).map((m) => m.modelId)).toEqual([acme.modelId]);
    const compared = await hub.request(
      'GET',
      `/v1/scorecards/compare?models=${acme.modelId},${other.modelId}`,
      { token: ADMIN_TOKEN },
    );
    expect(compared.status, compared.text).toBe(200);
    expect((compared.body['models'] as Array<{ modelId: string }>).map((m) => m.modelId).sort()).toEqual(
      [acme.modelId, other.modelId].sort(),
    );
  });

  it("counts a device's error replies by code, and a command it leaves unanswered when it disconnects as a timeout", async () => {
    const { partner, modelId, device, user: owner } = await ownedDevice(hub);
    let answered = 0;
    const fake = await fakeDevice(hub.mqttUrl, device, (cmd) =>
      ++answered === 1
        ? { id: cmd.id, status: 'error', error: { code: 'E_JAMMED', message: 'jammed' } }
        : undefined,
    );
    const command = (on: boolean) =>
      hub.request('POST', `/v1/devices/${device.id}/commands`, {
        token: owner.token,
        body: { op: 'set', props: { 'light.on': on } },
      });
    const refused = await command(true);
    expect(refused.status, refused.text).toBe(502);
    expect(refused.body['code']).toBe('DEVICE_ERROR');
    const unanswered = command(false);
    await fake.waitFor(2);
    await fake.client.endAsync(true);
    const offline = await unanswered;
    expect(offline.status, offline.text).toBe(409);
    expect(offline.body['code']).toBe('DEVICE_OFFLINE');
    const res = await hub.request('GET', `/v1/scorecards/models/${modelId}?days=7`, { token: partner.key });
    expect(res.status, res.text).toBe(200);
    const card = res.body['scorecard'] as Record<string, Record<string, unknown>>;
    expect(card['commands']).toMatchObject({ total: 2, ok: 0, errors: { E_JAMMED: 1 }, timeouts: 1 });
  });

  it('shows a partner only its own, refuses users, and keeps the comparison for the operator', async () => {
    const theirs = await hub.request('GET', `/v1/scorecards/models/${acme.modelId}`, { token: other.key });
    expect(theirs.status).toBe(404);
    const partner = await hub.request('GET', `/v1/scorecards/partners/${acme.partnerId}`, {
      token: other.key,
    });
    expect(partner.status).toBe(404);
    const asUser = await hub.request('GET', `/v1/scorecards/models/${acme.modelId}`, { token: user.token });
    expect(asUser.status).toBe(403);
    const compare = await hub.request('GET', `/v1/scorecards/compare?models=${acme.modelId}`, {
      token: acme.key,
    });
    expect(compare.status).toBe(403);
    const anonymous = await hub.request('GET', `/v1/scorecards/models/${acme.modelId}`);
    expect(anonymous.status).toBe(401);
    const tooMany = await hub.request(
      'GET',
      `/v1/scorecards/compare?models=${Array.from({ length: 21 }, (_, i) => `m${i}`).join(',')}`,
      { token: ADMIN_TOKEN },
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body['errors']).toEqual([expect.objectContaining({ path: '/models' })]);
  });
});
