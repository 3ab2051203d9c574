import { describe, expect, it } from 'vitest';
import { fastPolicy, firmwareHubs, rollout, rolloutState, shipPackage } from '../support/firmware.js';
import { until } from './sim-support.js';

const FLEET = 1000;

/**
 * The two 1,000-device runs (docs/ota.md, "Measured"): install failures halt a rollout at
 * the failure threshold; bad firmware that installs fine halts it on field health.
 */
describe('rollouts to 1,000 simulated devices halt themselves', { timeout: 240_000 }, () => {
  const firmware = firmwareHubs();
  const setUp = () =>
    firmware.start(FLEET, {
      hub: {
        firmware: { tickMs: 100 },
        limits: { connectRatePerAddress: 5000, maxPendingPerAddress: 2000 },
      },
    });

  it('halts on 10% injected install failures once failures pass 5% of 50 finished', async () => {
    const setup = await setUp();
    const { hub, partner, modelId, devices } = setup;
    await firmware.fleet(setup, devices, (i) => ({ installFails: i % 10 === 0 }));
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0', 4096);
    const started = Date.now();
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'model' },
      policy: fastPolicy({
        canary: 20,
        stages: [10, 30, 60, 100],
        // Low, so the stage gate does not stop it first: this run is about the failure threshold.
        promoteAtSuccessPercent: 50,
        abort: { failurePercent: 5, minFinished: 50 },
      }),
    });
    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).state === 'paused',
      60_000,
      'the halt',
    );
    const haltedMs = Date.now() - started;
    const halted = await rolloutState(hub, partner.key, r.id);
    expect(halted.haltReason).toMatch(/^failures: \d+ of \d+ finished executions failed/);
    const c = halted.counts;
    const finished = (c['succeeded'] ?? 0) + (c['failed'] ?? 0);
    // Halted within the second stage (at most 10% of the fleet taken), not after the whole fleet.
    expect(finished + (c['offered'] ?? 0) + (c['in_progress'] ?? 0)).toBeLessThanOrEqual(FLEET / 10);
    expect(c['queued']).toBeGreaterThanOrEqual(FLEET - FLEET / 10);
    expect(c['failed']).toBeGreaterThan(0);
    console.info(
      `[figures] install-failure halt: ${FLEET} devices, halted after ${haltedMs} ms with ${finished} finished ` +
        `(${c['failed']} failed); ${c['queued']} never offered`,
    );

    // Paused means no new offers: what was queued stays queued.
    const later = await rolloutState(hub, partner.key, r.id);
    expect(later.counts['queued']).toBe(c['queued']);
  });

  it('halts on field health while every install succeeded: updated devices go offline', async () => {
    const setup = await setUp();
    const { hub, partner, modelId, devices } = setup;
    await firmware.fleet(setup, devices, () => ({ badFirmware: 'offline' }));
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0', 4096);
    const started = Date.now();
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'model' },
      policy: fastPolicy({
        canary: 20,
        stages: [10, 30, 60, 100],
        promoteAtSuccessPercent: 80,
        abort: { failurePercent: 5, minFinished: 50 },
        health: { minUpdated: 20, maxOfflinePercent: 10, offlineWindowMs: 60_000 },
      }),
    });
    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).state === 'paused',
      60_000,
      'the halt',
    );
    const haltedMs = Date.now() - started;
    const halted = await rolloutState(hub, partner.key, r.id);
    expect(halted.haltReason).toMatch(/^health: \d+ of \d+ updated devices went offline/);
    const c = halted.counts;
    // Install status alone says all is well: nothing failed.
    expect(c['failed']).toBe(0);
    expect(c['timed_out']).toBe(0);
    expect(c['succeeded']).toBeGreaterThanOrEqual(20);
    expect(c['queued']).toBeGreaterThanOrEqual(FLEET - FLEET / 10);
    console.info(
      `[figures] bad-firmware health halt: ${FLEET} devices, halted after ${haltedMs} ms with ` +
        `${c['succeeded']} updated, ${c['failed']} failed; ${c['queued']} never offered`,
    );
  });
});
