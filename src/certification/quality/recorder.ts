import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CommandOutcome } from '../../registry/control/commands.js';
import type { Engine } from '../../store/engine.js';
import { latencyBucket } from './histogram.js';
import { addCounters, type CounterRow } from './store.js';

/** What the recorder needs to know of a device: its model and the partner that makes it. */
export type DeviceOwner = (deviceId: string) => Promise<{ modelId: string; partnerId: string } | undefined>;

export interface QualityRecorderOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly owner: DeviceOwner;
  readonly now: () => number;
  readonly registry?: Registry | undefined;
  /** How often the counts go to the database. */
  readonly flushMs?: number;
}

/** Bounds: pending counts, devices tracked offline, device owners cached. */
const MAX_PENDING = 50_000;
const MAX_OFFLINE = 1_000_000;
const MAX_OWNERS = 100_000;
const DAY_MS = 86_400_000;

export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/**
 * Live quality data for the scorecards (docs/certification.md, "Quality scorecards"): command
 * outcomes and reply latency, offline time and connects, rejected reports, counted per device in
 * memory (never waiting on the database on a device's path) and added to `quality_counters` per
 * model and UTC day every few seconds.
 */
export class QualityRecorder {
  readonly #o: QualityRecorderOptions;
  readonly #pending = new Map<string, number>();
  /** Devices seen going offline, since when (their offline time is counted up to now at each flush). */
  readonly #offlineSince = new Map<string, number>();
  readonly #owners = new Map<string, { modelId: string; partnerId: string }>();
  readonly #timer: NodeJS.Timeout;
  readonly #metric: Counter<'model' | 'metric'> | undefined;
  #dropped = 0;
  /** The UTC day last counted in, and its bounds: a command counts 3 times, nearly always in the same day. */
  #day = { from: 0, to: 0, day: '' };
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: QualityRecorderOptions) {
    this.#o = options;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 5000);
    this.#timer.unref();
    this.#metric =
      options.registry === undefined
        ? undefined
        : new Counter({
            name: 'ecohub_quality_events_total',
            help: 'Quality events counted for the scorecards, by model and metric (commands, commands_ok, commands_timeout, offline_ms, connects, rejected, ...)',
            labelNames: ['model', 'metric'],
            registers: [options.registry],
          });
  }

  /** A command the hub sent was answered (ok or with an error code), or was not (timeout). */
  command(deviceId: string, outcome: CommandOutcome): void {
    const at = this.#o.now();
    this.#add(deviceId, at, 'commands', '');
    if ('timeout' in outcome) {
      this.#add(deviceId, at, 'commands_timeout', '');
      return;
    }
    this.#add(deviceId, at, outcome.ok ? 'commands_ok' : 'commands_error', outcome.ok ? '' : outcome.code);
    this.#add(deviceId, at, 'latency_ms', latencyBucket(outcome.latencyMs));
  }

  presence(deviceId: string, online: boolean, at: number): void {
    if (online) {
      this.#add(deviceId, at, 'connects', '');
      const since = this.#offlineSince.get(deviceId);
      this.#offlineSince.delete(deviceId);
      if (since !== undefined) this.#offline(deviceId, since, at);
      return;
    }
    if (this.#offlineSince.size >= MAX_OFFLINE) {
      const oldest = this.#offlineSince.keys().next().value;
      if (oldest !== undefined) this.#offlineSince.delete(oldest);
    }
    this.#offlineSince.set(deviceId, at);
  }

  rejected(deviceId: string, reason: string): void {
    this.#add(deviceId, this.#o.now(), 'rejected', reason);
  }

  /** Writes what was counted (offline devices: up to now). Serialised: one flush at a time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .then(() => this.#flush())
      .catch((err: unknown) => {
        this.#o.log.warn({ err }, 'quality counters not written');
      });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flush(): Promise<void> {
    const now = this.#o.now();
    for (const [deviceId, since] of this.#offlineSince) {
      if (since < now) this.#offline(deviceId, since, now);
      this.#offlineSince.set(deviceId, now);
    }
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    const rows = new Map<string, CounterRow>();
    for (const [key, n] of batch) {
      const [deviceId, day, metric, label] = key.split('\u0000') as [string, string, string, string];
      const owner = await this.#owner(deviceId);
      if (owner === undefined) continue;
      const rowKey = `${owner.modelId}\u0000${day}\u0000${metric}\u0000${label}`;
      const row = rows.get(rowKey);
      rows.set(rowKey, {
        model_id: owner.modelId,
        partner_id: owner.partnerId,
        day,
        metric,
        label,
        n: (row?.n ?? 0) + n,
      });
      this.#metric?.inc({ model: owner.modelId, metric }, n);
    }
    await this.#o.store.transaction((tx) => addCounters(tx, [...rows.values()]));
    if (this.#dropped > 0) {
      this.#o.log.warn({ dropped: this.#dropped }, 'quality counts dropped (too many pending)');
      this.#dropped = 0;
    }
  }

  /** Offline time from `from` to `to`, split at UTC midnights. */
  #offline(deviceId: string, from: number, to: number): void {
    let start = from;
    while (start < to) {
      const end = Math.min(to, (Math.floor(start / DAY_MS) + 1) * DAY_MS);
      this.#add(deviceId, start, 'offline_ms', '', end - start);
      start = end;
    }
  }

  #dayOf(at: number): string {
    if (at < this.#day.from || at >= this.#day.to) {
      const from = at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
      this.#day = { from, to: from + DAY_MS, day: dayOf(at) };
    }
    return this.#day.day;
  }

  #add(deviceId: string, at: number, metric: string, label: string, n = 1): void {
    const key = `${deviceId}\u0000${this.#dayOf(at)}\u0000${metric}\u0000${label}`;
    const current = this.#pending.get(key);
    if (current === undefined && this.#pending.size >= MAX_PENDING) {
      this.#dropped++;
      return;
    }
    this.#pending.set(key, (current ?? 0) + n);
  }

  async #owner(deviceId: string) {
    const cached = this.#owners.get(deviceId);
    if (cached !== undefined) return cached;
    const owner = await this.#o.owner(deviceId);
    if (owner === undefined) return undefined;
    if (this.#owners.size >= MAX_OWNERS) this.#owners.clear();
    this.#owners.set(deviceId, owner);
    return owner;
  }
}
