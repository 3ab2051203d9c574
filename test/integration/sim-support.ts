import type { EventEmitter } from 'node:events';
import type { SimulatedDeviceOptions } from '../../firmware-sim/index.js';
import { SimulatedDevice } from '../../firmware-sim/index.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import type { TestHub } from '../support/hub.js';

/** Shared by the sim-*.test.ts files (not a test file itself). */

/** Resolves with the first `name` event whose payload matches, or rejects after `timeoutMs`. */
export function waitFor<T>(
  emitter: EventEmitter,
  name: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(name, listener);
  });
}

/** Polls `check` until it returns true, bounded: for state only visible over HTTP (metrics, lists). */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface SimFixture {
  readonly key: string;
  readonly modelId: string;
  readonly spec: ModelSpec;
  readonly devices: ProvisionedDevice[];
}

/** A partner with the example model published and `count` devices provisioned. */
export async function fixture(hub: TestHub, file: string, count = 1): Promise<SimFixture> {
  const { partner, modelId, spec } = await partnerWithModel(hub, file);
  const devices = await provision(hub, partner, modelId, count);
  return { key: partner.key, modelId, spec, devices };
}

/** A device that does nothing by itself (no drift, no events) unless the options say so. */
export function quietDevice(
  hubUrl: string,
  spec: ModelSpec,
  device: ProvisionedDevice,
  options: SimulatedDeviceOptions = {},
): SimulatedDevice {
  return new SimulatedDevice({
    spec,
    credentials: { id: device.id, secret: device.secret },
    hubUrl,
    options: { telemetryIntervalMs: 0, eventIntervalMs: 0, tickMs: 20, ...options },
  });
}

export async function shadowOf(hub: TestHub, key: string, id: string) {
  const res = await hub.request('GET', `/v1/devices/${id}`, { token: key });
  if (res.status !== 200) throw new Error(`GET device: ${res.status} ${res.text}`);
  return res.body as {
    firmwareVersion: string | null;
    presence: { online: boolean };
    shadow: { version: number; reported: Record<string, { value: unknown }> };
  };
}

export function metricDelta(before: Map<string, number>, after: Map<string, number>, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}
