import { formatBounds, isIntegerFormat, isNumericFormat } from '../formats.js';
import { defineRule, forEachProperty } from './rule.js';

/**
 * Range rules only look at numeric formats: a range on a bool or string is already a Q011 error, and
 * piling more findings on it would bury the fix.
 */

export const rangeOrderRule = defineRule(
  'Q015',
  'error',
  'a range has min < max and step > 0',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || !isNumericFormat(property.format)) return;
      const [min, max, step] = property.range;
      if (!(min < max)) {
        report(
          `${path}/range`,
          `property ${label} has range min ${min} >= max ${max}: the range is [min, max, step] with min below max`,
        );
      }
      if (!(step > 0)) {
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
      if (property.range === undefined || !isIntegerFormat(property.format)) return;
      const bounds = formatBounds(property.format);
      const [min, max, step] = property.range;
      const names = ['min', 'max', 'step'] as const;
      property.range.forEach((value, index) => {
        if (!Number.isInteger(value)) {
          report(
            `${path}/range/${index}`,
            `property ${label} is ${property.format} but its range ${names[index]} is ${value}: ` +
              'use an integer, or change the format to float',
          );
        }
      });
      if (bounds === undefined) return;
      if (min < bounds.min) {
        report(
          `${path}/range/0`,
          `property ${label} range min ${min} is below the smallest ${property.format} (${bounds.min}): ` +
            'raise min or use a wider signed format',
        );
      }
      if (max > bounds.max) {
        report(
          `${path}/range/1`,
          `property ${label} range max ${max} is above the largest ${property.format} (${bounds.max}): ` +
            'lower max or use a wider format',
        );
      }
      if (step > bounds.max - bounds.min) {
        report(
          `${path}/range/2`,
          `property ${label} range step ${step} exceeds what ${property.format} can hold: lower it`,
        );
      }
    });
  },
);

export const rangeStepRule = defineRule(
  'Q017',
  'warning',
  'for integer formats, max - min is a multiple of step (so max is reachable)',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || !isIntegerFormat(property.format)) return;
      const [min, max, step] = property.range;
      // Non-integer or non-positive parts are Q015/Q016 findings; the remainder is meaningless then.
      if (!(min < max) || !(step > 0) || !property.range.every(Number.isInteger)) return;
      const remainder = (max - min) % step;
      if (remainder === 0) return;
      report(
        `${path}/range`,
        `property ${label} range [${min}, ${max}, ${step}]: ${max} is not reachable from ${min} in steps of ${step}; ` +
          `set max to ${max - remainder} or adjust the step`,
      );
    });
  },
);
