import type { CompiledProperty, CompiledSpec, CompiledWide } from './compiled.js';
import { isOnStep } from './formats.js';
import { parseWide, wideSpellingProblem } from './wide.js';

/** `hex` values: pairs of hexadecimal digits (bytes), either case. */
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/**
 * Runtime value checks, run for every command and telemetry message. The success path allocates
 * nothing: messages are built only when something is wrong.
 */

export type ValueProblemReason = 'format' | 'range' | 'step' | 'enum' | 'length';

export interface ValueProblem {
  readonly reason: ValueProblemReason;
  readonly message: string;
}

/** Checks one value against a property: format, then length or range, then step, then enum. */
export function checkPropertyValue(prop: CompiledProperty, value: unknown): ValueProblem | undefined {
  switch (prop.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : formatProblem(prop, value);
    case 'string':
      if (typeof value !== 'string') return formatProblem(prop, value);
      if (prop.format === 'hex' && !HEX.test(value)) return formatProblem(prop, value);
      // `length` counts UTF-16 units, never fewer than code points, so the exact count is only needed above it.
      if (prop.maxLength !== undefined && value.length > prop.maxLength) {
        const length = codePointLength(value);
        if (length > prop.maxLength) {
          return {
            reason: 'length',
            message: `${prop.key} is ${length} characters long; the maximum is ${prop.maxLength}`,
          };
        }
      }
      return undefined;
    case 'integer':
      if (prop.wide !== undefined) return checkWide(prop, prop.wide, value);
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < prop.formatMin ||
        value > prop.formatMax
      ) {
        return formatProblem(prop, value);
      }
      return checkNumber(prop, value);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return formatProblem(prop, value);
      return checkNumber(prop, value);
  }
}

function checkNumber(prop: CompiledProperty, value: number): ValueProblem | undefined {
  const range = prop.range;
  if (range !== undefined) {
    if (value < range.min || value > range.max) {
      return {
        reason: 'range',
        message: `${prop.key} must be between ${range.min} and ${range.max}, got ${value}`,
      };
    }
    if (range.checksStep && !isOnStep(value, range.min, range.step)) {
      return {
        reason: 'step',
        message: `${prop.key} moves in steps of ${range.step} from ${range.min}, so ${value} is not a valid value`,
      };
    }
  }
  if (prop.enumValues !== undefined && !prop.enumValues.has(value)) {
    const choices = (prop.enumEntries ?? [])
      .map((entry) => `${entry.value} (${entry.description})`)
      .join(', ');
    return { reason: 'enum', message: `${prop.key} must be one of ${choices}, got ${value}` };
  }
  return undefined;
}

/** int64/uint64: the canonical JSON spelling (wide.ts), then exact bounds, range and step as bigints. */
function checkWide(prop: CompiledProperty, wide: CompiledWide, value: unknown): ValueProblem | undefined {
  const n = parseWide(value);
  if (n === undefined || n < wide.formatMin || n > wide.formatMax) {
    const spelling = wideSpellingProblem(value);
    if (spelling === undefined) return formatProblem(prop, value);
    return { reason: 'format', message: `${prop.key} (${prop.format}): ${spelling}` };
  }
  const range = wide.range;
  if (range !== undefined) {
    if (n < range.min || n > range.max) {
      return {
        reason: 'range',
        message: `${prop.key} must be between ${range.min} and ${range.max}, got ${n}`,
      };
    }
    if (range.step > 1n && (n - range.min) % range.step !== 0n) {
      return {
        reason: 'step',
        message: `${prop.key} moves in steps of ${range.step} from ${range.min}, so ${n} is not a valid value`,
      };
    }
  }
  if (prop.enumValues !== undefined && !(typeof value === 'number' && prop.enumValues.has(value))) {
    return checkNumber(prop, Number(n));
  }
  return undefined;
}

function formatProblem(prop: CompiledProperty, value: unknown): ValueProblem {
  let expected: string;
  switch (prop.kind) {
    case 'bool':
      expected = 'true or false';
      break;
    case 'string':
      expected = prop.format === 'hex' ? 'a string of hexadecimal digit pairs' : 'a string';
      break;
    case 'float':
      expected = 'a finite number';
      break;
    case 'integer':
      expected =
        prop.wide === undefined
          ? `an integer from ${prop.formatMin} to ${prop.formatMax}`
          : `an integer from ${prop.wide.formatMin} to ${prop.wide.formatMax} (a decimal string beyond 2^53 - 1)`;
      break;
  }
  return {
    reason: 'format',
    message: `${prop.key} (${prop.format}) expects ${expected}, got ${describeValue(value)}`,
  };
}

