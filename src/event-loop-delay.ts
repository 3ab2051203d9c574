/**
 * Event-loop delay: how late a timer fires, which is how long any ready socket read, PUBACK or
 * command waited behind other work on the one JavaScript thread. A timer due every `intervalMs`
 * measures it (node's monitorEventLoopDelay does the same, but hides its samples, and a
 * Prometheus histogram needs them). Libuv timers have millisecond granularity, so an idle loop
 * shows up to ~1 ms of delay.
 */
export interface EventLoopDelayOptions {
  /** Called with every sample, in seconds. */
  readonly observe: (seconds: number) => void;
  /** Time between samples. */
  readonly intervalMs?: number;
  /** Samples kept for the window percentiles (p50/p99/max over the last `window` samples). */
  readonly window?: number;
}

export interface DelaySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

export class EventLoopDelay {
  readonly #observe: (seconds: number) => void;
  readonly #intervalMs: number;
  /** The last samples (seconds), a ring: bounded whatever the uptime. */
  readonly #ring: Float64Array;
  #next = 0;
  #filled = 0;
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  /** Samples taken so far; the summary is computed once per new sample at most. */
  #taken = 0;
  #summary: { readonly taken: number; readonly value: DelaySummary } | undefined;

  constructor(options: EventLoopDelayOptions) {
    this.#observe = options.observe;
    this.#intervalMs = options.intervalMs ?? 10;
    this.#ring = new Float64Array(Math.max(1, options.window ?? 6000));
  }

  start(): void {
    if (this.#timer) return;
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** p50, p99 and max of the samples in the window (at 10 ms per sample, the last minute). */
  summary(): DelaySummary {
    if (this.#summary?.taken === this.#taken) return this.#summary.value;
    const samples = this.#ring.slice(0, this.#filled).sort();
    const at = (p: number) =>
      samples.length === 0 ? 0 : (samples[Math.max(0, Math.ceil(p * samples.length) - 1)] ?? 0);
    const value = { p50: at(0.5), p99: at(0.99), max: at(1), samples: samples.length };
    this.#summary = { taken: this.#taken, value };
    return value;
  }

  #schedule(): void {
    this.#due = performance.now() + this.#intervalMs;
    this.#timer = setTimeout(() => this.#sample(), this.#intervalMs);
    // A metric must never keep the process alive.
    this.#timer.unref();
  }

  #sample(): void {
    const seconds = Math.max(0, performance.now() - this.#due) / 1000;
    this.#ring[this.#next] = seconds;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#filled = Math.min(this.#filled + 1, this.#ring.length);
    this.#taken++;
    this.#observe(seconds);
    this.#schedule();
  }
}
