import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import type { Violation } from './violation.js';

/** Most schema errors read from one document; the API reports fewer still (MAX_FIELD_ERRORS). */
export const MAX_SCHEMA_ERRORS = 1000;

/**
 * Turns TypeBox's errors into violations a partner can act on: every error, each with its JSON
 * pointer and a message that says what to change. TypeBox's own messages ("Expected union value")
 * are kept only as the fallback.
 */
export function schemaViolations(errors: Iterable<ValueError>): Violation[] {
  const all: ValueError[] = [];
  // The iterator is lazy: a document of thousands of unknown keys is read only this far.
  for (const error of errors) if (all.push(error) >= MAX_SCHEMA_ERRORS) break;
  const violations: Violation[] = [];
  const seen = new Set<string>();
  for (const error of all) {
    if (isRedundant(error, all)) continue;
    const message = describeError(error);
    const key = `${error.path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push({ rule: 'SCHEMA', severity: 'error', path: error.path, message });
  }
  return violations;
}

/**
 * An intersection reports a summary error on top of its members' errors, and a missing required field
 * is also reported as a type error on `undefined`; both repeat something said more precisely elsewhere.
 */
function isRedundant(error: ValueError, all: readonly ValueError[]): boolean {
  if (error.type === ValueErrorType.Intersect) {
    return all.some(
      (other) => other !== error && (other.path === error.path || other.path.startsWith(`${error.path}/`)),
    );
  }
  return error.value === undefined && error.type !== ValueErrorType.ObjectRequiredProperty;
}

function describeError(error: ValueError): string {
  // TypeBox types schema keywords as `any`; read them as unknown.
  const schema: Readonly<Record<string, unknown>> = error.schema;
  const field = lastSegment(error.path);
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      if (schema['patternProperties'] !== undefined) {
        return `"${field}" is not a locale tag: use a BCP-47 tag such as "en", "zh-CN" or "pt-BR"`;
      }
      const properties = schema['properties'];
      const allowed =
        typeof properties === 'object' && properties !== null ? Object.keys(properties).join(', ') : '';
      return `unknown field "${field}": remove it (allowed fields: ${allowed})`;
    }
    case ValueErrorType.ObjectRequiredProperty:
      return `missing required field "${field}": add it`;
    case ValueErrorType.Union: {
      const choices = literalChoices(schema);
      if (choices !== undefined)
        return `${got(error.value)} is not allowed: use one of ${choices.join(', ')}`;
      return `${got(error.value)} does not match any allowed shape`;
    }
    case ValueErrorType.StringPattern: {
      const expected =
        typeof schema['description'] === 'string'
          ? schema['description']
          : `text matching ${schema['pattern']}`;
      return `${got(error.value)} is not valid: expected ${expected}`;
    }
    case ValueErrorType.String:
      return `expected a string, got ${typeName(error.value)}`;
    case ValueErrorType.Integer:
      return `expected an integer, got ${got(error.value)}`;
    case ValueErrorType.Number:
      return `expected a number, got ${got(error.value)}`;
    case ValueErrorType.Boolean:
      return `expected true or false, got ${got(error.value)}`;
    case ValueErrorType.Object:
      return `expected an object, got ${typeName(error.value)}`;
    case ValueErrorType.Array:
      return `expected an array, got ${typeName(error.value)}`;
    case ValueErrorType.Tuple:
    case ValueErrorType.TupleLength:
      return `expected [min, max, step] (an array of 3 numbers), got ${got(error.value)}`;
    case ValueErrorType.ArrayUniqueItems:
      return 'lists the same entry twice: remove the repeat';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${schema['minItems']} entries: add one`;
    case ValueErrorType.ArrayMaxItems:
      return `has more than ${schema['maxItems']} entries: split or trim it`;
    case ValueErrorType.StringMaxLength:
      return `is longer than ${schema['maxLength']} characters: shorten it`;
    case ValueErrorType.StringMinLength:
      return `is shorter than ${schema['minLength']} characters: lengthen it`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${got(error.value)} is below the minimum ${schema['minimum']}: use ${schema['minimum']} or more`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${got(error.value)} is above the maximum ${schema['maximum']}: use ${schema['maximum']} or less`;
    default:
      return error.message;
  }
}

function literalChoices(schema: Readonly<Record<string, unknown>>): string[] | undefined {
  const members: unknown = schema['anyOf'];
  if (!Array.isArray(members)) return undefined;
  const choices: string[] = [];
  for (const member of members as readonly unknown[]) {
    const constant =
      typeof member === 'object' && member !== null && 'const' in member ? member.const : undefined;
    if (typeof constant !== 'string') return undefined;
    choices.push(constant);
  }
  return choices;
}

function lastSegment(path: string): string {
  return path
    .slice(path.lastIndexOf('/') + 1)
    .replaceAll('~1', '/')
    .replaceAll('~0', '~');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A short rendering of an offending value; long strings are cut so a message stays one line. */
function got(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeName(value);
}
