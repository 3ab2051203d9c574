import { type CompiledSpec, compileSpec, type ModelSpec } from './spec/index.js';

/**
 * Compiled specs by model version. A published or submitted version is immutable, so an entry never
 * goes stale; a device's session holds its compiled spec for the life of the connection.
 */
export class SpecCache {
  readonly #entries = new Map<string, CompiledSpec>();
  readonly #load: (modelId: string, version: number) => ModelSpec | undefined;

  constructor(load: (modelId: string, version: number) => ModelSpec | undefined) {
    this.#load = load;
  }

  get(modelId: string, version: number): CompiledSpec | undefined {
    const key = `${modelId}@${version}`;
    let compiled = this.#entries.get(key);
    if (!compiled) {
      const spec = this.#load(modelId, version);
      if (!spec) return undefined;
      compiled = compileSpec(spec);
      this.#entries.set(key, compiled);
    }
    return compiled;
  }
}
