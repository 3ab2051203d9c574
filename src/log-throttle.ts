import type { Logger } from 'pino';

/** Longest client-supplied string written to a log line, in characters. */
export const MAX_LOGGED_CHARS = 128;

/**
 * A client-supplied string as it may appear in a log line: at most `max` characters, with how much
 * was cut. Client ids, user names, topics and validation messages can be 64 KiB each.
 */
export function clip(value: string | undefined | null, max = MAX_LOGGED_CHARS): string | undefined {
  if (value === undefined || value === null) return undefined;
  return value.length <= max ? value : `${value.slice(0, max)}...(+${value.length - max} chars)`;
}

export interface LogThrottleOptions {
  /** Lines logged per (source, reason) in one window; the rest are counted. */
  readonly perWindow?: number;
  readonly windowMs?: number;
  /** Sources tracked at once; past it new sources share one line budget ('*'). */
  readonly maxKeys?: number;
  readonly now: () => number;
}

type Level = 'debug' | 'info' | 'warn';

interface Window {
  readonly level: Level;
  readonly source: string;
  readonly reason: string;
  start: number;
  logged: number;
  suppressed: number;
}

/**
 * Bounds what one source (a client address, a device, a user) can make the hub write: per source
 * and reason, `perWindow` lines per window are logged, the rest counted and summarised in one line
 * once the window is over ("repeated log lines suppressed", with the count; written with the next
 * line logged after it, or on close). Client-supplied fields
 * are clipped by the callers with `clip`, so every line stays small.
 */
export class LogThrottle {
  readonly #log: Logger;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  /** Windows are swept on writes, at most once per window: no timer to stop, nothing runs when idle. */
  #swept: number;

  constructor(log: Logger, options: LogThrottleOptions) {
    this.#log = log;
    this.#perWindow = options.perWindow ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now;
    this.#swept = options.now();
  }

  debug(source: string, reason: string, fields: Record<string, unknown>, msg: string): void {
    this.#write('debug', source, reason, fields, msg);
  }

  info(source: string, reason: string, fields: Record<string, unknown>, msg: string): void {
    this.#write('info', source, reason, fields, msg);
  }

  warn(source: string, reason: string, fields: Record<string, unknown>, msg: string): void {
    this.#write('warn', source, reason, fields, msg);
  }

  /** Summarises and forgets every window that has ended. */
  flush(): void {
    const now = this.#now();
    this.#swept = now;
    for (const [key, w] of this.#windows) {
      if (now - w.start < this.#windowMs) continue;
      this.#summarise(w);
      this.#windows.delete(key);
    }
  }

  /** Summarises what is still suppressed (the hub is stopping). */
  close(): void {
    for (const w of this.#windows.values()) this.#summarise(w);
    this.#windows.clear();
  }

  #write(level: Level, source: string, reason: string, fields: Record<string, unknown>, msg: string): void {
    if (!this.#log.isLevelEnabled(level)) return;
    const now = this.#now();
    if (now - this.#swept >= this.#windowMs) this.flush();
    let key = `${reason}\u0000${source}`;
    let w = this.#windows.get(key);
    if (w === undefined && this.#windows.size >= this.#maxKeys) {
      // Too many sources this window (a storm): new ones share one budget until the next sweep.
      source = '*';
      key = `${reason}\u0000*`;
      w = this.#windows.get(key);
    }
    if (w !== undefined && now - w.start >= this.#windowMs) {
      this.#summarise(w);
      w.start = now;
      w.logged = 0;
      w.suppressed = 0;
    }
    if (w === undefined) {
      w = { level, source: clip(source) ?? '', reason, start: now, logged: 0, suppressed: 0 };
      this.#windows.set(key, w);
    }
    if (w.logged >= this.#perWindow) {
      w.suppressed++;
      return;
    }
    w.logged++;
    this.#log[level](fields, msg);
  }

  #summarise(w: Window): void {
    if (w.suppressed === 0) return;
    this.#log[w.level](
      { source: w.source, reason: w.reason, suppressed: w.suppressed, windowMs: this.#windowMs },
      'repeated log lines suppressed',
    );
  }
}
