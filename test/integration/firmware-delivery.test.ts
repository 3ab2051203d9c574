import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partnerWithModel, provision } from '../support/devices.js';
import {
  fastPolicy,
  type OtaDevice,
  rollout,
  rolloutState,
  shipPackage,
  startOtaDevices,
  stopOtaDevices,
} from '../support/firmware.js';
import { startHub, type TestHub } from '../support/hub.js';
import { until } from './sim-support.js';

describe('firmware delivery: signed packages, offers, resumable downloads, success on the new revision', () => {
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

  it('updates devices end to end; an interrupted download resumes with a Range request', async () => {
    const { partner, modelId, spec } = await partnerWithModel(hub);
    const devices = await provision(hub, partner, modelId, 3);
    fleet = await startOtaDevices(hub, spec, devices, (i) => (i === 0 ? { cutDownloadAt: 5000 } : {}));
    const pkg = await shipPackage(hub, partner.key, modelId, '1.1.0', 20_000);
    expect(pkg.body['state']).toBe('ready');
    expect(pkg.body['size']).toBe(20_000);

    const attempts = fleet.map((d) => d.ota.next());
    const r = await rollout(hub, partner.key, {
      packageId: pkg.id,
      target: { kind: 'devices', deviceIds: devices.map((d) => d.id) },
      policy: fastPolicy(),
    });
    const done = await Promise.all(attempts);
    expect(done.map((a) => a.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(done[0]?.resumes).toBeGreaterThanOrEqual(1);
    expect(done[1]?.resumes).toBe(0);

    await until(
      async () => (await rolloutState(hub, partner.key, r.id)).state === 'completed',
      10_000,
      'completion',
    );
    const final = await rolloutState(hub, partner.key, r.id);
    expect(final.counts['succeeded']).toBe(3);
    const device = await hub.request('GET', `/v1/devices/${devices[0]?.id}`, { token: partner.key });
    expect(device.body['firmwareVersion']).toBe('1.1.0');
  });
});
