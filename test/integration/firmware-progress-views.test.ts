import { describe, expect, it } from 'vitest';
import { claim, partnerWithModel } from '../support/devices.js';
import { fastPolicy, firmwareHubs, rollout, rolloutState, shipPackage } from '../support/firmware.js';
import { ADMIN_TOKEN, newUser } from '../support/hub.js';
import { rawPhone } from '../support/phone.js';
import { until } from './sim-support.js';

/** What the web app draws: per-stage progress, the owner's live notices, the release on offer. */
describe('firmware: stage progress, owner notices, available release', { timeout: 60_000 }, () => {
  const firmware = firmwareHubs();

  it('a rollout reports each stage (planned, targeted, succeeded); only its partner and the operator see it', async () => {
    const setup = await firmware.start(4);
    const { hub, partner, modelId, devices } = setup;
    const other = await partnerWithModel(hub);
    await firmware.fleet(setup, devices);
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0');
    const created = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'model' },
      policy: fastPolicy({ canary: 1, stages: [50, 100] }),
    });
    await until(async () => (await rolloutState(hub, partner.key, created.id)).state === 'completed', 20_000);
    const res = await hub.request('GET', `/v1/firmware/rollouts/${created.id}/stages`, {
      token: partner.key,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body['stages']).toEqual([
      expect.objectContaining({
        stage: 0,
        label: 'canary',
        planned: 1,
        targeted: 1,
        succeeded: 1,
        failed: 0,
      }),
      expect.objectContaining({
        stage: 1,
        label: '50%',
        planned: 1,
        targeted: 1,
        succeeded: 1,
        inProgress: 0,
      }),
      expect.objectContaining({
        stage: 2,
        label: '100%',
        planned: 2,
        targeted: 2,
        succeeded: 2,
        status: 'current',
      }),
    ]);
    const ops = await hub.request('GET', `/v1/firmware/rollouts/${created.id}/stages`, {
      token: ADMIN_TOKEN,
    });
    expect(ops.status).toBe(200);
    // Another partner's rollout is as missing as one that does not exist; a user may not look.
    const foreign = await hub.request('GET', `/v1/firmware/rollouts/${created.id}/stages`, {
      token: other.partner.key,
    });
    expect(foreign.status).toBe(404);
    const user = await newUser(hub);
    const denied = await hub.request('GET', `/v1/firmware/rollouts/${created.id}/stages`, {
      token: user.token,
    });
    expect(denied.status).toBe(403);
  });

  it("the owner is told live on app/{uid}/firmware how its device's update goes; nobody else is", async () => {
    const setup = await firmware.start(2);
    const { hub, partner, modelId, devices } = setup;
    const owner = await newUser(hub);
    const neighbour = await newUser(hub);
    await claim(hub, owner.token, devices[0]!);
    await claim(hub, neighbour.token, devices[1]!);
    const fleet = await firmware.fleet(setup, devices.slice(0, 1));
    const phone = await rawPhone(hub.mqttUrl, owner);
    await phone.client.subscribeAsync(`app/${owner.id}/firmware`, { qos: 1 });
    const other = await rawPhone(hub.mqttUrl, neighbour);
    await other.client.subscribeAsync(`app/${neighbour.id}/firmware`, { qos: 1 });
    // Nobody may watch another user's inbox.
    await expect(other.client.subscribeAsync(`app/${owner.id}/firmware`, { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    try {
      const pkg = await shipPackage(hub, partner.key, modelId, '1.2.0', 64 * 1024);
      const updated = fleet[0]!.ota.next();
      await rollout(hub, partner.key, {
        packageId: pkg.id,
        target: { kind: 'devices', deviceIds: [devices[0]!.id] },
        policy: fastPolicy({ canary: 0 }),
      });
      expect((await updated).outcome).toBe('updated');
      const mine = () =>
        phone.messages.filter((m) => m.topic === `app/${owner.id}/firmware`).map((m) => m.body);
      const done = await phone.until(
        () => mine().find((b) => b['state'] === 'succeeded'),
        'succeeded notice',
      );
      expect(done).toMatchObject({ type: 'firmware-update', deviceId: devices[0]!.id, version: '1.2.0' });
      const states = mine().map((b) => b['state']);
      expect(states[0]).toBe('offered');
      expect(states).toContain('in_progress');
      expect(mine().some((b) => b['phase'] === 'downloading' && typeof b['percent'] === 'number')).toBe(true);
      await other.sync();
      expect(other.messages.filter((m) => m.topic.endsWith('/firmware'))).toEqual([]);
      // The device page shows the running version and the update with its notes.
      const view = await hub.request('GET', `/v1/me/devices/${devices[0]!.id}/firmware`, {
        token: owner.token,
      });
      expect(view.body).toMatchObject({ currentVersion: '1.2.0', available: null });
      expect((view.body['updates'] as Array<Record<string, unknown>>)[0]).toMatchObject({
        state: 'succeeded',
        notes: 'Release 1.2.0',
      });
    } finally {
      await phone.client.endAsync();
      await other.client.endAsync();
    }
  });

  it('the owner sees the newest release of its channels with its notes: beta only once opted in', async () => {
    const { hub, partner, modelId, devices } = await firmware.start(1);
    const owner = await newUser(hub);
    await claim(hub, owner.token, devices[0]!);
    const path = `/v1/me/devices/${devices[0]!.id}/firmware`;
    const pkg = await shipPackage(hub, partner.key, modelId, '3.0.0');
    // Ready but on no channel: not offered to owners.
    expect((await hub.request('GET', path, { token: owner.token })).body['available']).toBeNull();
    const beta = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/beta`, {
      token: partner.key,
      body: { soakMs: 0 },
    });
    expect(beta.status, beta.text).toBe(200);
    expect((await hub.request('GET', path, { token: owner.token })).body['available']).toBeNull();
    const joined = await hub.request('PUT', `/v1/me/devices/${devices[0]!.id}/beta`, { token: owner.token });
    expect(joined.status, joined.text).toBe(200);
    const view = await hub.request('GET', path, { token: owner.token });
    expect(view.body['beta']).toBe(true);
    expect(view.body['available']).toMatchObject({
      packageId: pkg.id,
      version: '3.0.0',
      notes: 'Release 3.0.0',
      channel: 'beta',
    });
  });
});
