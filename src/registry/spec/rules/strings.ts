import { defineRule, forEachProperty } from './rule.js';

/** Firmware stores strings in fixed buffers; an explicit bound lets the hub refuse what would not fit. */
export const MAX_STRING_LENGTH = 4096;

export const stringLengthRule = defineRule(
  'Q019',
  'error',
  `maxLength only on string properties, and within 1..${MAX_STRING_LENGTH}`,
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.maxLength === undefined) return;
      if (property.format !== 'string') {
        report(
          `${path}/maxLength`,
          `property ${label} has format ${property.format}, which cannot have maxLength: remove "maxLength"`,
        );
      } else if (property.maxLength < 1 || property.maxLength > MAX_STRING_LENGTH) {
        report(
          `${path}/maxLength`,
          `property ${label} has maxLength ${property.maxLength}: use a value from 1 to ${MAX_STRING_LENGTH}`,
        );
      }
    });
  },
);

export const boundedStringRule = defineRule(
  'Q020',
  'warning',
  'a string property declares maxLength',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.format !== 'string' || property.maxLength !== undefined) return;
      report(
        path,
        `property ${label} is a string without "maxLength": add "maxLength" (1..${MAX_STRING_LENGTH}) ` +
          'so the hub can refuse values the firmware cannot store',
      );
    });
  },
);
