import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { type FieldError, MAX_FIELD_ERRORS } from '../errors.js';

// ajv-formats is CommonJS: its typings describe the module object, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/**
 * A failing value with at most this many JSON values (objects, arrays and scalars) is checked again
 * with every rule to list its problems; a bigger one is answered with the first problem found. The
 * work spent on a bad body is then bounded: 60,000 unknown keys cost one failed key check, not
 * 60,000 error objects (docs/api.md, "Request bodies").
 */
export const FULL_CHECK_MAX_VALUES = 1000;

/**
 * Bodies are validated strictly: no type coercion ("100" stays a string and fails an integer field),
 * nothing removed, unknown fields rejected. Query strings and path params are text on the wire, so
 * there (only) numbers and booleans are coerced from their string form. Each schema gets a
 * fail-fast validator (every request) and, compiled on first need, one that collects every error.
 */
function makeAjv(coerce: boolean, allErrors: boolean): Ajv {
  const ajv = new Ajv({
    allErrors,
    coerceTypes: coerce,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** Unknown fields are refused by default: every object schema without an explicit rule gets `additionalProperties: false`. */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'const' || key === 'default' || key === 'examples' ? value : closeObjects(value);
  }
  if (out['type'] === 'object' && out['properties'] !== undefined && !('additionalProperties' in out)) {
    out['additionalProperties'] = false;
  }
  return out;
}

/** True when `value` holds more than `budget` JSON values; stops counting there. */
export function holdsMoreValuesThan(value: unknown, budget: number): boolean {
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length > 0) {
    const next = stack.pop();
    if (++seen > budget) return true;
    if (Array.isArray(next)) stack.push(...next.slice(0, budget - seen + 1));
    else if (next !== null && typeof next === 'object') {
      let pushed = 0;
      for (const key in next) {
        if (++pushed > budget - seen + 1) break;
        stack.push((next as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

export type ValidationFailure = Error & { validation: ErrorObject[]; validationTruncated: boolean };

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const ajvs = {
    body: { fast: makeAjv(false, false), full: makeAjv(false, true) },
    text: { fast: makeAjv(true, false), full: makeAjv(true, true) },
  };
  return ({ schema, httpPart }) => {
    const { fast, full } = httpPart === 'body' ? ajvs.body : ajvs.text;
    const closed = closeObjects(schema) as object;
    const validate: ValidateFunction = fast.compile(closed);
    let validateAll: ValidateFunction | undefined;
    return (data: unknown) => {
      if (validate(data)) return { value: data };
      let errors = validate.errors ?? [];
      let truncated = false;
      if (holdsMoreValuesThan(data, FULL_CHECK_MAX_VALUES)) {
        truncated = true;
      } else {
        validateAll ??= full.compile(closed);
        validateAll(data);
        errors = validateAll.errors ?? errors;
      }
      if (errors.length > MAX_FIELD_ERRORS) {
        errors = errors.slice(0, MAX_FIELD_ERRORS);
        truncated = true;
      }
      const error = new Error('validation failed') as ValidationFailure;
      error.validation = errors;
      error.validationTruncated = truncated;
      return { error };
    };
  };
}

function pointerPart(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Ajv errors -> field errors that name the field (JSON pointer) and the rule it broke. */
export function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((e) => {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      return {
        path: `${e.instancePath}/${pointerPart(String(params['missingProperty']))}`,
        message: 'is required',
      };
    }
    if (e.keyword === 'additionalProperties') {
      return {
        path: `${e.instancePath}/${pointerPart(String(params['additionalProperty']))}`,
        message: 'is not an allowed field',
      };
    }
    return { path: e.instancePath || '/', message: e.message ?? e.keyword };
  });
}
