import {
  type CompiledSpec,
  compileSpec,
  type ModelSpec,
  validateModelDocument,
} from '../src/registry/spec/index.js';

/**
 * Validates and compiles a model document once, so a fleet of thousands of devices of one model
 * shares one compiled spec. An already compiled spec passes through.
 */
export function prepareSpec(spec: ModelSpec | CompiledSpec | unknown): CompiledSpec {
  if (isCompiled(spec)) return spec;
  const result = validateModelDocument(spec);
  if (!result.ok) {
    const first = result.violations
      .filter((v) => v.severity === 'error')
      .slice(0, 3)
      .map((v) => `${v.path || '/'}: ${v.message}`)
      .join('; ');
    throw new Error(`the model document is not valid: ${first}`);
  }
  return compileSpec(result.spec);
}

function isCompiled(spec: unknown): spec is CompiledSpec {
  return (
    typeof spec === 'object' &&
    spec !== null &&
    'properties' in spec &&
    'spec' in spec &&
    typeof (spec as { property?: unknown }).property === 'function'
  );
}
