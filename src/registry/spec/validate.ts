import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type CategoryCatalog, defaultCatalog } from './catalog.js';
import { qualityRules } from './rules/index.js';
import type { QualityRule } from './rules/rule.js';
import { MAX_MODEL_DOCUMENT_BYTES, type ModelSpec, ModelSpecSchema } from './schema.js';
import { schemaViolations } from './schema-errors.js';
import { hasErrors, type Violation } from './violation.js';

export type ValidationResult =
  | { readonly ok: true; readonly spec: ModelSpec /** warnings only */; readonly violations: Violation[] }
  | { readonly ok: false; readonly violations: Violation[] };

export interface ValidateOptions {
  /** Defaults to the catalog shipped with the hub. */
  readonly catalog?: CategoryCatalog;
  /** Defaults to every quality rule; tests and tools may run a subset. */
  readonly rules?: readonly QualityRule[];
}

const modelSpecChecker = TypeCompiler.Compile(ModelSpecSchema);

/**
 * Validates a parsed model document: the schema first (every error), then, only when the shape is
 * right, every quality rule. Errors make the document invalid; warnings alone do not.
 */
export function validateModelDocument(doc: unknown, options: ValidateOptions = {}): ValidationResult {
  const size = serializedSize(doc);
  if (size === undefined) {
    return fail([schemaViolation('', 'the document is not JSON data (it has a cycle or a non-JSON value)')]);
  }
  if (size > MAX_MODEL_DOCUMENT_BYTES) return fail([oversize(size)]);
  return validateWithinLimit(doc, options);
}

function validateWithinLimit(doc: unknown, options: ValidateOptions): ValidationResult {
  if (!modelSpecChecker.Check(doc)) return fail(schemaViolations(modelSpecChecker.Errors(doc)));
  const ctx = { catalog: options.catalog ?? defaultCatalog };
  const violations: Violation[] = [];
  for (const rule of options.rules ?? qualityRules) violations.push(...rule.check(doc, ctx));
  if (hasErrors(violations)) return fail(violations);
  return { ok: true, spec: doc, violations };
}

/** Validates a model document given as JSON text (a file, a request body). */
export function validateModelJson(text: string, options: ValidateOptions = {}): ValidationResult {
  // Measured before parsing so an oversize upload costs no parse.
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_MODEL_DOCUMENT_BYTES) return fail([oversize(size)]);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail([
      { rule: 'JSON', severity: 'error', path: '', message: `not valid JSON (${reason}): fix the syntax` },
    ]);
  }
  return validateWithinLimit(doc, options);
}

function fail(violations: Violation[]): ValidationResult {
  return { ok: false, violations };
}

function schemaViolation(path: string, message: string): Violation {
  return { rule: 'SCHEMA', severity: 'error', path, message };
}

function oversize(size: number): Violation {
  return schemaViolation(
    '',
    `the document is ${size} bytes, over the ${MAX_MODEL_DOCUMENT_BYTES}-byte limit: ` +
      'shorten descriptions or split the model',
  );
}

function serializedSize(doc: unknown): number | undefined {
  try {
    const text = JSON.stringify(doc);
    return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}
