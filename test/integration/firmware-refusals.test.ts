import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtaClient } from '../../firmware-sim/index.js';
import { claim, partnerWithModel, provision } from '../support/devices.js';
import {
  fastPolicy,
  type OtaDevice,
  rollout,
  rolloutState,
  shipPackage,
  startOtaDevices,
  stopOtaDevices,
} from '../support/firmware.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { until } from './sim-support.js';

describe('firmware refusals: tampered packages, replayed manifests, anti-rollback, isolation', () => {
  let hub: TestHub;
  let fleet: OtaDevice[] = [];
  beforeEach(async () => {
    hub = await startHub({ firmware: { tickMs: 50 } });
  });
  afterEach(async () => {
    await stopOtaDevices(fleet, hub);
    fleet = [];
    await hub.stop();
  });

  it('a device refuses a corrupted download (hash) and a manifest not signed by its pinned key', async () => {
    const { partner, modelId, spec } = await partnerWithModel(hub);
    const devices = await provision(hub, partner, modelId, 2);
    fleet = await startOtaDevices(hub, spec, devices, (i) => (i === 0 ? { corruptDownload: true } : {}));
    // The second device pins another key: to it, the hub's signature is a forgery.
    const other = generateKeyPairSync('ed25519').publicKey;
    const second = fleet[1];
    if (!second) throw new Error('no device');
    second.sim.removeAllListeners('ota');
    const pinned = new OtaClient(second.sim, { releaseKey: other });
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0');
    const results = Promise.all([fleet[0]?.ota.next(), pinned.next()]);
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'devices', deviceIds: devices.map((d) => d.id) },
      policy: fastPolicy({ canary: 2 }),
    });
    const [hashed, signed] = await results;
    expect(hashed).toMatchObject({ outcome: 'failed', reason: 'hash-mismatch' });
    expect(signed).toMatchObject({ outcome: 'rejected', reason: 'signature-invalid' });
    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).state === 'completed',
      10_000,
      'the end',
    );
    const list = await hub.request('GET', `/v1/firmware/rollouts/${r.id}/executions`, { token: partner.key });
    const byDevice = new Map(
      (list.body['items'] as Array<{ deviceId: string; state: string; reason: string }>).map((e) => [
        e.deviceId,
        e,
      ]),
    );
    expect(byDevice.get(devices[0]?.id ?? '')).toMatchObject({ state: 'failed', reason: 'hash-mismatch' });
    expect(byDevice.get(devices[1]?.id ?? '')).toMatchObject({
      state: 'rejected',
      reason: 'signature-invalid',
    });
  });

  it('a replayed older manifest is refused (anti-rollback); the hub refuses an older version without rollback: true', async () => {
    const { partner, modelId, spec } = await partnerWithModel(hub);
    const devices = await provision(hub, partner, modelId, 1);
    fleet = await startOtaDevices(hub, spec, devices);
    const device = fleet[0];
    if (!device) throw new Error('no device');
    const offers: Buffer[] = [];
    device.sim.on('ota', (payload) => offers.push(payload));
    const target = { kind: 'devices', deviceIds: [devices[0]?.id] };
    const v11 = await shipPackage(hub, partner.key, modelId, '1.1.0');
    let next = device.ota.next();
    const first = await rollout(hub, partner.key, { packageId: v11.id, target, policy: fastPolicy() });
    expect((await next).outcome).toBe('updated');
    // The device reports 'updated' before the hub has recorded it: a new rollout while the
    // execution is still open would find the device busy.
    await until(
      async () => (await rolloutState(hub, partner.key, first.id)).state === 'completed',
      10_000,
      'v1.1.0',
    );
    const v12 = await shipPackage(hub, partner.key, modelId, '1.2.0');
    next = device.ota.next();
    const second = await rollout(hub, partner.key, { packageId: v12.id, target, policy: fastPolicy() });
    expect((await next).outcome).toBe('updated');
    await until(
      async () => (await rolloutState(hub, partner.key, second.id)).state === 'completed',
      10_000,
      'v1.2.0',
    );

    // An attacker replays the validly signed 1.1.0 offer under a fresh execution id.
    const old = JSON.parse(offers[0]?.toString() ?? '{}') as Record<string, unknown>;
    next = device.ota.next();
    device.sim.emit('ota', Buffer.from(JSON.stringify({ ...old, executionId: 'ex_replayed' })));
    expect(await next).toMatchObject({ outcome: 'rejected', reason: 'anti-rollback' });
    expect(device.sim.firmwareRevision).toBe('1.2.0');

    const refused = await hub.request('POST', '/v1/firmware/rollouts', {
      token: partner.key,
      body: { packageId: v11.id, target, policy: fastPolicy() },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body['errors']?.[0]?.message).toMatch(/anti-rollback/);

    // An explicit, recorded rollback: the device gets a grant bound to it and goes back to 1.1.0.
    next = device.ota.next();
    const back = await rollout(hub, partner.key, {
      packageId: v11.id,
      target,
      policy: fastPolicy(),
      rollback: true,
    });
    expect((await next).outcome).toBe('updated');
    await until(
      async () => (await rolloutState(hub, partner.key, back.id)).state === 'completed',
      10_000,
      'rollback',
    );
    expect((await rolloutState(hub, partner.key, back.id)).counts['succeeded']).toBe(1);
    expect(device.sim.firmwareRevision).toBe('1.1.0');
  });

  it('refuses a spec version that is not published, a duplicate version, and a binary over the size limit', async () => {
    await hub.stop();
    hub = await startHub({ firmware: { tickMs: 50, maxPackageBytes: 1000 } });
    const { partner, modelId } = await partnerWithModel(hub);
    const bad = await hub.request('POST', '/v1/firmware/packages', {
      token: partner.key,
      body: { modelId, version: '1.1.0', specVersion: 7, notes: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body['errors']?.[0]?.path).toBe('/specVersion');
    const notSemver = await hub.request('POST', '/v1/firmware/packages', {
      token: partner.key,
      body: { modelId, version: '1.1', specVersion: 1, notes: '' },
    });
    expect(notSemver.status).toBe(400);
    expect(notSemver.body['errors']?.[0]?.path).toBe('/version');
    const created = await hub.request('POST', '/v1/firmware/packages', {
      token: partner.key,
      body: { modelId, version: '1.1.0', specVersion: 1, notes: '' },
    });
    expect(created.status).toBe(201);
    const again = await hub.request('POST', '/v1/firmware/packages', {
      token: partner.key,
      body: { modelId, version: '1.1.0', specVersion: 1, notes: '' },
    });
    expect(again.status).toBe(409);
    const big = await fetch(`${hub.httpUrl}/v1/firmware/packages/${String(created.body['id'])}/binary`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${partner.key}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(5000),
    });
    expect(big.status).toBe(413);
    const still = await hub.request('GET', `/v1/firmware/packages/${String(created.body['id'])}`, {
      token: partner.key,
    });
    expect(still.body['state']).toBe('draft');
  });

  it("isolation: a partner cannot upload for, target, or see another partner's models, packages and devices", async () => {
    const a = await partnerWithModel(hub);
    const b = await partnerWithModel(hub);
    const aDevices = await provision(hub, a.partner, a.modelId, 1);
    const bDevices = await provision(hub, b.partner, b.modelId, 1);
    const aPkg = await shipPackage(hub, a.partner.key, a.modelId, '1.1.0');

    const upload = await hub.request('POST', '/v1/firmware/packages', {
      token: b.partner.key,
      body: { modelId: a.modelId, version: '9.0.0', specVersion: 1, notes: '' },
    });
    expect(upload.status).toBe(404);
    expect(
      (await hub.request('GET', `/v1/firmware/packages/${aPkg.id}`, { token: b.partner.key })).status,
    ).toBe(404);
    const listed = await hub.request('GET', '/v1/firmware/packages', { token: b.partner.key });
    expect(listed.body['items']).toEqual([]);
    const target = await hub.request('POST', '/v1/firmware/rollouts', {
      token: b.partner.key,
      body: { packageId: aPkg.id, target: { kind: 'model' } },
    });
    expect(target.status).toBe(404);
    // Its own package cannot reach the other partner's device either.
    const bPkg = await shipPackage(hub, b.partner.key, b.modelId, '1.1.0');
    const cross = await hub.request('POST', '/v1/firmware/rollouts', {
      token: b.partner.key,
      body: { packageId: bPkg.id, target: { kind: 'devices', deviceIds: [aDevices[0]?.id] } },
    });
    expect(cross.status).toBe(400);
    expect(cross.body['errors']?.[0]?.path).toBe('/target/deviceIds/0');

    const aRollout = await rollout(hub, a.partner.key, {
      packageId: aPkg.id,
      target: { kind: 'model' },
      policy: fastPolicy(),
    });
    for (const path of ['', '/executions']) {
      expect(
        (await hub.request('GET', `/v1/firmware/rollouts/${aRollout.id}${path}`, { token: b.partner.key }))
          .status,
      ).toBe(404);
    }
    for (const action of ['pause', 'resume', 'cancel', 'promote']) {
      const res = await hub.request('POST', `/v1/firmware/rollouts/${aRollout.id}/${action}`, {
        token: b.partner.key,
      });
      expect(res.status).toBe(404);
    }
    expect(
      (await hub.request('GET', '/v1/firmware/rollouts', { token: b.partner.key })).body['items'],
    ).toEqual([]);
    // The operator sees everything and may cancel.
    expect(
      (await hub.request('GET', `/v1/firmware/rollouts/${aRollout.id}`, { token: ADMIN_TOKEN })).status,
    ).toBe(200);
    expect(
      (await hub.request('POST', `/v1/firmware/rollouts/${aRollout.id}/cancel`, { token: ADMIN_TOKEN }))
        .status,
    ).toBe(200);

    // Owners: only their devices; nobody else may opt a device into beta.
    const ann = await newUser(hub);
    const bob = await newUser(hub);
    const owned = bDevices[0];
    if (!owned) throw new Error('no device');
    await claim(hub, ann.token, owned);
    const mine = await hub.request('GET', `/v1/me/devices/${bDevices[0]?.id}/firmware`, { token: ann.token });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body['beta']).toBe(false);
    expect(
      (await hub.request('GET', `/v1/me/devices/${bDevices[0]?.id}/firmware`, { token: bob.token })).status,
    ).toBe(404);
    expect(
      (await hub.request('PUT', `/v1/me/devices/${bDevices[0]?.id}/beta`, { token: bob.token })).status,
    ).toBe(404);
    expect(
      (await hub.request('PUT', `/v1/me/devices/${bDevices[0]?.id}/beta`, { token: ann.token })).body['beta'],
    ).toBe(true);
    // Users and devices do not reach partner routes.
    expect((await hub.request('GET', '/v1/firmware/packages', { token: ann.token })).status).toBe(403);
  });
});
