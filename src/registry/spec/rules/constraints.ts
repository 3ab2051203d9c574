import { isIntegerFormat, isNumericFormat, isTextFormat } from '../formats.js';
import { defineRule, forEachProperty } from './rule.js';

/** Which value constraint (range, enum, maxLength) a property may carry depends on its format. */

export const allowedUnitRule = defineRule(
  'Q010',
  'error',
  'units come from the allowed unit list',
  (spec, report, ctx) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.unit === undefined || ctx.catalog.unitIds.has(property.unit)) return;
      const hint = closestUnit(property.unit, ctx.catalog.unitIds);
      report(
        `${path}/unit`,
        `property ${label} has unknown unit "${property.unit}": ` +
          (hint === undefined ? '' : `did you mean "${hint}"? `) +
          'use a unit from the allowed list (docs/spec.md), or "none" for a unitless number',
      );
    });
  },
);

export const rangeFormatRule = defineRule(
  'Q011',
  'error',
  'range only on numeric formats (integers and float)',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || isNumericFormat(property.format)) return;
      const fix = isTextFormat(property.format)
        ? 'use "maxLength" to bound a string'
        : 'a bool needs no range';
      report(
        `${path}/range`,
        `property ${label} has format ${property.format}, which cannot have a range: remove "range" (${fix})`,
      );
    });
  },
);

export const enumFormatRule = defineRule('Q012', 'error', 'enum only on integer formats', (spec, report) => {
  forEachProperty(spec, ({ property, label, path }) => {
    if (property.enum === undefined || isIntegerFormat(property.format)) return;
    report(
      `${path}/enum`,
      `property ${label} has format ${property.format}, which cannot have an enum: ` +
        'enum values are integers, so change the format to uint8 (or another integer format) or remove "enum"',
    );
  });
});

export const rangeOrEnumRule = defineRule(
  'Q013',
  'error',
  'a property has a range or an enum, not both',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.range === undefined || property.enum === undefined) return;
      report(
        path,
        `property ${label} has both "range" and "enum": keep "enum" for a set of named values, ` +
          '"range" for a continuous quantity, and remove the other',
      );
    });
  },
);

export const boundedNumberRule = defineRule(
  'Q014',
  'warning',
  'a numeric property declares a range or an enum',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (!isNumericFormat(property.format)) return;
      if (property.range !== undefined || property.enum !== undefined) return;
      const fix = isIntegerFormat(property.format)
        ? 'add "range": [min, max, step] or an "enum" of its values'
        : 'add "range": [min, max, step]';
      report(
        path,
        `property ${label} (${property.format}) accepts any ${property.format} value: ${fix} ` +
          'so the hub can reject out-of-range commands and telemetry',
      );
    });
  },
);

/** Unit ids are few; a prefix or case-insensitive match is enough for a helpful hint. */
function closestUnit(unit: string, unitIds: ReadonlySet<string>): string | undefined {
  const wanted = unit.toLowerCase().replace(/[^a-z0-9/]/g, '');
  for (const id of unitIds) {
    if (id === wanted || id.startsWith(wanted) || (wanted.length >= 3 && wanted.startsWith(id))) return id;
  }
  return undefined;
}
