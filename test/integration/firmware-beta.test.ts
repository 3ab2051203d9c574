import { describe, expect, it } from 'vitest';
import { EcohubClient } from '../../src/sdk/index.js';
import { claim } from '../support/devices.js';
import { fastPolicy, firmwareHubs, rollout, rolloutState, shipPackage } from '../support/firmware.js';
import { newUser, type TestHub } from '../support/hub.js';
import { publishVersion } from '../support/models.js';
import { until } from './sim-support.js';

const FAST = {
  baseRatePerMinute: 100_000,
  maxRatePerMinute: 100_000,
  promoteAtSuccessPercent: 0,
  retries: { max: 0, backoffMs: 0 },
};

async function modelVersionOf(hub: TestHub, key: string, deviceId: string): Promise<number> {
  const res = await hub.request('GET', `/v1/devices/${deviceId}`, { token: key });
  expect(res.status, res.text).toBe(200);
  return Number(res.body['modelVersion']);
}

/** The beta channel end to end, and a rollout halting on error events from the field. */
describe('firmware: beta, promotion to stable, field health', { timeout: 90_000 }, () => {
  const firmware = firmwareHubs();

  it('a release goes to beta, is promoted only after its soak, then reaches the fleet on stable; updated devices take the new spec version', async () => {
    const setup = await firmware.start(3);
    const { hub, partner, modelId, devices } = setup;
    // Version 2 of the model's spec (add-only over 1), which firmware 2.0.0 implements.
    const v2 = await hub.request('POST', `/v1/models/${modelId}/versions`, { token: partner.key });
    expect(v2.status, v2.text).toBe(201);
    await publishVersion(hub, partner, modelId, 2);
    const fleet = await firmware.fleet(setup, devices);
    const tester = await newUser(hub);
    await claim(hub, tester.token, devices[0]!);
    // The owner opts in with the SDK (nothing is on beta yet, so no rollout is joined).
    const sdk = await EcohubClient.login(hub.httpUrl, tester.email, tester.password);
    expect(await sdk.firmware.joinBeta(devices[0]!.id)).toEqual({
      deviceId: devices[0]!.id,
      beta: true,
      rolloutId: null,
    });

    const pkg = await shipPackage(hub, partner.key, modelId, '2.0.0', 8192, 2);
    // Not on stable yet: a stable-channel rollout is refused.
    const tooSoon = await hub.request('POST', '/v1/firmware/rollouts', {
      token: partner.key,
      body: { packageId: pkg.id, target: { kind: 'channel', channel: 'stable' } },
    });
    expect(tooSoon.status).toBe(409);

    const testerUpdated = fleet[0]!.ota.next();
    const beta = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/beta`, {
      token: partner.key,
      body: { soakMs: 1500, policy: FAST },
    });
    expect(beta.status, beta.text).toBe(200);
    expect(beta.body['package']).toMatchObject({ channel: 'beta' });
    const betaRollout = String(beta.body['rolloutId']);
    expect((await testerUpdated).outcome).toBe('updated');
    // Only the beta device was offered the release.
    const offered = await hub.request('GET', `/v1/firmware/rollouts/${betaRollout}/executions`, {
      token: partner.key,
    });
    expect((offered.body['items'] as Array<{ deviceId: string }>).map((e) => e.deviceId)).toEqual([
      devices[0]!.id,
    ]);

    // Promotion is refused while the soak runs.
    const early = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, {
      token: partner.key,
    });
    expect(early.status).toBe(409);
    expect(early.text).toMatch(/soak|still running/);
    await until(
      async () => (await rolloutState(hub, partner.key, betaRollout)).state === 'completed',
      20_000,
      'the beta soak',
    );
    const promoted = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, {
      token: partner.key,
    });
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.body).toMatchObject({ channel: 'stable' });
    expect(promoted.body['stableAt']).toEqual(expect.any(String));
    // Twice is refused: it is not on beta any more.
    expect(
      (await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, { token: partner.key })).status,
    ).toBe(409);

    // The updated tester's device now implements spec version 2 in the registry.
    await until(async () => (await modelVersionOf(hub, partner.key, devices[0]!.id)) === 2, 5000, 'spec v2');
    expect(await modelVersionOf(hub, partner.key, devices[1]!.id)).toBe(1);

    const rest = [fleet[1]!.ota.next(), fleet[2]!.ota.next()];
    const stable = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'channel', channel: 'stable' },
      policy: fastPolicy({ canary: 0 }),
    });
    expect((await Promise.all(rest)).map((r) => r.outcome)).toEqual(['updated', 'updated']);
    await until(
      async () => (await rolloutState(hub, partner.key, stable.id)).state === 'completed',
      10_000,
      'the stable rollout',
    );
    expect((await rolloutState(hub, partner.key, stable.id)).counts['succeeded']).toBe(2);
    for (const d of devices) expect(await modelVersionOf(hub, partner.key, d.id)).toBe(2);
    // The owner sees the beta update on its device (SDK), nothing pending, and its tester credit.
    const mine = await sdk.firmware.device(devices[0]!.id);
    expect(mine).toMatchObject({ currentVersion: '2.0.0', beta: true });
    expect(mine.updates[0]).toMatchObject({ state: 'succeeded', version: '2.0.0', fromVersion: '1.0.0' });
    expect(await sdk.firmware.pendingUpdate(devices[0]!.id)).toBeUndefined();
    expect((await sdk.firmware.testerCredit()).releases).toEqual([
      expect.objectContaining({ releaseId: pkg.id, devices: 1 }),
    ]);
    expect(await sdk.firmware.leaveBeta(devices[0]!.id)).toEqual({ deviceId: devices[0]!.id, beta: false });
    await sdk.close();
  });

  it('refuses to promote a release with fewer tested device-hours than its beta policy asks', async () => {
    const setup = await firmware.start(1);
    const { hub, partner, modelId, devices } = setup;
    const fleet = await firmware.fleet(setup, devices);
    const tester = await newUser(hub);
    await claim(hub, tester.token, devices[0]!);
    await hub.request('PUT', `/v1/me/devices/${devices[0]!.id}/beta`, { token: tester.token });
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0');
    const updated = fleet[0]!.ota.next();
    const beta = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/beta`, {
      token: partner.key,
      body: { soakMs: 0, policy: { ...FAST, minTestedDeviceHours: 1000 } },
    });
    expect(beta.status, beta.text).toBe(200);
    expect((await updated).outcome).toBe('updated');
    const rolloutId = String(beta.body['rolloutId']);
    await until(
      async () => (await rolloutState(hub, partner.key, rolloutId)).state === 'completed',
      10_000,
      'the beta rollout',
    );
    const refused = await hub.request('POST', `/v1/firmware/packages/${pkg.id}/promote`, {
      token: partner.key,
    });
    expect(refused.status).toBe(409);
    expect(refused.body['detail'] ?? refused.text).toMatch(
      /beta testing: [\d.]+ tested device-hours on 1 devices, 1000 needed to promote/,
    );
    const testing = await hub.request('GET', `/v1/community/releases/${pkg.id}/testing`, {
      token: partner.key,
    });
    expect(testing.body).toMatchObject({ devices: 1, keptDevices: 1, testers: 1, channel: 'beta' });
  });

  it('halts on error events from updated devices while every install succeeded', async () => {
    const setup = await firmware.start(40, { model: 'acme.fan.f1' });
    const { hub, partner, modelId, devices } = setup;
    await firmware.fleet(setup, devices, () => ({ badFirmware: 'errors' }));
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0', 4096);
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'model' },
      policy: fastPolicy({
        canary: 5,
        stages: [50, 100],
        stageSoakMs: 60_000,
        health: { minUpdated: 5, minErrorEvents: 5, errorRateFactor: 3 },
      }),
    });
    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).state === 'paused',
      30_000,
      'the halt',
    );
    const halted = await rolloutState(hub, partner.key, r.id);
    expect(halted.haltReason).toMatch(/^health: updated devices emitted \d+ error events/);
    expect(halted.counts['failed']).toBe(0);
    expect(halted.counts['succeeded']).toBe(5);
    expect(halted.counts['queued']).toBe(35);
  });
});
