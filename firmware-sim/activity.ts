import type { Prng } from './prng.js';

const NEVER = Number.POSITIVE_INFINITY;

/**
 * When a connected device next does something by itself: a telemetry report, a spontaneous event,
 * a flap (the `flapping` fault). Plain timestamps checked from the shared ticker, so an idle fleet
 * costs no timers.
 */
export class ActivitySchedule {
  readonly #telemetryMs: number;
  readonly #eventMs: number;
  readonly #flapMs: number;
  readonly #rng: Prng;
  #telemetryAt = NEVER;
  #eventAt = NEVER;
  #flapAt = NEVER;

  /** Zero turns a kind off; events are also off when the model has none. */
  constructor(options: { telemetryMs: number; eventMs: number; flapMs: number; rng: Prng }) {
    this.#telemetryMs = options.telemetryMs;
    this.#eventMs = options.eventMs;
    this.#flapMs = options.flapMs;
    this.#rng = options.rng;
  }

  /** On connect. A random telemetry phase spreads a fleet's reports over the interval instead of bursts. */
  arm(now: number): void {
    this.#telemetryAt = this.#telemetryMs > 0 ? now + this.#rng.next() * this.#telemetryMs : NEVER;
    this.#eventAt = now + this.#eventGap();
    this.#flapAt = this.#flapMs > 0 ? now + this.#flapMs : NEVER;
  }

  disarm(): void {
    this.#telemetryAt = this.#eventAt = this.#flapAt = NEVER;
  }

  /** Whether to drop the link now (once per connection). */
  flapDue(now: number): boolean {
    if (now < this.#flapAt) return false;
    this.#flapAt = NEVER;
    return true;
  }

  telemetryDue(now: number): boolean {
    if (now < this.#telemetryAt) return false;
    this.#telemetryAt = now + this.#telemetryMs;
    return true;
  }

  eventDue(now: number): boolean {
    if (now < this.#eventAt) return false;
    this.#eventAt = now + this.#eventGap();
    return true;
  }

  /** Exponentially distributed gaps: events arrive as a Poisson process at the configured mean rate. */
  #eventGap(): number {
    return this.#eventMs > 0 ? -Math.log(1 - this.#rng.next()) * this.#eventMs : NEVER;
  }
}
