import type { Logger } from 'pino';
import type { Engine, Transaction } from '../../store/engine.js';
import type { RegistryBus } from '../events.js';
import type { AcceptedEvent, AcceptedReport } from './reports.js';
import * as store from './store.js';

export type IngestOutcome = 'stored' | 'duplicate';

interface Pending {
  readonly deviceId: string;
  readonly item: AcceptedReport | AcceptedEvent;
  readonly at: number;
  readonly resolve: (outcome: IngestOutcome) => void;
  readonly reject: (err: Error) => void;
}

export interface IngestObserver {
  batch(size: number, seconds: number): void;
}

export interface IngestWriterOptions {
  readonly store: Engine;
  readonly bus: RegistryBus;
  readonly log: Logger;
  readonly now: () => number;
  readonly observer?: IngestObserver;
  /** Most items in one transaction; a longer queue is written in several. */
  readonly maxBatch?: number;
  /** How long a device sequence number is remembered for deduplication. */
  readonly dedupWindowMs?: number;
}

/**
 * Group commit for device reports and events. Everything that arrives while a transaction is
 * being written goes into the next one, so the cost of a commit is shared by many messages; each
 * table is written with multi-row statements for the whole batch (store.ts). A promise resolves
 * only after its transaction has committed: the broker acknowledges a QoS 1 report (PUBACK) only
 * then, so an acknowledged report survives a crash of the process, on either engine.
 *
 * The narrow interface (submit an item, resolve when committed; close) is what a writer on another
 * thread would also offer.
 */
export class IngestWriter {
  readonly #o: IngestWriterOptions;
  #queue: Pending[] = [];
  /** The batch being written, if any: one transaction at a time keeps shadow versions in order. */
  #writing: Promise<void> | undefined;
  #closed = false;
  readonly #pruneTimer: NodeJS.Timeout;

  constructor(options: IngestWriterOptions) {
    this.#o = options;
    const windowMs = options.dedupWindowMs ?? 24 * 3600_000;
    this.#pruneTimer = setInterval(() => this.#prune(windowMs), Math.min(windowMs, 3600_000));
    this.#pruneTimer.unref();
  }

  submit(deviceId: string, item: AcceptedReport | AcceptedEvent): Promise<IngestOutcome> {
    if (this.#closed) return Promise.reject(new Error('ingest writer is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ deviceId, item, at: this.#o.now(), resolve, reject });
      this.#schedule();
    });
  }

  /** Writes what is queued and stops accepting more. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    while (this.#writing || this.#queue.length > 0) {
      if (this.#writing) await this.#writing;
      else this.#start();
    }
  }

  #schedule(): void {
    if (this.#writing || this.#queue.length !== 1) return;
    // setImmediate, not a timer: the batch is whatever arrived during the current I/O round.
    this.#writing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flushOnce());
    this.#writing.finally(() => this.#next());
  }

  #start(): void {
    this.#writing = this.#flushOnce();
    this.#writing.finally(() => this.#next());
  }

  #next(): void {
    this.#writing = undefined;
    if (this.#queue.length > 0) this.#start();
  }

  async #flushOnce(): Promise<void> {
    const max = this.#o.maxBatch ?? 5000;
    const batch = this.#queue.length <= max ? this.#queue : this.#queue.slice(0, max);
    this.#queue = this.#queue.length <= max ? [] : this.#queue.slice(max);
    if (batch.length === 0) return;
    const started = process.hrtime.bigint();
    let written: { outcomes: IngestOutcome[]; announcements: Array<() => void> };
    try {
      written = await this.#o.store.transaction((tx) => this.#write(tx, batch));
    } catch (err) {
      this.#o.log.error({ err, size: batch.length }, 'ingest transaction failed');
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
      return;
    }
    this.#o.observer?.batch(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    for (let i = 0; i < batch.length; i++) batch[i]?.resolve(written.outcomes[i] ?? 'stored');
    for (const announce of written.announcements) announce();
  }

  /** One batch, table by table. Pure function of the batch and the database: safe to run again. */
  async #write(
    tx: Transaction,
    batch: readonly Pending[],
  ): Promise<{ outcomes: IngestOutcome[]; announcements: Array<() => void> }> {
    // A redelivery queued beside its original claims nothing: only the first of a (device, seq) may store.
    const firsts = new Map<string, store.SeqClaim>();
    for (const p of batch) {
      const key = `${p.deviceId}:${p.item.seq}`;
      if (!firsts.has(key)) firsts.set(key, { deviceId: p.deviceId, seq: p.item.seq, at: p.at });
    }
    const claimed = await store.claimSeqs(tx, [...firsts.values()]);
    const stores = batch.map((p) => claimed.delete(`${p.deviceId}:${p.item.seq}`));

    const touches = new Map<string, { reports: number; at: number; firmware: string | null }>();
    batch.forEach((p, i) => {
      const touch = touches.get(p.deviceId) ?? { reports: 0, at: p.at, firmware: null };
      touch.at = Math.max(touch.at, p.at);
      if (stores[i] && p.item.kind !== 'event') {
        touch.reports++;
        if (p.item.firmware !== undefined) touch.firmware = p.item.firmware;
      }
      touches.set(p.deviceId, touch);
    });
    const versions = await store.touchDevices(
      tx,
      [...touches].map(([deviceId, t]) => ({ deviceId, ...t })),
    );

    const outcomes: IngestOutcome[] = [];
    const announcements: Array<() => void> = [];
    const points: store.PointRow[] = [];
    const events: store.EventInsert[] = [];
    /** Each stored report of a device takes the next of the versions the batch added. */
    const nextVersion = new Map<string, number>();
    batch.forEach((p, i) => {
      const { deviceId, item, at } = p;
      if (!stores[i]) {
        outcomes.push('duplicate');
        return;
      }
      outcomes.push('stored');
      if (item.kind === 'event') {
        events.push({
          deviceId,
          event: item.event,
          ts: at,
          deviceTs: item.deviceTs,
          seq: item.seq,
          arguments: JSON.stringify(item.arguments),
        });
        announcements.push(() =>
          this.#o.bus.emit('event', {
            deviceId,
            event: item.event,
            at,
            seq: item.seq,
            arguments: item.arguments,
          }),
        );
        return;
      }
      const last = versions.get(deviceId);
      if (last === undefined) throw new Error(`device ${deviceId} does not exist`);
      const version = nextVersion.get(deviceId) ?? last - (touches.get(deviceId)?.reports ?? 1) + 1;
      nextVersion.set(deviceId, version + 1);
      const props: Record<string, unknown> = {};
      for (const v of item.values) {
        const value = JSON.stringify(v.value);
        points.push({
          deviceId,
          property: v.key,
          ts: at,
          deviceTs: item.deviceTs,
          seq: item.seq,
          value,
          num: v.num,
          version,
        });
        props[v.key] = v.value;
      }
      announcements.push(() => this.#o.bus.emit('reported', { deviceId, version, at, props, seq: item.seq }));
    });
    await store.insertPoints(tx, points);
    await store.upsertShadow(tx, points);
    await store.insertEvents(tx, events);
    return { outcomes, announcements };
  }

  #prune(windowMs: number): void {
    store.pruneReportSeqs(this.#o.store, this.#o.now() - windowMs).catch((err: unknown) => {
      this.#o.log.warn({ err }, 'pruning report sequence numbers failed');
    });
  }
}
