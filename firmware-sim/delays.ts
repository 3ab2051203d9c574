/** Cancellable one-off delays (slow replies), so `stop()` leaves no timer behind. */
export class Delays {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();
  #closed = false;

  /** Resolves true after `ms`, or false once closed (at once if it already is). */
  sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve(true);
      }, ms);
      this.#pending.set(timer, () => resolve(false));
    });
  }

  /** Cancels every pending delay and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const [timer, cancel] of this.#pending) {
      clearTimeout(timer);
      cancel();
    }
    this.#pending.clear();
  }
}
