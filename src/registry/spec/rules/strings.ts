import { DEFAULT_STRING_MAX_LENGTH, isTextFormat } from '../formats.js';
import { defineRule, forEachProperty } from './rule.js';

/** Firmware stores strings in fixed buffers; an explicit bound lets the hub refuse what would not fit. */
export const MAX_STRING_LENGTH = 4096;

export const stringLengthRule = defineRule(
  'Q019',
  'error',
  `maxLength only on string and hex properties, and within 1..${MAX_STRING_LENGTH}`,
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.maxLength === undefined) return;
      if (!isTextFormat(property.format)) {
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
      if (!isTextFormat(property.format) || property.maxLength !== undefined) return;
      report(
        path,
        `property ${label} is a ${property.format} without "maxLength", so the hub bounds it at the default ` +
          `${DEFAULT_STRING_MAX_LENGTH} characters: add "maxLength" (1..${MAX_STRING_LENGTH}) with what the firmware can store`,
      );
    });
  },
);
