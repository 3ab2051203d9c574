import { DatabaseError } from './engine.js';

/**
 * Who holds the SQLite engine's one writer connection: a transaction, or a write queued behind one.
 * First come, first served; a waiter gives up with kind 'busy' after the timeout, which also turns
 * an engine call made inside a transaction's callback (it waits for the transaction, which waits
 * for it) into an error naming the fix instead of a hang.
 */
export class WriteQueue {
  readonly #timeoutMs: number;
  readonly #waiters: Array<() => void> = [];
  #held = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Waits (first come, first served) for the writer; fails with 'busy' past the queue timeout. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(grant);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(
          new DatabaseError(
            'busy',
            `waited ${this.#timeoutMs} ms for this process's open transaction; a call made inside a ` +
              "transaction's callback must use the transaction's handle, not the engine",
            { cause: undefined },
          ),
        );
      }, this.#timeoutMs);
      this.#waiters.push(grant);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
