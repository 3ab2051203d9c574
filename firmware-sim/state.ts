import type { CompiledEvent, CompiledProperty, CompiledSpec } from '../src/registry/spec/index.js';
import type { Prng } from './prng.js';
import { driftValue, initialValue } from './values.js';

/** Facts a device announces in `device-information` (protocol: read-only facts sent after connecting). */
export interface DeviceFacts {
  readonly manufacturer: string;
  readonly serialNumber: string;
  readonly firmwareRevision: string;
}

/** Most entries one report may carry (docs/protocol.md: `props` has 1..256 entries). */
export const MAX_REPORT_ENTRIES = 256;

const INFO_SERVICE = 'device-information';

/**
 * The simulated device's property values, keyed `service.property`, and the groups the
 * simulator works with: what it reports, what drifts by itself, what it announces at start.
 */
export class DeviceState {
  readonly spec: CompiledSpec;
  readonly values = new Map<string, unknown>();
  /** Notify properties: reported at start and on change. */
  readonly notify: readonly CompiledProperty[];
  /** Sensors: notify properties nobody may write, so only the device changes them. */
  readonly sensors: readonly CompiledProperty[];
  /** `device-information.*` properties, announced with the full report. */
  readonly info: readonly CompiledProperty[];

  constructor(spec: CompiledSpec, facts: DeviceFacts) {
    this.spec = spec;
    this.notify = spec.properties.filter((p) => p.notifiable);
    this.sensors = this.notify.filter((p) => !p.writable && p.service !== INFO_SERVICE);
    this.info = spec.properties.filter((p) => p.service === INFO_SERVICE && !p.notifiable);
    for (const prop of spec.properties) this.values.set(prop.key, initialValue(prop));
    const known: Record<string, string> = {
      manufacturer: facts.manufacturer,
      model: spec.spec.model,
      'serial-number': facts.serialNumber,
      'firmware-revision': facts.firmwareRevision,
    };
    for (const prop of spec.properties) {
      const fact = prop.service === INFO_SERVICE && prop.kind === 'string' ? known[prop.name] : undefined;
      if (fact !== undefined) this.values.set(prop.key, truncate(fact, prop.maxLength));
    }
  }

  get(prop: CompiledProperty): unknown {
    return this.values.get(prop.key);
  }

  set(prop: CompiledProperty, value: unknown): void {
    this.values.set(prop.key, value);
  }

  /** Every notify property plus the device-information facts, split into reports of at most 256 entries. */
  fullReports(): Array<Record<string, unknown>> {
    const all = [...this.notify, ...this.info];
    const reports: Array<Record<string, unknown>> = [];
    for (let at = 0; at < all.length; at += MAX_REPORT_ENTRIES) {
      reports.push(this.snapshot(all.slice(at, at + MAX_REPORT_ENTRIES)));
    }
    return reports;
  }

  snapshot(props: readonly CompiledProperty[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const prop of props) out[prop.key] = this.values.get(prop.key);
    return out;
  }

  /**
   * Moves every sensor and returns what to report: the sensors that changed, or, when nothing
   * changed or the model has no sensors, one notify property as a heartbeat so a telemetry rate
   * holds for any model.
   */
  drift(rng: Prng): Record<string, unknown> | undefined {
    const changed: Record<string, unknown> = {};
    let any = false;
    for (const prop of this.sensors) {
      const before = this.values.get(prop.key);
      const after = driftValue(prop, before, rng);
      if (after === before) continue;
      this.values.set(prop.key, after);
      changed[prop.key] = after;
      any = true;
    }
    if (any) return changed;
    const pool = this.sensors.length > 0 ? this.sensors : this.notify;
    const pick = pool[rng.int(0, pool.length - 1)];
    return pick === undefined ? undefined : { [pick.key]: this.values.get(pick.key) };
  }

  /** MIoT argument list of an event, from the current values (which are always valid). */
  eventArguments(event: CompiledEvent): Array<{ piid: number; value: unknown }> {
    return event.arguments.map((prop) => ({ piid: prop.piid, value: this.values.get(prop.key) }));
  }
}

function truncate(text: string, max: number | undefined): string {
  return max === undefined ? text : Array.from(text).slice(0, max).join('');
}