/** A short description of an offending value that never echoes a large payload back. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'string':
      return value.length <= 32 ? JSON.stringify(value) : 'a string';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

export type ArgumentProblemReason = 'shape' | 'missing' | 'unknown' | 'duplicate' | ValueProblemReason;

export interface ArgumentProblem {
  readonly reason: ArgumentProblemReason;
  /** The piid concerned, when there is one. */
  readonly piid?: number;
  /** Position in the given argument array, when the problem is with an entry. */
  readonly index?: number;
  readonly message: string;
}

/** One entry of an argument list: MIoT's `{piid, value}` (action `in`/`out`, event `arguments`). */
export interface ArgumentValue {
  readonly piid: number;
  readonly value: unknown;
}

const NO_PROBLEMS: readonly ArgumentProblem[] = Object.freeze([]);

/**
 * Stops after this many problems: each entry is either a problem or a distinct expected piid, so the
 * work stays bounded by the spec's parameter count even for a hostile argument list.
 */
export const MAX_ARGUMENT_PROBLEMS = 16;

/**
 * Checks action inputs/outputs or event arguments given as an array of `{piid, value}` against the
 * expected piids of service `serviceIid`. Every expected piid must appear exactly once, no other may
 * appear, and each value must pass `checkPropertyValue`. Returns an empty (shared) array when valid.
 */
export function checkArguments(
  spec: CompiledSpec,
  serviceIid: number,
  piids: readonly number[],
  values: unknown,
): readonly ArgumentProblem[] {
  if (!Array.isArray(values)) {
    return [
      {
        reason: 'shape',
        message: `arguments must be an array of {piid, value}, got ${describeValue(values)}`,
      },
    ];
  }
  let problems: ArgumentProblem[] | undefined;
  for (let index = 0; index < values.length; index++) {
    const problem = checkArgumentEntry(spec, serviceIid, piids, values, index);
    if (problem === undefined) continue;
    problems ??= [];
    if (problems.push(problem) >= MAX_ARGUMENT_PROBLEMS) return problems;
  }
  for (const piid of piids) {
    if (appearsBefore(values, values.length, piid)) continue;
    const name = spec.propertyByIid(serviceIid, piid)?.key ?? `piid ${piid}`;
    const missing: ArgumentProblem = {
      reason: 'missing',
      piid,
      message: `missing argument ${name} (piid ${piid})`,
    };
    problems ??= [];
    if (problems.push(missing) >= MAX_ARGUMENT_PROBLEMS) break;
  }
  return problems ?? NO_PROBLEMS;
}

function checkArgumentEntry(
  spec: CompiledSpec,
  serviceIid: number,
  piids: readonly number[],
  values: readonly unknown[],
  index: number,
): ArgumentProblem | undefined {
  const entry = values[index];
  const piid = piidOf(entry);
  if (piid === undefined || !hasOnlyArgumentKeys(entry)) {
    return {
      reason: 'shape',
      index,
      message: `argument ${index} must be an object {piid, value} with an integer piid`,
    };
  }
  const prop = piids.includes(piid) ? spec.propertyByIid(serviceIid, piid) : undefined;
  if (prop === undefined) {
    return {
      reason: 'unknown',
      piid,
      index,
      message: `argument ${index}: piid ${piid} is not a parameter here`,
    };
  }
  if (appearsBefore(values, index, piid)) {
    return {
      reason: 'duplicate',
      piid,
      index,
      message: `argument ${index}: ${prop.key} (piid ${piid}) is given twice`,
    };
  }
  const problem = checkPropertyValue(prop, argumentValue(entry));
  if (problem === undefined) return undefined;
  return { reason: problem.reason, piid, index, message: `argument ${index}: ${problem.message}` };
}

function piidOf(entry: unknown): number | undefined {
  if (typeof entry !== 'object' || entry === null || !('piid' in entry)) return undefined;
  const piid = entry.piid;
  return typeof piid === 'number' && Number.isInteger(piid) ? piid : undefined;
}

function argumentValue(entry: unknown): unknown {
  return typeof entry === 'object' && entry !== null && 'value' in entry ? entry.value : undefined;
}

function hasOnlyArgumentKeys(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  for (const key in entry) {
    if (key !== 'piid' && key !== 'value') return false;
  }
  return true;
}

/** Whether an entry before `index` names `piid`; a loop, not `some`, to stay allocation-free. */
function appearsBefore(values: readonly unknown[], index: number, piid: number): boolean {
  for (let before = 0; before < index; before++) {
    if (piidOf(values[before]) === piid) return true;
  }
  return false;
}
