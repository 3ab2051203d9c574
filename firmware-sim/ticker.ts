/**
 * One interval for many simulated devices: drift, events, reconnect backoff, flapping and MQTT
 * keepalive all run from `tick(now)` callbacks, so a fleet of 15,000 devices costs one timer,
 * not tens of thousands.
 */
export type TickFn = (now: number) => void;

export class Ticker {
  readonly intervalMs: number;
  readonly #subscribers = new Set<TickFn>();
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs = 100) {
    if (!(intervalMs > 0)) throw new Error(`tick interval must be positive, got ${intervalMs}`);
    this.intervalMs = intervalMs;
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Adds a callback; the interval runs while at least one is registered. Returns the remover. */
  add(fn: TickFn): () => void {
    this.#subscribers.add(fn);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#run(), this.intervalMs);
    }
    return () => this.remove(fn);
  }

  remove(fn: TickFn): void {
    this.#subscribers.delete(fn);
    if (this.#subscribers.size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    const now = Date.now();
    for (const fn of this.#subscribers) fn(now);
  }
}
