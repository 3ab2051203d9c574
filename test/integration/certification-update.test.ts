import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtaClient, type OtaFaults, type SimulatedDevice } from '../../firmware-sim/index.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { releaseKey, shipPackage } from '../support/firmware.js';
import { startHub, type TestHub } from '../support/hub.js';
import { exampleModel } from '../support/models.js';
import { failedCases, type RunView, runToEnd, startSim } from './certification-support.js';

/**
 * The update cycle of the plan (issue 17 with issue 14): a package shipped to the device under test,
 * which must refuse a bad signature and a tampered binary and install the genuine one; and the
 * rollout gate that follows: a release of a certified model needs a passing run on it.
 */

const MODEL = 'acme.light.bulb1';
const UPDATE_CASES = ['update.install', 'update.signature-invalid', 'update.tampered'];

let hub: TestHub;
const sims: SimulatedDevice[] = [];

beforeAll(async () => {
  hub = await startHub({ firmware: { tickMs: 50 }, certificationFirmwareGate: true });
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await hub?.stop();
});

/** A published model, a prototype on firmware 1.0.0 that takes updates, and a ready package 1.1.0. */
async function setUp(faults: OtaFaults) {
  const { partner, modelId } = await partnerWithModel(hub, MODEL);
  // The prototype, and a device in the field (offline) for the rollout the gate lets through.
  const [device] = await provision(hub, partner, modelId, 2);
  if (device === undefined) throw new Error('no device');
  const sim = await startSim(
    hub,
    { ...exampleModel(MODEL, partner.slug), model: modelId },
    device,
    {},
    '1.0.0',
  );
  sims.push(sim);
  new OtaClient(sim, { releaseKey: await releaseKey(hub), faults, installMs: 5 });
  const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0');
  return { partner, modelId, device, sim, pkg };
}

describe('the update cases and the rollout gate', () => {
  it('a release rolls out beyond beta only after a passing run that installed it; faults fail exactly their cases', async () => {
    const [good, skipHash, installFails] = await Promise.all([
      setUp({}),
      setUp({ skipHashCheck: true }),
      setUp({ installFails: true }),
    ]);
    if (good === undefined || skipHash === undefined || installFails === undefined) throw new Error('setup');

    // Before any run: the gate refuses a model-wide rollout with the one table's code; beta is fine.
    const refused = await hub.request('POST', '/v1/firmware/rollouts', {
      token: good.partner.key,
      body: { packageId: good.pkg.id, target: { kind: 'model' } },
    });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body['code']).toBe('CERTIFICATION_REQUIRED');
    expect(String(refused.body['detail'])).toContain('firmware 1.1.0');
    const beta = await hub.request('POST', `/v1/firmware/packages/${good.pkg.id}/beta`, {
      token: good.partner.key,
      body: {},
    });
    expect(beta.status, beta.text).toBe(200);

    // The plan names the package when asked with it.
    const plan = await hub.request(
      'GET',
      `/v1/certification/models/${good.modelId}/versions/1/plan?packageId=${good.pkg.id}`,
      { token: good.partner.key },
    );
    expect(plan.status, plan.text).toBe(200);
    const planCases = (plan.body['cases'] as Array<{ id: string }>).map((c) => c.id);
    expect(planCases.filter((id) => id.startsWith('update.')).sort()).toEqual(UPDATE_CASES);

    const runs: RunView[] = await Promise.all(
      [good, skipHash, installFails].map((s) =>
        runToEnd(hub, s.partner.key, {
          modelId: s.modelId,
          version: 1,
          deviceId: s.device.id,
          packageId: s.pkg.id,
        }),
      ),
    );
    const [passed, skipped, failedInstall] = runs as [RunView, RunView, RunView];

    // The well-behaved device refuses both bad offers, installs 1.1.0, and passes every case on it.
    expect(failedCases(passed)).toEqual([]);
    expect(passed.verdict).toBe('pass');
    expect(passed.firmwareRevision).toBe('1.1.0');
    const install = passed.cases.find((c) => c.id === 'update.install');
    expect(install?.measured['updateMs']).toEqual(expect.any(Number));
    const tampered = await hub.request('GET', `/v1/certification/runs/${passed.id}/cases/update.tampered`, {
      token: good.partner.key,
    });
    expect(JSON.stringify(tampered.body['evidence'])).toContain('hash-mismatch');
    const report = await hub.request('GET', `/v1/certification/runs/${passed.id}/report`, {
      token: good.partner.key,
    });
    expect(report.body['report']).toMatchObject({
      device: { firmwareRevision: '1.1.0' },
      update: { packageId: good.pkg.id, version: '1.1.0' },
    });

    // A device that installs whatever it downloads takes the tampered image (now on 1.1.0, the
    // genuine offer is refused as not newer); one whose install fails, only the install case.
    expect(failedCases(skipped)).toEqual(['update.install', 'update.tampered']);
    expect(skipped.cases.find((c) => c.id === 'update.tampered')?.reasons.join()).toContain(
      'took the package',
    );
    expect(failedCases(failedInstall)).toEqual(['update.install']);
    expect(failedInstall.cases.find((c) => c.id === 'update.install')?.reasons.join()).toContain(
      'install-failed',
    );

    // After the passing run on 1.1.0 the rollout is accepted; the failing runs unlock nothing.
    const accepted = await hub.request('POST', '/v1/firmware/rollouts', {
      token: good.partner.key,
      body: { packageId: good.pkg.id, target: { kind: 'model' } },
    });
    expect(accepted.status, accepted.text).toBe(201);
    const stillRefused = await hub.request('POST', '/v1/firmware/rollouts', {
      token: installFails.partner.key,
      body: { packageId: installFails.pkg.id, target: { kind: 'model' } },
    });
    expect(stillRefused.status, stillRefused.text).toBe(409);
    expect(await hub.certification.passedOnFirmware(good.modelId, 1, '1.1.0')).toBe(true);
    expect(await hub.certification.passedOnFirmware(installFails.modelId, 1, '1.1.0')).toBe(false);
  }, 120_000);

  it('refuses a package of another partner or another model version, naming /packageId', async () => {
    const a = await setUp({});
    const b = await setUp({});
    const res = await hub.request('POST', '/v1/certification/runs', {
      token: a.partner.key,
      body: { modelId: a.modelId, version: 1, deviceId: a.device.id, packageId: b.pkg.id },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body['errors']).toEqual([expect.objectContaining({ path: '/packageId' })]);
  }, 60_000);
});
