import type { Logger } from 'pino';
import type { Engine, Subscription } from '../../store/engine.js';
import { sql } from '../../store/sql.js';
import { DEVICE_CHANGED } from './store.js';

/** What CONNECT and command routing need of a device, kept in memory. */
export interface DeviceFacts {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly secretHash: Buffer;
  readonly blocked: boolean;
}

interface FactsRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly model_version: number;
  readonly secret_hash: Buffer;
  readonly blocked: boolean;
}

/** Default number of devices whose facts stay cached (about 200 bytes each). */
export const DEFAULT_DIRECTORY_SIZE = 200_000;

/**
 * The device credential cache of the broker's CONNECT path: a bounded, least-recently-used map of
 * device id -> facts, read through from the database on a miss (one query per connect of a device
 * not seen lately, never one per packet). A change of secret or blocked flag notifies
 * `device_changed` in its transaction; every hub process on the database drops that device at
 * COMMIT, and drops everything when its notification connection was lost (`reset`). A load that
 * raced with an invalidation is not kept, so a rotated secret is never cached back.
 */
export class DeviceDirectory {
  readonly #store: Engine;
  readonly #capacity: number;
  readonly #entries = new Map<string, DeviceFacts>();
  readonly #loading = new Map<string, Promise<DeviceFacts | undefined>>();
  /** Bumped on every invalidation: a load started before one is not cached. */
  #generation = 0;
  #subscription: Subscription | undefined;

  constructor(store: Engine, capacity = DEFAULT_DIRECTORY_SIZE) {
    this.#store = store;
    this.#capacity = Math.max(1, capacity);
  }

  /** Starts listening for changes; call before the broker accepts connections. */
  async start(log: Logger): Promise<void> {
    this.#subscription = await this.#store.listen(DEVICE_CHANGED, {
      message: (deviceId) => this.forget(deviceId),
      reset: () => {
        log.warn(
          { cached: this.#entries.size },
          'device change notifications were interrupted: cache dropped',
        );
        this.clear();
      },
    });
  }

  async close(): Promise<void> {
    await this.#subscription?.close();
    this.#subscription = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  forget(deviceId: string): void {
    this.#generation++;
    this.#entries.delete(deviceId);
    this.#loading.delete(deviceId);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#loading.clear();
  }

  /** The cached facts (no I/O), marking them recently used. */
  peek(deviceId: string): DeviceFacts | undefined {
    const facts = this.#entries.get(deviceId);
    if (facts) {
      this.#entries.delete(deviceId);
      this.#entries.set(deviceId, facts);
    }
    return facts;
  }

  /** The facts of a device, from memory or else the database; undefined for an unknown id. */
  get(deviceId: string): DeviceFacts | undefined | Promise<DeviceFacts | undefined> {
    const cached = this.peek(deviceId);
    if (cached) return cached;
    let loading = this.#loading.get(deviceId);
    if (!loading) {
      const generation = this.#generation;
      loading = this.#store
        .one<FactsRow>(
          sql`SELECT id, partner_id, model_id, model_version, secret_hash, blocked FROM devices
              WHERE id = ${deviceId}`,
        )
        .then((row) => {
          if (this.#loading.get(deviceId) === loading) this.#loading.delete(deviceId);
          if (!row) return undefined;
          const facts: DeviceFacts = {
            id: row.id,
            partnerId: row.partner_id,
            modelId: row.model_id,
            modelVersion: row.model_version,
            secretHash: row.secret_hash,
            blocked: row.blocked,
          };
          if (generation === this.#generation) this.#remember(facts);
          return facts;
        });
      const pending = loading;
      pending.catch(() => {
        if (this.#loading.get(deviceId) === pending) this.#loading.delete(deviceId);
      });
      this.#loading.set(deviceId, loading);
    }
    return loading;
  }

  #remember(facts: DeviceFacts): void {
    this.#entries.set(facts.id, facts);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
