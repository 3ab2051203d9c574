import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { SimulatedDevice, type SimulatedDeviceOptions } from '../../../firmware-sim/index.js';
import type { ModelSpec } from '../../../src/registry/spec/index.js';
import { onboardDeviceMaker, type ProvisionedDevice, provision } from '../../support/devices.js';
import type { TestHub } from '../../support/hub.js';
import { exampleModel, publishModel, publishVersion, versionPath } from '../../support/models.js';
import type { OnboardedPartner } from '../../support/partners.js';

/** Every example model's file name (examples/models/*.json, without `.json`). */
export function exampleFiles(): string[] {
  return readdirSync(new URL('../../../examples/models/', import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export interface Catalog {
  readonly partner: OnboardedPartner;
  /** By example file name (`acme.light.bulb1`): the published document (with the partner's model id). */
  readonly models: ReadonlyMap<string, ModelSpec>;
}

/** One partner with every example model published; "S" variants are derived from their parent. */
export async function publishExamples(hub: TestHub): Promise<Catalog> {
  const partner = await onboardDeviceMaker(hub);
  const models = new Map<string, ModelSpec>();
  const files = exampleFiles().map((file) => ({ file, doc: exampleModel(file, partner.slug) }));
  for (const { file, doc } of files.sort(
    (a, b) => Number(a.doc.parent !== undefined) - Number(b.doc.parent !== undefined),
  )) {
    if (doc.parent === undefined) {
      await publishModel(hub, partner, doc);
    } else {
      const code = doc.model.split('.')[2];
      const variant = await hub.request('POST', `/v1/models/${doc.parent}/variants`, {
        token: partner.key,
        body: { code, name: doc.name },
      });
      expect(variant.status, variant.text).toBe(201);
      const put = await hub.request('PUT', versionPath(doc.model, 1), { token: partner.key, body: doc });
      expect(put.status, put.text).toBe(200);
      await publishVersion(hub, partner, doc.model, 1);
    }
    models.set(file, doc);
  }
  return { partner, models };
}

export interface SimHandle {
  readonly device: SimulatedDevice;
  readonly credentials: ProvisionedDevice;
  /** Every command the device received, parsed, in order. */
  readonly commands: Array<{ id: string; op: string; props?: unknown; action?: string; in?: unknown }>;
}

/** A provisioned device of `file`, not yet claimed or connected. */
export async function provisionOne(hub: TestHub, catalog: Catalog, file: string): Promise<ProvisionedDevice> {
  const spec = catalog.models.get(file);
  if (spec === undefined) throw new Error(`no example model ${file}`);
  const [device] = await provision(hub, catalog.partner, spec.model, 1);
  if (device === undefined) throw new Error('provisioning returned no device');
  return device;
}

/**
 * A simulated device of `file` with these credentials, connected, that records every command it
 * receives. Quiet by default: no drift, no spontaneous events, unless the options say so.
 */
export async function startSim(
  hub: TestHub,
  catalog: Catalog,
  file: string,
  credentials: ProvisionedDevice,
  options: SimulatedDeviceOptions = {},
): Promise<SimHandle> {
  const spec = catalog.models.get(file);
  if (spec === undefined) throw new Error(`no example model ${file}`);
  const device = new SimulatedDevice({
    spec,
    credentials: { id: credentials.id, secret: credentials.secret },
    hubUrl: hub.mqttUrl,
    options: {
      telemetryIntervalMs: 0,
      eventIntervalMs: 0,
      tickMs: 20,
      backoff: { baseMs: 50, maxMs: 200 },
      ...options,
    },
  });
  const commands: SimHandle['commands'] = [];
  const handle = device.handleCommand.bind(device);
  // Every command the hub delivers passes here (the device calls this.handleCommand for each).
  device.handleCommand = (payload) => {
    commands.push(JSON.parse(String(payload)) as SimHandle['commands'][number]);
    return handle(payload);
  };
  await device.start();
  return { device, credentials, commands };
}

/** Polls `check` until it returns true (state only visible from outside: a device's values), bounded. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
