import { type CompiledSpec, compileSpec, type ModelSpec } from './spec/index.js';

/**
 * Compiled specs by model version. A submitted, certified or published version is immutable (only
 * its state changes), so an entry never goes stale and needs no invalidation on any hub process; a
 * device's session holds its compiled spec for the life of the connection. Loads are shared: a
 * reconnect storm of one model reads its document once.
 */
export class SpecCache {
  readonly #entries = new Map<string, CompiledSpec>();
  readonly #loading = new Map<string, Promise<CompiledSpec | undefined>>();
  readonly #load: (modelId: string, version: number) => Promise<ModelSpec | undefined>;

  constructor(load: (modelId: string, version: number) => Promise<ModelSpec | undefined>) {
    this.#load = load;
  }

  /** The compiled spec if it is cached already (no I/O). */
  peek(modelId: string, version: number): CompiledSpec | undefined {
    return this.#entries.get(`${modelId}@${version}`);
  }

  get(modelId: string, version: number): Promise<CompiledSpec | undefined> | CompiledSpec | undefined {
    const key = `${modelId}@${version}`;
    const cached = this.#entries.get(key);
    if (cached) return cached;
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#load(modelId, version)
        .then((spec) => {
          if (!spec) return undefined;
          const compiled = compileSpec(spec);
          this.#entries.set(key, compiled);
          return compiled;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, loading);
    }
    return loading;
  }
}
