import { type FieldError, HubError } from '../../errors.js';
import { type ModelSpec, type SpecChange, type Violation, validateModelDocument } from '../spec/index.js';
import { parseTypeUrn } from '../spec/types.js';
import type { ModelRow, PartnerProfile } from './store.js';
import type { Finding } from './views.js';

/**
 * What the registry requires of a document beyond the spec itself: it belongs to the caller (the
 * model id's first segment is the partner's slug), in a category the partner applied for, for the
 * model and version it is stored under, with the parent (or none) the model was created with.
 * Registry findings carry the rule id `REGISTRY`, beside the spec's `SCHEMA` and `Q...` rules.
 */
export interface DocumentExpectation {
  readonly slug: string;
  readonly categories: readonly string[];
  /** The model id the document must keep (undefined when creating a model). */
  readonly modelId?: string;
  /** The parent a variant names, or null: a plain model names none. */
  readonly parent: string | null;
  /** A document's specVersion is the number of the version that stores it. */
  readonly specVersion: number;
}

/** What a document stored for `target` must satisfy: a new model's (no `model`) or an existing one's. */
export function expectationFor(
  profile: PartnerProfile,
  target: { model?: ModelRow; parent?: string | null; specVersion: number },
): DocumentExpectation {
  return {
    slug: profile.slug,
    categories: JSON.parse(profile.categories) as string[],
    ...(target.model ? { modelId: target.model.id } : {}),
    parent: target.model ? target.model.parent_id : (target.parent ?? null),
    specVersion: target.specVersion,
  };
}

/**
 * The version a new model starts at: 1, or the instance version its MIoT device type names
 * (`urn:miot-spec-v2:device:humidifier:0000A00E:zhimi-ca4:3` starts at 3), so an imported model keeps
 * MIoT's numbering and its next version is the instance's next one.
 */
export function initialVersion(doc: unknown): number {
  const type = typeof doc === 'object' && doc !== null && 'type' in doc ? doc.type : undefined;
  if (typeof type !== 'string') return 1;
  const parsed = parseTypeUrn(type);
  if (!parsed.ok || parsed.urn.kind !== 'device') return 1;
  const version = parsed.urn.version ?? 1;
  return version >= 1 && version <= 1_000_000 ? version : 1;
}

export interface CheckedDocument {
  readonly spec: ModelSpec;
  readonly warnings: Finding[];
}

/**
 * Validates a model document against the spec (schema and every quality rule) and the registry's
 * expectations; throws one VALIDATION_FAILED listing every error, each with its JSON pointer and
 * the rule id leading the message (`Q006: ...`).
 */
export function checkDocument(doc: unknown, expected: DocumentExpectation): CheckedDocument {
  const result = validateModelDocument(doc);
  const errors: FieldError[] = result.violations
    .filter((violation) => violation.severity === 'error')
    .map(toFieldError);
  errors.push(...registryErrors(doc, expected));
  if (!result.ok || errors.length > 0) throw invalidDocument('the model document is not valid', errors);
  const warnings = result.violations.map(({ rule, path, message }) => ({ rule, path, message }));
  return { spec: result.spec, warnings };
}

function toFieldError(violation: Violation): FieldError {
  return { path: violation.path, message: `${violation.rule}: ${violation.message}` };
}

function registryError(path: string, message: string): FieldError {
  return { path, message: `REGISTRY: ${message}` };
}

/** Checked on the raw document so that they are reported together with any schema errors. */
function registryErrors(doc: unknown, expected: DocumentExpectation): FieldError[] {
  const fields: Record<string, unknown> = typeof doc === 'object' && doc !== null ? { ...doc } : {};
  const errors: FieldError[] = [];
  const { model, category, parent, specVersion } = fields;
  if (typeof model === 'string') {
    if (expected.modelId !== undefined && model !== expected.modelId) {
      errors.push(
        registryError('/model', `must stay ${expected.modelId}, the model this version belongs to`),
      );
    } else if (model.split('.')[0] !== expected.slug) {
      errors.push(
        registryError('/model', `must start with your partner slug: ${expected.slug}.{category}.{code}`),
      );
    }
  }
  if (typeof category === 'string' && !expected.categories.includes(category)) {
    errors.push(
      registryError(
        '/category',
        `"${category}" is not one of your partner categories (${expected.categories.join(', ')})`,
      ),
    );
  }
  if (expected.parent === null && parent !== undefined) {
    errors.push(
      registryError(
        '/parent',
        'a variant is created with POST /v1/models/{parent}/variants; remove "parent"',
      ),
    );
  } else if (expected.parent !== null && parent !== expected.parent) {
    errors.push(registryError('/parent', `must stay ${expected.parent}, the parent of this variant`));
  }
  if (typeof specVersion === 'number' && specVersion !== expected.specVersion) {
    errors.push(
      registryError(
        '/specVersion',
        `must be ${expected.specVersion}: a document's specVersion is the number of its version ` +
          '(a new model starts at 1, or at the instance version of its MIoT device type)',
      ),
    );
  }
  return errors;
}

/** One entry per removal or change, for the add-only rule (`ADD-ONLY`) or the variant rule (`VARIANT`). */
export function changeErrors(rule: 'ADD-ONLY' | 'VARIANT', changes: readonly SpecChange[]): FieldError[] {
  return changes.map((change) => ({
    path: change.path,
    message: `${rule}: ${change.kind}: ${change.message}`,
  }));
}

/** The detail names the first few problems; `errors` lists them all. */
export function invalidDocument(summary: string, errors: readonly FieldError[]): HubError {
  const shown = errors.slice(0, DETAIL_ERRORS).map((e) => `${e.path || '(document)'} ${e.message}`);
  const more = errors.length > DETAIL_ERRORS ? `; and ${errors.length - DETAIL_ERRORS} more` : '';
  return new HubError('VALIDATION_FAILED', `${summary}: ${shown.join('; ')}${more}`, { errors });
}

const DETAIL_ERRORS = 5;
