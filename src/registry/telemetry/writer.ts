import type { Logger } from 'pino';
import { type Db, inTransaction } from '../../store/database.js';
import type { RegistryBus } from '../events.js';
import type { AcceptedEvent, AcceptedReport } from './reports.js';
import { type IngestStatements, ingestStatements, pruneReportSeqs } from './store.js';

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
  readonly db: Db;
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
 * being written goes into the next one, so the cost of a commit is shared by many messages.
 * A promise resolves only after its transaction has committed: the broker acknowledges a QoS 1
 * report (PUBACK) only then, so an acknowledged report survives a crash of the process.
 */
export class IngestWriter {
  readonly #o: IngestWriterOptions;
  readonly #stmts: IngestStatements;
  #queue: Pending[] = [];
  #scheduled = false;
  #closed = false;
  readonly #pruneTimer: NodeJS.Timeout;

  constructor(options: IngestWriterOptions) {
    this.#o = options;
    this.#stmts = ingestStatements(options.db);
    const windowMs = options.dedupWindowMs ?? 24 * 3600_000;
    this.#pruneTimer = setInterval(() => this.#prune(windowMs), Math.min(windowMs, 3600_000));
    this.#pruneTimer.unref();
  }

  submit(deviceId: string, item: AcceptedReport | AcceptedEvent): Promise<IngestOutcome> {
    if (this.#closed) return Promise.reject(new Error('ingest writer is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ deviceId, item, at: this.#o.now(), resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate, not a timer: the batch is whatever arrived during the current I/O round.
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Writes what is queued and stops accepting more. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    while (this.#queue.length > 0) this.#flushOnce();
  }

  #flush(): void {
    this.#scheduled = false;
    this.#flushOnce();
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flushOnce(): void {
    const max = this.#o.maxBatch ?? 5000;
    const batch = this.#queue.length <= max ? this.#queue : this.#queue.slice(0, max);
    this.#queue = this.#queue.length <= max ? [] : this.#queue.slice(max);
    if (batch.length === 0) return;
    const started = process.hrtime.bigint();
    const outcomes: IngestOutcome[] = [];
    const announcements: Array<() => void> = [];
    try {
      inTransaction(this.#o.db, () => {
        for (const p of batch) outcomes.push(this.#write(p, announcements));
      });
    } catch (err) {
      this.#o.log.error({ err, size: batch.length }, 'ingest transaction failed');
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
      return;
    }
    this.#o.observer?.batch(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    for (let i = 0; i < batch.length; i++) batch[i]?.resolve(outcomes[i] ?? 'stored');
    for (const announce of announcements) announce();
  }

  #write(p: Pending, announcements: Array<() => void>): IngestOutcome {
    const s = this.#stmts;
    const { deviceId, item, at } = p;
    if (!s.claimSeq(deviceId, item.seq, at)) {
      s.touch(deviceId, at);
      return 'duplicate';
    }
    if (item.kind === 'event') {
      s.insertEvent(deviceId, item.event, at, item.deviceTs, item.seq, JSON.stringify(item.arguments));
      s.touch(deviceId, at);
      announcements.push(() =>
        this.#o.bus.emit('event', {
          deviceId,
          event: item.event,
          at,
          seq: item.seq,
          arguments: item.arguments,
        }),
      );
      return 'stored';
    }
    const version = s.bumpVersion(deviceId, at);
    if (version === undefined) throw new Error(`device ${deviceId} does not exist`);
    const props: Record<string, unknown> = {};
    for (const v of item.values) {
      const json = JSON.stringify(v.value);
      s.insertPoint(deviceId, v.key, at, item.deviceTs, item.seq, json, v.num);
      s.upsertShadow(deviceId, v.key, json, at, version);
      props[v.key] = v.value;
    }
    if (item.firmware !== undefined) s.setFirmware(deviceId, item.firmware);
    announcements.push(() => this.#o.bus.emit('reported', { deviceId, version, at, props, seq: item.seq }));
    return 'stored';
  }

  #prune(windowMs: number): void {
    try {
      pruneReportSeqs(this.#o.db, this.#o.now() - windowMs);
    } catch (err) {
      this.#o.log.warn({ err }, 'pruning report sequence numbers failed');
    }
  }
}
