import { type CompiledProperty, checkPropertyValue, wideJson } from '../registry/spec/index.js';

/**
 * The values a test plan sends, chosen from a property's spec alone (docs/certification.md): a
 * boundary sweep of valid values, and invalid values that are each wrong in one documented way.
 */
export interface PlannedValue {
  /** Stable within the property: part of the case id (`min`, `max`, `step-2`, `enum-3`, `true`). */
  readonly label: string;
  readonly value: unknown;
}

/** Interior grid points a numeric sweep visits besides min and max. */
const INTERIOR_POINTS = 3;

function decimals(step: number): number {
  const text = String(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function onGrid(min: number, step: number, k: number): number {
  const places = Math.min(10, decimals(step) + decimals(min));
  return Number((min + k * step).toFixed(places));
}

function fitString(prop: CompiledProperty, text: string): string {
  return prop.maxLength === undefined ? text : text.slice(0, prop.maxLength);
}

/** Valid values: min, max and interior step points of a range; every enum value; both booleans; strings. */
export function sweepValues(prop: CompiledProperty): PlannedValue[] {
  const out: PlannedValue[] = [];
  switch (prop.kind) {
    case 'bool':
      out.push({ label: 'true', value: true }, { label: 'false', value: false });
      break;
    case 'string': {
      const unit = prop.format === 'hex' ? 'ab' : 'c';
      out.push({ label: 'short', value: fitString(prop, prop.format === 'hex' ? '0f' : 'cert') });
      if (prop.maxLength !== undefined) {
        const length = prop.format === 'hex' ? prop.maxLength - (prop.maxLength % 2) : prop.maxLength;
        const long = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        if (long.length > 4) out.push({ label: 'max-length', value: long });
      }
      break;
    }
    default: {
      if (prop.enumEntries !== undefined) {
        for (const entry of prop.enumEntries) out.push({ label: `enum-${entry.value}`, value: entry.value });
        break;
      }
      const wideRange = prop.wide?.range;
      if (wideRange !== undefined) {
        out.push(
          { label: 'min', value: wideJson(wideRange.min) },
          { label: 'max', value: wideJson(wideRange.max) },
        );
        break;
      }
      if (prop.wide !== undefined) {
        out.push({ label: 'zero', value: 0 }, { label: 'one', value: 1 });
        break;
      }
      const range = prop.range;
      if (range === undefined) {
        out.push({ label: 'zero', value: 0 }, { label: 'one', value: 1 });
        break;
      }
      const step = range.step > 0 ? range.step : prop.kind === 'integer' ? 1 : (range.max - range.min) / 4;
      const steps = Math.floor((range.max - range.min) / step + 1e-9);
      out.push({ label: 'min', value: range.min });
      const seen = new Set<number>([0, steps]);
      for (let i = 1; i <= INTERIOR_POINTS; i++) {
        const k = Math.round((steps * i) / (INTERIOR_POINTS + 1));
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ label: `step-${k}`, value: onGrid(range.min, step, k) });
      }
      // The grid may stop short of max (max - min not a multiple of step): max itself is then off-grid.
      const top = onGrid(range.min, step, steps);
      out.push({ label: 'max', value: checkPropertyValue(prop, range.max) === undefined ? range.max : top });
    }
  }
  return out.filter((v) => checkPropertyValue(prop, v.value) === undefined);
}

/** Invalid values, each wrong in one way; the device must refuse every one with VALUE_INVALID. */
export function invalidValues(prop: CompiledProperty): PlannedValue[] {
  const out: PlannedValue[] = [];
  switch (prop.kind) {
    case 'bool':
      out.push({ label: 'wrong-type', value: 'on' });
      break;
    case 'string':
      out.push({ label: 'wrong-type', value: 42 });
      if (prop.format === 'hex') out.push({ label: 'not-hex', value: 'zz' });
      if (prop.maxLength !== undefined) {
        out.push({
          label: 'too-long',
          value: (prop.format === 'hex' ? 'ab' : 'c').repeat(prop.maxLength + 1),
        });
      }
      break;
    default: {
      out.push({ label: 'wrong-type', value: String(sweepValues(prop)[0]?.value ?? '1') });
      const wideRange = prop.wide?.range;
      if (wideRange !== undefined) {
        out.push({
          label: 'above-max',
          value: wideJson(wideRange.max + (wideRange.step > 0n ? wideRange.step : 1n)),
        });
        out.push({
          label: 'below-min',
          value: wideJson(wideRange.min - (wideRange.step > 0n ? wideRange.step : 1n)),
        });
        break;
      }
      if (prop.wide !== undefined) break;
      if (prop.enumEntries !== undefined && prop.enumEntries.length > 0) {
        const highest = Math.max(...prop.enumEntries.map((e) => e.value));
        out.push({ label: 'not-in-enum', value: highest + 1 });
      }
      const range = prop.range;
      if (range !== undefined) {
        const step = range.step > 0 ? range.step : 1;
        out.push({ label: 'above-max', value: onGrid(range.max, step, 1) });
        out.push({ label: 'below-min', value: onGrid(range.min, step, -1) });
        if (range.checksStep && range.max - range.min >= step) {
          out.push({ label: 'off-step', value: onGrid(range.min, step / 2, 1) });
        }
      } else if (prop.kind === 'integer') {
        out.push({ label: 'fraction', value: 0.5 });
      }
    }
  }
  // Only values the hub itself would refuse: a wrong value that happens to be valid is no test.
  return out.filter((v) => checkPropertyValue(prop, v.value) !== undefined);
}
