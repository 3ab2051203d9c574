import { expect } from 'vitest';
import type { Faults } from '../../firmware-sim/faults.js';
import { SimulatedDevice } from '../../firmware-sim/index.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { type ProvisionedDevice, provision } from '../support/devices.js';
import type { TestHub } from '../support/hub.js';
import { exampleModel, step } from '../support/models.js';
import type { OnboardedPartner } from '../support/partners.js';

/** Shared by the certification-*.test.ts files (not a test file itself). */

/** Budgets small enough for a test, generous enough for a loaded 2-core box. */
export const TEST_BUDGETS = {
  replyMs: 1500,
  reportMs: 5000,
  withheldConnacks: 4,
  reconnectMs: 30_000,
  updateMs: 30_000,
};

/** A submitted model version (from an example) and one prototype device provisioned for it. */
export async function submittedModel(
  hub: TestHub,
  partner: OnboardedPartner,
  file: string,
  edit: (doc: ModelSpec) => ModelSpec = (d) => d,
): Promise<{ doc: ModelSpec; device: ProvisionedDevice }> {
  const doc = edit(exampleModel(file, partner.slug));
  const created = await hub.request('POST', '/v1/models', { token: partner.key, body: doc });
  expect(created.status, created.text).toBe(201);
  await step(hub, partner.key, doc.model, 1, 'submit', 'submitted');
  const [device] = await provision(hub, partner, doc.model, 1);
  if (device === undefined) throw new Error('no device provisioned');
  return { doc, device };
}

/**
 * The simulator as the device under test: quiet (no drift, no events), a fine ticker so reconnect
 * delays are measured to ~10 ms, a 200 ms backoff base so a cycle of 4 refusals takes seconds.
 */
export async function startSim(
  hub: TestHub,
  doc: ModelSpec,
  device: ProvisionedDevice,
  faults: Faults = {},
  firmwareRevision = '1.0.0',
): Promise<SimulatedDevice> {
  const sim = new SimulatedDevice({
    spec: doc,
    credentials: { id: device.id, secret: device.secret },
    hubUrl: hub.mqttUrl,
    options: {
      telemetryIntervalMs: 0,
      eventIntervalMs: 0,
      tickMs: 10,
      backoff: { baseMs: 200 },
      seed: 7,
      firmwareRevision,
      faults,
    },
  });
  await sim.start();
  return sim;
}

export interface RunView {
  id: string;
  state: string;
  verdict: string | null;
  firmwareRevision: string | null;
  cases: Array<{
    id: string;
    kind: string;
    verdict: string;
    reasons: string[];
    measured: Record<string, unknown>;
  }>;
}

/** Starts a run over REST and waits (on the service, bounded by the run's own budgets) until it ends. */
export async function runToEnd(
  hub: TestHub,
  token: string,
  body: {
    modelId: string;
    version: number;
    deviceId: string;
    packageId?: string;
    budgets?: Record<string, number>;
  },
): Promise<RunView> {
  const started = await hub.request('POST', '/v1/certification/runs', {
    token,
    body: { budgets: TEST_BUDGETS, ...body },
  });
  expect(started.status, started.text).toBe(202);
  const runId = String(started.body['id']);
  await hub.certification.whenDone(runId);
  const res = await hub.request('GET', `/v1/certification/runs/${runId}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body as unknown as RunView;
}

/** The ids of the failed cases, sorted. */
export function failedCases(run: RunView): string[] {
  return run.cases
    .filter((c) => c.verdict === 'fail')
    .map((c) => c.id)
    .sort();
}
