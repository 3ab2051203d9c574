import type { CompiledEvent, CompiledSpec } from '../src/registry/spec/index.js';
import type { Faults } from './faults.js';
import type { DeviceState } from './state.js';
import { type InvalidValue, outOfRangeValue, wrongFormatValue } from './values.js';

/**
 * Encodes property reports and events (docs/protocol.md), spoiling reports the way the switched-on
 * faults ask. The bad value is chosen once, from the spec, when the device is built, so a fault
 * that cannot apply to a model fails at construction instead of silently doing nothing.
 */
export class PayloadEncoder {
  readonly #faults: Faults;
  readonly #spoilers: readonly InvalidValue[];
  readonly #spec: CompiledSpec;

  constructor(state: DeviceState, faults: Faults) {
    this.#faults = faults;
    this.#spec = state.spec;
    const spoilers: InvalidValue[] = [];
    const candidates = state.notify.length > 0 ? state.notify : state.info;
    if (faults.outOfRange === true) {
      const bad = outOfRangeValue(candidates);
      if (bad === undefined) {
        throw new Error(
          `fault outOfRange needs a notify property with a range or an enum; ${state.spec.spec.model} has none`,
        );
      }
      spoilers.push(bad);
    }
    if (faults.wrongFormat === true) {
      const prop = candidates[0];
      if (prop === undefined) throw new Error(`fault wrongFormat needs a property to report`);
      spoilers.push(wrongFormatValue(prop));
    }
    this.#spoilers = spoilers;
  }

  /** What the hub should count for the reports this device sends, if it spoils them. */
  get rejectionReason(): string | undefined {
    if (this.#faults.malformedJson === true) return 'json';
    return this.#spoilers[0]?.reason;
  }

  report(seq: number, props: Record<string, unknown>): string {
    if (this.#faults.malformedJson === true) {
      // Cut off mid-document, as firmware with a too-small buffer would send it.
      return JSON.stringify({ seq, ts: Date.now(), props }).slice(0, -2);
    }
    let sent = props;
    if (this.#spoilers.length > 0) {
      sent = { ...props };
      for (const bad of this.#spoilers) sent[bad.prop.key] = bad.value;
    }
    return JSON.stringify({ seq, ts: Date.now(), props: this.#addressed(sent) });
  }

  /** An event by `service.event`, or by `siid.eiid` for a model addressed by iid. */
  event(seq: number, event: CompiledEvent, args: ReadonlyArray<{ piid: number; value: unknown }>): string {
    return JSON.stringify({ seq, event: this.#spec.addressing === 'iid' ? event.iidKey : event.key, args });
  }

  /** Report props as the model addresses them: `{name: value}`, or MIoT's `[{siid, piid, value}]`. */
  #addressed(props: Record<string, unknown>): Record<string, unknown> | Array<Record<string, unknown>> {
    if (this.#spec.addressing !== 'iid') return props;
    return Object.entries(props).map(([key, value]) => {
      const prop = this.#spec.property(key);
      return prop === undefined ? { key, value } : { siid: prop.siid, piid: prop.piid, value };
    });
  }
}
