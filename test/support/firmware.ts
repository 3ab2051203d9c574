import { randomBytes } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import { OtaClient, type OtaFaults, SimulatedDevice, Ticker } from '../../firmware-sim/index.js';
import { publicKeyFromRaw } from '../../src/firmware/manifest.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { type ProvisionedDevice, partnerWithModel, provision } from './devices.js';
import { type HttpHub, startHub, type TestHub } from './hub.js';
import type { OnboardedPartner } from './partners.js';

/** Registers a package and uploads a random binary of `size` bytes; returns the package and the bytes. */
export async function shipPackage(
  hub: HttpHub & { httpUrl: string },
  key: string,
  modelId: string,
  version: string,
  size = 16 * 1024,
  specVersion = 1,
): Promise<{ id: string; binary: Buffer; body: Record<string, unknown> }> {
  const created = await hub.request('POST', '/v1/firmware/packages', {
    token: key,
    body: { modelId, version, specVersion, notes: `Release ${version}` },
  });
  expect(created.status, created.text).toBe(201);
  const id = String(created.body['id']);
  const binary = randomBytes(size);
  const res = await fetch(`${hub.httpUrl}/v1/firmware/packages/${id}/binary`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
    body: binary,
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { id, binary, body: JSON.parse(text) as Record<string, unknown> };
}

export async function releaseKey(hub: HttpHub) {
  const res = await hub.request('GET', '/.well-known/ecohub-release-key');
  expect(res.status).toBe(200);
  return publicKeyFromRaw(Buffer.from(String(res.body['publicKey']), 'base64'));
}

export interface OtaDevice {
  readonly sim: SimulatedDevice;
  readonly ota: OtaClient;
}

/** Simulated devices that take updates, each with its own OTA faults; resolves once all are online. */
export async function startOtaDevices(
  hub: HttpHub & { mqttUrl: string },
  spec: ModelSpec,
  devices: readonly ProvisionedDevice[],
  faults: (index: number) => OtaFaults = () => ({}),
  firmwareRevision = '1.0.0',
): Promise<OtaDevice[]> {
  const key = await releaseKey(hub);
  // One shared ticker (as fleets use): a thousand devices do not need a thousand intervals.
  const ticker = new Ticker(devices.length > 50 ? 100 : 20);
  const out = devices.map((d, i) => {
    const sim = new SimulatedDevice({
      spec,
      credentials: { id: d.id, secret: d.secret },
      hubUrl: hub.mqttUrl,
      options: {
        firmwareRevision,
        telemetryIntervalMs: 0,
        eventIntervalMs: 0,
        ticker,
        backoff: { baseMs: 20, maxMs: 200 },
      },
    });
    sim.on('error', () => undefined);
    return { sim, ota: new OtaClient(sim, { releaseKey: key, faults: faults(i), installMs: 5 }) };
  });
  // In groups, so a big fleet does not flood the broker's per-address connect limit.
  for (let i = 0; i < out.length; i += 100)
    await Promise.all(out.slice(i, i + 100).map((d) => d.sim.start()));
  return out;
}

/**
 * Stops the devices, then waits until the hub saw every connection close: a CONNECT still in
 * flight when the hub closes would reach a closed database.
 */
export async function stopOtaDevices(
  devices: readonly OtaDevice[],
  hub?: { broker: { connectionCount: number } },
): Promise<void> {
  for (const d of devices) d.ota.stop();
  await Promise.all(devices.map((d) => d.sim.stop()));
  const deadline = Date.now() + 15_000;
  while (hub && hub.broker.connectionCount > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A rollout policy for tests: every stage at once, no soak, fast deadlines unless overridden. */
export function fastPolicy(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    canary: 1,
    stages: [100],
    stageSoakMs: 0,
    promoteAtSuccessPercent: 0,
    baseRatePerMinute: 100_000,
    maxRatePerMinute: 100_000,
    retries: { max: 0, backoffMs: 0 },
    ...extra,
  };
}

export async function rollout(hub: HttpHub, key: string, body: Record<string, unknown>) {
  const res = await hub.request('POST', '/v1/firmware/rollouts', { token: key, body });
  expect(res.status, res.text).toBe(201);
  return res.body as Record<string, unknown> & { id: string };
}

export async function rolloutState(hub: HttpHub, key: string, id: string) {
  const res = await hub.request('GET', `/v1/firmware/rollouts/${id}`, { token: key });
  expect(res.status, res.text).toBe(200);
  return res.body as Record<string, unknown> & {
    state: string;
    stage: number;
    haltReason: string | null;
    counts: Record<string, number>;
  };
}

/** What a firmware test starts from: a hub, one partner's published model and its provisioned devices. */
export interface FirmwareSetup {
  readonly hub: TestHub;
  readonly partner: OnboardedPartner;
  readonly modelId: string;
  readonly spec: ModelSpec;
  readonly devices: ProvisionedDevice[];
}

/**
 * A hub per test running rollouts, with the simulated fleet it serves; both are stopped after each
 * test (the fleet first, see stopOtaDevices). Call once inside a `describe`.
 */
export function firmwareHubs() {
  let hub: TestHub | undefined;
  let fleet: OtaDevice[] = [];
  afterEach(async () => {
    await stopOtaDevices(fleet, hub);
    fleet = [];
    await hub?.stop();
    hub = undefined;
  });
  return {
    /** Starts a hub (firmware ticking every 50 ms unless overridden) with `count` devices of one model. */
    async start(
      count: number,
      options: { hub?: Parameters<typeof startHub>[0]; model?: string } = {},
    ): Promise<FirmwareSetup> {
      hub = await startHub(options.hub ?? { firmware: { tickMs: 50 } });
      const { partner, modelId, spec } = await partnerWithModel(hub, options.model);
      const devices = await provision(hub, partner, modelId, count);
      return { hub, partner, modelId, spec, devices };
    },
    /** Brings `devices` online as simulated devices taking updates (see startOtaDevices). */
    async fleet(
      setup: Pick<FirmwareSetup, 'hub' | 'spec'>,
      devices: readonly ProvisionedDevice[],
      faults?: (index: number) => OtaFaults,
    ): Promise<OtaDevice[]> {
      fleet = await startOtaDevices(setup.hub, setup.spec, devices, faults);
      return fleet;
    },
  };
}
