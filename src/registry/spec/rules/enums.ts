import { formatBounds } from '../formats.js';
import { defineRule, forEachProperty } from './rule.js';

/**
 * The app shows enum descriptions as the choices of a picker, so they must be non-empty and tell the
 * choices apart; duplicate values would make a reported value ambiguous.
 */
export const enumEntriesRule = defineRule(
  'Q018',
  'error',
  'an enum is non-empty, its values fit the format and are unique, its descriptions are non-empty and unique',
  (spec, report) => {
    forEachProperty(spec, ({ property, label, path }) => {
      if (property.enum === undefined) return;
      if (property.enum.length === 0) {
        report(`${path}/enum`, `property ${label} has an empty enum: list its values, or remove "enum"`);
        return;
      }
      const bounds = formatBounds(property.format);
      const values = new Set<number>();
      const descriptions = new Set<string>();
      property.enum.forEach((entry, index) => {
        const at = `${path}/enum/${index}`;
        if (values.has(entry.value)) {
          report(
            `${at}/value`,
            `property ${label} lists enum value ${entry.value} twice: give each entry its own value`,
          );
        }
        values.add(entry.value);
        if (!Number.isSafeInteger(entry.value)) {
          report(
            `${at}/value`,
            `property ${label} enum value ${entry.value} is beyond 2^53 - 1, where JSON numbers lose digits: ` +
              'enum values are integers within ±(2^53 - 1); use a range for larger 64-bit values',
          );
        } else if (bounds !== undefined && (entry.value < bounds.min || entry.value > bounds.max)) {
          report(
            `${at}/value`,
            `property ${label} enum value ${entry.value} does not fit ${property.format} ` +
              `(${bounds.min}..${bounds.max}): change the value or use a wider format`,
          );
        }
        // Compared case- and space-insensitively: "Auto" and "auto " are the same choice to a user.
        const description = entry.description.trim().toLowerCase();
        if (description === '') {
          report(
            `${at}/description`,
            `property ${label} enum value ${entry.value} has no description: describe it (e.g. "Auto")`,
          );
        } else if (descriptions.has(description)) {
          report(
            `${at}/description`,
            `property ${label} enum description "${entry.description}" is used twice: describe each value differently`,
          );
        }
        descriptions.add(description);
      });
    });
  },
);
