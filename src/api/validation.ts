import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.js';

// ajv-formats is CommonJS: its typings describe the module object, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/**
 * Bodies are validated strictly: no type coercion ("100" stays a string and fails an integer field),
 * nothing removed, unknown fields rejected, every problem reported. Query strings and path params
 * are text on the wire, so there (only) numbers and booleans are coerced from their string form.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
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

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const lenient = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : lenient;
    const validate: ValidateFunction = ajv.compile(closeObjects(schema) as object);
    return (data: unknown) => {
      if (validate(data)) return { value: data };
      const error = new Error('validation failed') as Error & { validation: ErrorObject[] };
      error.validation = validate.errors ?? [];
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
