import { type CompiledProperty, type CompiledWide, wideJson } from '../src/registry/spec/index.js';
import type { Prng } from './prng.js';

/**
 * Values that fit a property's spec, generated from the spec alone: the simulator knows nothing
 * about any particular model. Numbers stay on the `range` grid (`min + k * step`), enums pick
 * entries, strings stay within `maxLength`.
 */

/** Where a simulated device starts: min of the range, the first enum value, false, a short string. */
export function initialValue(prop: CompiledProperty): unknown {
  switch (prop.kind) {
    case 'bool':
      return false;
    case 'string':
      return fitString(prop, prop.format === 'hex' ? '00' : 'sim');
    default: {
      const first = prop.enumEntries?.[0];
      if (first !== undefined) return first.value;
      if (prop.wide !== undefined) return wideValue(prop.wide, 0);
      if (prop.range !== undefined) return prop.range.min;
      return clamp(0, prop.formatMin, prop.formatMax);
    }
  }
}

/** Any valid value, uniformly over the grid or the enum. */
export function randomValue(prop: CompiledProperty, rng: Prng): unknown {
  switch (prop.kind) {
    case 'bool':
      return rng.chance(0.5);
    case 'string':
      if (prop.format === 'hex')
        return fitString(prop, rng.int(0, 0xffff_ffff).toString(16).padStart(8, '0'));
      return fitString(prop, `sim-${rng.int(0, 99_999).toString(36)}`);
    default: {
      const entries = prop.enumEntries;
      if (entries !== undefined && entries.length > 0) return entries[rng.int(0, entries.length - 1)]?.value;
      if (prop.wide !== undefined) return wideValue(prop.wide, rng.int(0, 1_000_000_000));
      const range = prop.range;
      if (range !== undefined) return gridValue(prop, rng.int(0, gridSteps(prop)));
      if (prop.kind === 'float') return round(rng.next() * 2000 - 1000, 2);
      return rng.int(Math.max(prop.formatMin, -1000), Math.min(prop.formatMax, 1000));
    }
  }
}

/**
 * The next value of a sensor: numbers move a few steps (about 2% of the range at most) and stay in
 * range; enums and bools change now and then; strings keep their value.
 */
export function driftValue(prop: CompiledProperty, current: unknown, rng: Prng): unknown {
  switch (prop.kind) {
    case 'bool':
      return rng.chance(0.05) ? current !== true : current;
    case 'string':
      return current;
    default: {
      if (prop.enumEntries !== undefined) return rng.chance(0.05) ? randomValue(prop, rng) : current;
      // 64-bit sensors (counters, timestamps) keep their value: exact arithmetic is not worth it here.
      if (prop.wide !== undefined) return current;
      const now = typeof current === 'number' ? current : 0;
      const range = prop.range;
      if (range === undefined) {
        const moved = prop.kind === 'float' ? round(now + (rng.next() - 0.5), 2) : now + rng.int(-1, 1);
        return clamp(moved, prop.formatMin, prop.formatMax);
      }
      const steps = gridSteps(prop);
      const at = Math.round((now - range.min) / range.step);
      const reach = Math.max(1, Math.round(steps * 0.02));
      return gridValue(prop, clamp(at + rng.int(-reach, reach), 0, steps));
    }
  }
}

export interface InvalidValue {
  readonly prop: CompiledProperty;
  readonly value: unknown;
  /** The rejection reason the hub should count (`ecohub_reports_rejected_total{reason}`). */
  readonly reason: 'range' | 'enum' | 'format';
}

/**
 * A value of the right format outside the range (preferred) or outside the enum, for the
 * `outOfRange` fault; undefined when no candidate property can hold one (all bools, say).
 */
export function outOfRangeValue(candidates: readonly CompiledProperty[]): InvalidValue | undefined {
  for (const prop of candidates) {
    const range = prop.range;
    if (range === undefined || prop.kind === 'bool' || prop.kind === 'string' || prop.wide !== undefined)
      continue;
    const above =
      prop.kind === 'float' ? round(range.max + Math.max(range.step, 1), 6) : range.max + range.step;
    if (above <= prop.formatMax) return { prop, value: above, reason: 'range' };
    const below = range.min - range.step;
    if (below >= prop.formatMin) return { prop, value: below, reason: 'range' };
  }
  for (const prop of candidates) {
    const values = prop.enumValues;
    if (values === undefined) continue;
    for (let value = Math.max(prop.formatMin, 0); value <= prop.formatMax; value++) {
      if (!values.has(value)) return { prop, value, reason: 'enum' };
    }
  }
  return undefined;
}

/** A value of the wrong JSON type, for the `wrongFormat` fault: a string for a number, and so on. */
export function wrongFormatValue(prop: CompiledProperty): InvalidValue {
  switch (prop.kind) {
    case 'bool':
      return { prop, value: 'on', reason: 'format' };
    case 'string':
      return { prop, value: 42, reason: 'format' };
    default:
      return { prop, value: 'not-a-number', reason: 'format' };
  }
}

/** How many steps fit in the range (the grid has steps + 1 points). */
function gridSteps(prop: CompiledProperty): number {
  const range = prop.range;
  if (range === undefined || !(range.step > 0)) return 0;
  return Math.floor((range.max - range.min) / range.step + 1e-9);
}

/** Point `k` of the range grid; floats are rounded to the step's decimals so `0.1` steps print cleanly. */
function gridValue(prop: CompiledProperty, k: number): number {
  const range = prop.range;
  if (range === undefined) return 0;
  const value = range.min + k * range.step;
  if (prop.kind !== 'float') return value;
  return round(value, Math.max(decimals(range.step), decimals(range.min)));
}

function decimals(n: number): number {
  const text = String(n);
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function round(value: number, places: number): number {
  return Number(value.toFixed(Math.min(places, 12)));
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}

function fitString(prop: CompiledProperty, text: string): string {
  if (prop.maxLength === undefined) return text;
  // hex comes in digit pairs, so an odd bound keeps one digit less.
  const max = prop.format === 'hex' ? prop.maxLength - (prop.maxLength % 2) : prop.maxLength;
  return Array.from(text).slice(0, max).join('');
}

/**
 * Grid point `k` of a 64-bit property (from 0, clamped into the format, without a range), in the
 * one JSON spelling the hub accepts: a number within 2^53 - 1, a decimal string beyond.
 */
function wideValue(wide: CompiledWide, k: number): number | string {
  const range = wide.range;
  if (range === undefined) {
    const n = BigInt(k % 1000);
    return wideJson(n < wide.formatMin ? wide.formatMin : n > wide.formatMax ? wide.formatMax : n);
  }
  const steps = range.step > 0n ? (range.max - range.min) / range.step : 0n;
  const at = BigInt(k) > steps ? steps : BigInt(k);
  return wideJson(range.min + at * range.step);
}
