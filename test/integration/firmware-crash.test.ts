import { describe, expect, it } from 'vitest';
import { spawnServe } from '../support/cli.js';
import { partnerWithModel, provision } from '../support/devices.js';
import {
  fastPolicy,
  rollout,
  rolloutState,
  shipPackage,
  startOtaDevices,
  stopOtaDevices,
} from '../support/firmware.js';
import { ADMIN_TOKEN, httpRequester, tempDir } from '../support/hub.js';
import { spawnedDatabase } from '../support/spawned-database.js';
import { until } from './sim-support.js';

const FLEET = 20;
const RATE = 10;

describe('firmware rollouts survive kill -9 of the hub', () => {
  it('after a SIGKILL mid-rollout nothing is lost or offered twice, the rate holds and deadlines still fire', async () => {
    const dataDir = tempDir();
    const database = await spawnedDatabase();
    // The model is certified by override, not by a run on this firmware: the rollout gate is off here
    // (it has its own tests in certification-update.test.ts).
    const env = {
      ECOHUB_DATA_DIR: dataDir,
      ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      ECOHUB_FIRMWARE_CERTIFICATION_GATE: 'off',
      ...database.env,
    };
    const first = await spawnServe([], env, 60_000);
    const httpUrl = `http://127.0.0.1:${first.httpPort}`;
    const hub = { request: httpRequester(httpUrl), httpUrl, mqttUrl: `mqtt://127.0.0.1:${first.mqttPort}` };
    const { partner, modelId, spec } = await partnerWithModel(hub);
    const devices = await provision(hub, partner, modelId, FLEET);
    // A third of the devices start and then go silent: only the server-side deadline ends them.
    const silent = new Set(devices.filter((_, i) => i % 3 === 0).map((d) => d.id));
    const fleet = await startOtaDevices(hub, spec, devices, (i) => ({
      neverFinish: silent.has(devices[i]?.id ?? ''),
    }));
    const offers = new Map<string, Set<string>>();
    for (const d of fleet) {
      d.sim.on('ota', (payload) => {
        const m = JSON.parse(payload.toString()) as { type: string; executionId: string };
        if (m.type !== 'offer') return;
        const seen = offers.get(d.sim.id) ?? new Set<string>();
        seen.add(m.executionId);
        offers.set(d.sim.id, seen);
      });
    }
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0');
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'model' },
      policy: fastPolicy({
        canary: 0,
        baseRatePerMinute: RATE,
        maxRatePerMinute: RATE,
        timeouts: { progressMs: 3000 },
      }),
    });
    // Kill once the first wave of offers is out and the devices that work finished.
    await until(async () => offers.size === RATE, 15_000, 'the first offers');
    const working = [...offers.keys()].filter((id) => !silent.has(id)).length;
    // Succeeded on the hub's side: each came back reporting the new revision.
    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).counts['succeeded'] === working,
      20_000,
      'the working devices to update',
    );
    first.child.kill('SIGKILL');
    await first.exited();

    const second = await spawnServe(
      ['--http-port', String(first.httpPort), '--mqtt-port', String(first.mqttPort)],
      env,
      60_000,
    );
    try {
      // The silent devices' deadlines were in memory of the killed process only as timers: rebuilt.
      const silentOffered = [...offers.keys()].filter((id) => silent.has(id)).length;
      await until(
        async () => (await rolloutState(hub, partner.key, r.id)).counts['timed_out'] === silentOffered,
        20_000,
        'the deadlines after restart',
      );
      // Every device has reconnected (and was re-sent its offer if it held one) by now.
      await until(async () => fleet.every((d) => d.sim.connected), 20_000, 'the devices to reconnect');
      const after = await rolloutState(hub, partner.key, r.id);
      expect(after.state).toBe('running');
      expect(after.counts['succeeded']).toBe(working);
      expect(after.counts['total']).toBe(FLEET);
      // The rate counts the offers made before the kill: the second wave waits for its minute.
      expect(after.counts['queued']).toBe(FLEET - RATE);
      for (const [deviceId, ids] of offers) expect(ids.size, `offers to ${deviceId}`).toBe(1);
      for (const d of fleet) {
        expect(d.ota.attempts.filter((a) => a.outcome === 'updated').length).toBeLessThanOrEqual(1);
      }
      const list = await hub.request('GET', `/v1/firmware/rollouts/${r.id}/executions?state=timed_out`, {
        token: partner.key,
      });
      for (const e of list.body['items'] as Array<{ reason: string; attempts: number }>) {
        expect(e.reason).toMatch(/^deadline:/);
        expect(e.attempts).toBe(1);
      }
    } finally {
      await stopOtaDevices(fleet);
      second.child.kill('SIGTERM');
      await second.exited();
      await database.drop();
    }
  }, 240_000);
});
