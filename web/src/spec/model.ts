import { Value } from '@sinclair/typebox/value';
import { type CompiledSpec, compileSpec } from '../../../src/registry/spec/compiled.js';
import { ModelSpecSchema } from '../../../src/registry/spec/schema.js';
import { DecodeError } from '../api/decode.js';

export type {
  CompiledAction,
  CompiledEvent,
  CompiledProperty,
  CompiledSpec,
} from '../../../src/registry/spec/compiled.js';
export type { ModelSpec } from '../../../src/registry/spec/schema.js';

/**
 * A model document from the hub, checked against the same TypeBox schema the hub validates it
 * with, then compiled with the hub's own compiler: the card, the hub and the simulator read one spec
 * the same way.
 */
export function readModel(document: unknown): CompiledSpec {
  if (!Value.Check(ModelSpecSchema, document)) {
    const first = Value.Errors(ModelSpecSchema, document).First();
    throw new DecodeError(`/document${first?.path ?? ''}`, first?.message ?? 'a model document');
  }
  return compileSpec(document);
}

/** The model's name in the first of the browser's languages it has, else English. */
export function localizedName(
  spec: CompiledSpec,
  languages: readonly string[] = navigatorLanguages(),
): string {
  const names = spec.spec.name as Record<string, string | undefined>;
  for (const lang of languages) {
    const exact = names[lang];
    if (exact) return exact;
    const base = names[lang.split('-')[0] ?? ''];
    if (base) return base;
  }
  return spec.spec.name.en;
}

function navigatorLanguages(): readonly string[] {
  // Also compiled for Node (the unit tests), where there is no navigator.
  const nav = (globalThis as { navigator?: { languages?: readonly string[] } }).navigator;
  return nav?.languages ?? [];
}
