import type { FleetStats } from './fleet-local.js';

/**
 * The CLI's live progress: on a terminal one line rewritten in place (`\r`), elsewhere a plain
 * line every few seconds, so CI logs stay readable.
 */
export class ProgressReporter {
  readonly #write: (s: string) => void;
  readonly #tty: boolean;
  readonly #plainEveryMs: number;
  #last: { at: number; reports: number } | undefined;
  #lastPlainAt = 0;
  #dirty = false;

  constructor(write: (s: string) => void, tty: boolean, plainEveryMs = 5000) {
    this.#write = write;
    this.#tty = tty;
    this.#plainEveryMs = plainEveryMs;
  }

  /** Call about every second (TTY refresh); plain output is throttled to `plainEveryMs`. */
  update(stats: FleetStats, now = Date.now()): void {
    const last = this.#last ?? { at: now - 1000, reports: 0 };
    const rate = ((stats.reportsSent - last.reports) * 1000) / Math.max(1, now - last.at);
    this.#last = { at: now, reports: stats.reportsSent };
    const line =
      `connected ${stats.connected}/${stats.devices}  reports/s ${rate.toFixed(1)}  ` +
      `commands ${stats.commandsAnswered}  errors ${stats.errors}  reconnects ${stats.reconnects}`;
    if (this.#tty) {
      this.#write(`\r\x1b[K${line}`);
      this.#dirty = true;
    } else if (now - this.#lastPlainAt >= this.#plainEveryMs) {
      this.#lastPlainAt = now;
      this.#write(`${new Date(now).toISOString()} ${line}\n`);
    }
  }

  /** Ends the live line so the next output starts on a fresh one. */
  finish(): void {
    if (this.#dirty) this.#write('\n');
    this.#dirty = false;
  }
}

export function formatSummary(stats: FleetStats, durationMs: number): string {
  const rows: Array<[string, string | number]> = [
    ['devices', stats.devices],
    ['processes', stats.processes],
    ['connects', stats.connects],
    ['reconnects', stats.reconnects],
    ['reports sent', stats.reportsSent],
    ['reports acked', stats.reportsAcked],
    ['reports dropped', stats.reportsDropped],
    ['events sent', stats.eventsSent],
    ['commands answered', stats.commandsAnswered],
    ['errors', stats.errors],
    ['duration', `${(durationMs / 1000).toFixed(1)} s`],
  ];
  return ['ecohub-sim summary', ...rows.map(([k, v]) => `  ${k.padEnd(18)} ${v}`), ''].join('\n');
}
