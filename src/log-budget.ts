import type { Logger } from 'pino';

export interface LogBudgetOptions {
  /** What the lines are, for the summary line ("mqtt connect"). */
  readonly what: string;
  /** Lines written per second whatever their source; the rest are counted. */
  readonly perSecond?: number;
  readonly now: () => number;
}

/**
 * A budget of log lines per second for one kind of line across every source: a reconnect storm of
 * 20,000 devices writes `perSecond` lines a second and one summary line with the count of the rest
 * ("log lines suppressed"), not 20,000 lines. LogThrottle bounds each source; this bounds the sum.
 */
export class LogBudget {
  readonly #log: Logger;
  readonly #what: string;
  readonly #perSecond: number;
  readonly #now: () => number;
  #start = 0;
  #used = 0;
  #suppressed = 0;

  constructor(log: Logger, options: LogBudgetOptions) {
    this.#log = log;
    this.#what = options.what;
    this.#perSecond = options.perSecond ?? 50;
    this.#now = options.now;
  }

  /** True when one more line may be written now; false: it is counted for the summary instead. */
  take(): boolean {
    const now = this.#now();
    if (now - this.#start >= 1000) {
      this.flush();
      this.#start = now;
      this.#used = 0;
    }
    if (this.#used < this.#perSecond) {
      this.#used++;
      return true;
    }
    this.#suppressed++;
    return false;
  }

  /** Writes the summary of what was suppressed so far, if anything was. */
  flush(): void {
    if (this.#suppressed === 0) return;
    this.#log.info(
      { what: this.#what, suppressed: this.#suppressed, perSecond: this.#perSecond },
      'log lines suppressed',
    );
    this.#suppressed = 0;
  }
}
