import type { Engine } from '../store/engine.js';
import * as store from './store-executions.js';

interface HealthBuffer {
  errorsBefore: number;
  errorsAfter: number;
  offlineBefore: number;
  offlineAfter: boolean;
}

/**
 * Field-health observations per execution (error events, drop-offs) gathered in memory between
 * scheduler ticks and written in one transaction, instead of a write per event.
 */
export class FieldHealthBuffer {
  readonly #health = new Map<string, HealthBuffer>();

  /** The observations of an execution since the last flush. */
  of(executionId: string): HealthBuffer {
    let h = this.#health.get(executionId);
    if (!h) {
      h = { errorsBefore: 0, errorsAfter: 0, offlineBefore: 0, offlineAfter: false };
      this.#health.set(executionId, h);
    }
    return h;
  }

  /** Writes the buffered health observations. */
  async flush(db: Engine): Promise<void> {
    if (this.#health.size === 0) return;
    const pending = [...this.#health];
    this.#health.clear();
    await db.transaction(async (tx) => {
      for (const [id, d] of pending) await store.addHealth(tx, id, d);
    });
  }
}
