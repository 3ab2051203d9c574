import {
  formatBounds,
  isIntegerFormat,
  isNumericFormat,
  isWideFormat,
  WIDE_FORMAT_BOUNDS,
} from '../formats.js';
import type { PropertySpec } from '../schema.js';
import { parseWide, wideSpellingProblem } from '../wide.js';
import { defineRule, forEachProperty } from './rule.js';

/**
 * Range rules only look at numeric formats: a range on a bool or string is already a Q011 error, and
 * piling more findings on it would bury the fix. 64-bit formats compare exactly, as bigints.
 */

const PARTS = ['min', 'max', 'step'] as const;

type Bound = NonNullable<PropertySpec['range']>[number];

/** The exact value of a range bound, or undefined when it is spelled wrong for its format (Q016). */
function exact(property: PropertySpec, bound: Bound): bigint | number | undefined {
  if (isWideFormat(property.format)) return parseWide(bound);
  return typeof bound === 'number' ? bound : undefined;
}

export const rangeOrderRule = defineRule(
  'Q015',
  'error',
  'a range has min < max and step > 0',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || !isNumericFormat(property.format)) return;
      const [min, max, step] = property.range.map((bound) => exact(property, bound));
      if (min !== undefined && max !== undefined && !(min < max)) {
        report(
          `${path}/range`,
          `property ${label} has range min ${min} >= max ${max}: the range is [min, max, step] with min below max`,
        );
      }
      if (step !== undefined && !(step > 0)) {
        report(
          `${path}/range/2`,
          `property ${label} has range step ${step}: the step must be positive (use 1 for any integer)`,
        );
      }
    });
  },
);

export const rangeFitsFormatRule = defineRule(
  'Q016',
  'error',
  "a range fits the format: integer formats have integer min/max/step within the format's bounds",
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      const range = property.range;
      if (range === undefined || !isNumericFormat(property.format)) return;
      const at = (index: number) => `${path}/range/${index}`;
      if (isWideFormat(property.format)) {
        const bounds = WIDE_FORMAT_BOUNDS[property.format];
        const [min, max, step] = range.map(parseWide);
        range.forEach((bound, index) => {
          if (parseWide(bound) !== undefined) return;
          const why = wideSpellingProblem(bound) ?? `${JSON.stringify(bound)} is not an integer`;
          report(at(index), `property ${label} is ${property.format} but its range ${PARTS[index]}: ${why}`);
        });
        if (min !== undefined && min < bounds.min) {
          report(
            at(0),
            `property ${label} range min ${min} is below the smallest ${property.format} (${bounds.min}): raise it`,
          );
        }
        if (max !== undefined && max > bounds.max) {
          report(
            at(1),
            `property ${label} range max ${max} is above the largest ${property.format} (${bounds.max}): lower it`,
          );
        }
        if (step !== undefined && step > bounds.max - bounds.min) {
          report(
            at(2),
            `property ${label} range step ${step} exceeds what ${property.format} can hold: lower it`,
          );
        }
        return;
      }
      range.forEach((bound, index) => {
        if (typeof bound === 'string') {
          report(
            at(index),
            `property ${label} is ${property.format} but its range ${PARTS[index]} is the string "${bound}": ` +
              'use a JSON number (decimal strings are for int64 and uint64 only)',
          );
        } else if (isIntegerFormat(property.format) && !Number.isInteger(bound)) {
          report(
            at(index),
            `property ${label} is ${property.format} but its range ${PARTS[index]} is ${bound}: ` +
              'use an integer, or change the format to float',
          );
        }
      });
      const bounds = formatBounds(property.format);
      if (bounds === undefined) return;
      const [min, max, step] = range;
      if (typeof min === 'number' && min < bounds.min) {
        report(
          at(0),
          `property ${label} range min ${min} is below the smallest ${property.format} (${bounds.min}): ` +
            'raise min or use a wider signed format',
        );
      }
      if (typeof max === 'number' && max > bounds.max) {
        report(
          at(1),
          `property ${label} range max ${max} is above the largest ${property.format} (${bounds.max}): ` +
            'lower max or use a wider format',
        );
      }
      if (typeof step === 'number' && step > bounds.max - bounds.min) {
        report(
          at(2),
          `property ${label} range step ${step} exceeds what ${property.format} can hold: lower it`,
        );
      }
    });
  },
);

/** Exact integer parts of an integer-format range, or undefined when some part is not an integer. */
function integerParts(property: PropertySpec): [bigint, bigint, bigint] | undefined {
  const parts = (property.range ?? []).map((bound) => {
    const value = exact(property, bound);
    if (typeof value === 'bigint') return value;
    return value !== undefined && Number.isInteger(value) ? BigInt(value) : undefined;
  });
  const [min, max, step] = parts;
  return min === undefined || max === undefined || step === undefined ? undefined : [min, max, step];
}

export const rangeStepRule = defineRule(
  'Q017',
  'warning',
  'for integer formats, max - min is a multiple of step (so max is reachable)',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || !isIntegerFormat(property.format)) return;
      const parts = integerParts(property);
      // Non-integer or non-positive parts are Q015/Q016 findings; the remainder is meaningless then.
      if (parts === undefined) return;
      const [min, max, step] = parts;
      if (!(min < max) || !(step > 0n)) return;
      const remainder = (max - min) % step;
      if (remainder === 0n) return;
      report(
        `${path}/range`,
        `property ${label} range [${min}, ${max}, ${step}]: ${max} is not reachable from ${min} in steps of ${step}; ` +
          `set max to ${max - remainder} or adjust the step`,
      );
    });
  },
);
