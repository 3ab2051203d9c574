import type { Logger } from 'pino';
import { type Engine, isDatabaseError } from '../../store/engine.js';
import { type SqliteBatchThread, StatementRecorder } from '../../store/sqlite-batch-thread.js';
import { SqliteEngine } from '../../store/sqlite-engine.js';
import type { RegistryBus } from '../events.js';
import { type BatchPlan, type IngestState, planBatch, stateOf, writePlan } from './batch-plan.js';
import type { AcceptedEvent, AcceptedReport } from './reports.js';
import { readIngestStates } from './store.js';

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
  /**
   * Most items in one transaction; a longer queue is written in several. Default 1,000 on the
   * writer thread (its planning on the event loop and the engine's writes queued behind its commit
   * both grow with it; measured ~13 ms and ~30 ms on a loaded 2-core box), 5,000 otherwise.
   */
  readonly maxBatch?: number;
  /**
   * Other processes write reports to the same database (cluster nodes): read each batch's device
   * states inside its transaction instead of keeping them in memory, and commit on the engine.
   */
  readonly sharedDatabase?: boolean;
  /** Devices whose shadow version and marks stay in memory (SQLite writer thread; default 100,000). */
  readonly cachedDevices?: number;
}

/** Committed items answered per event-loop turn (see IngestWriter#answer). */
const RESOLVE_SLICE = 128;

/** Times a batch meets the thread's busy timeout (5 s each) before it fails. */
const BUSY_ATTEMPTS = 6;

/** About 300 bytes each (the mark's 1024-bit mask included). */
export const DEFAULT_CACHED_DEVICES = 100_000;

/**
 * Group commit for device reports and events. Everything that arrives while a transaction is
 * being written goes into the next one, so the cost of a commit is shared by many messages. A batch
 * is worked out in memory (batch-plan.ts: duplicates by each device's high-water mark, shadow
 * versions counted), then written with multi-row statements, a handful per batch whatever its size
 * (store.ts). A promise resolves only after its transaction has committed: the broker acknowledges
 * a QoS 1 report (PUBACK) only then, so an acknowledged report survives a crash of the process.
 *
 * On a SQLite file the transaction runs on the engine's writer thread (SqliteBatchThread, its own
 * connection; presence batches use it too): the event loop only plans the batch and copies its statements across, and the
 * devices' states stay in memory (this process is the file's one writer of them). While the thread
 * commits, the engine's other writes wait in the engine's queue (SqliteEngine.exclusive), never in
 * SQLite's busy handler on the event loop. On PostgreSQL (or with `sharedDatabase`) the batch runs
 * as one engine transaction that reads and locks its devices' rows first.
 */
export class IngestWriter {
  readonly #o: IngestWriterOptions;
  #queue: Pending[] = [];
  /** Committed batches being answered, slice by slice, in commit order. */
  #answering: Promise<void> = Promise.resolve();
  /** The batch being written, if any: one transaction at a time keeps shadow versions in order. */
  #writing: Promise<void> | undefined;
  #closed = false;
  /** The SQLite writer thread and the engine whose writes wait for it; undefined: engine transactions. */
  readonly #thread: { readonly engine: SqliteEngine; readonly thread: SqliteBatchThread } | undefined;
  /** Least recently used first: device states known to be committed (writer thread only). */
  readonly #states = new Map<string, IngestState>();

  constructor(options: IngestWriterOptions) {
    this.#o = options;
    const store = options.store;
    this.#thread =
      store instanceof SqliteEngine && store.file !== ':memory:' && !options.sharedDatabase
        ? { engine: store, thread: store.writerThread }
        : undefined;
    this.#thread?.thread.start();
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
    while (this.#writing || this.#queue.length > 0) {
      if (this.#writing) await this.#writing;
      else this.#start();
    }
    await this.#answering;
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
    const max = this.#o.maxBatch ?? (this.#thread ? 1000 : 5000);
    const batch = this.#queue.length <= max ? this.#queue : this.#queue.slice(0, max);
    this.#queue = this.#queue.length <= max ? [] : this.#queue.slice(max);
    if (batch.length === 0) return;
    let plan: BatchPlan;
    let seconds: number;
    try {
      ({ plan, seconds } = this.#thread ? await this.#onThread(batch) : await this.#inTransaction(batch));
    } catch (err) {
      this.#o.log.error({ err, size: batch.length }, 'ingest transaction failed');
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
      return;
    }
    this.#o.observer?.batch(batch.length, seconds);
    // Batches are answered in commit order; the next one is planned meanwhile.
    this.#answering = this.#answering.then(() => this.#answer(batch, plan));
  }

  /**
   * Answers a committed batch (each report's PUBACK, then its announcement) RESOLVE_SLICE items per
   * event-loop turn: a phone's command, a timer or another socket waits for one slice, not for the
   * whole batch (each item is routed by aedes, acknowledged and announced: ~10 µs).
   */
  async #answer(batch: readonly Pending[], plan: BatchPlan): Promise<void> {
    for (let from = 0; from < batch.length; from += RESOLVE_SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const to = Math.min(batch.length, from + RESOLVE_SLICE);
      for (let i = from; i < to; i++) {
        const p = batch[i] as Pending;
        const result = plan.results[i];
        if (result?.outcome === 'unknown-device') p.reject(new Error(`device ${p.deviceId} does not exist`));
        else p.resolve(result?.outcome ?? 'stored');
      }
      for (let i = from; i < to; i++) {
        const result = plan.results[i];
        if (result?.outcome !== 'stored') continue;
        try {
          this.#announce(batch[i] as Pending, result.version);
        } catch (err) {
          // A listener's failure loses no report (stored, acknowledged) and answers the rest.
          this.#o.log.error({ err, deviceId: batch[i]?.deviceId }, 'announcing a stored report failed');
        }
      }
    }
  }

  /** PostgreSQL (or a shared file): one engine transaction reads and locks the devices, then writes. */
  async #inTransaction(batch: readonly Pending[]): Promise<{ plan: BatchPlan; seconds: number }> {
    const started = process.hrtime.bigint();
    // Locked in one order by every writer: two hub processes never deadlock on each other's rows.
    const ids = [...new Set(batch.map((p) => p.deviceId))].sort();
    // Run again if the database aborts it (a deadlock with a writer that locks devices in another
    // order, a CLI or an older hub): the plan is worked out afresh from the rows read inside, and
    // the devices are still waiting for their PUBACKs; failing would disconnect them all.
    const plan = await this.#o.store.transaction(
      async (tx) => {
        const rows = await readIngestStates(tx, ids, true);
        const planned = planBatch(batch, new Map(rows.map((r) => [r.id, stateOf(r)])));
        await writePlan(tx, planned);
        return planned;
      },
      { retries: 3 },
    );
    return { plan, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  /** SQLite: planned here from the states in memory, committed on the writer thread. */
  async #onThread(batch: readonly Pending[]): Promise<{ plan: BatchPlan; seconds: number }> {
    const { engine, thread } = this.#thread ?? {};
    if (!engine || !thread) throw new Error('no writer thread');
    const ids = [...new Set(batch.map((p) => p.deviceId))];
    const missing = ids.filter((id) => !this.#states.has(id));
    const loaded = missing.length > 0 ? await readIngestStates(engine, missing, false) : [];
    const before = new Map<string, IngestState>();
    for (const r of loaded) before.set(r.id, stateOf(r));
    for (const id of ids) {
      const state = this.#states.get(id);
      if (state) before.set(id, state);
    }
    const plan = planBatch(batch, before);
    const recorder = new StatementRecorder();
    await writePlan(recorder, plan);
    const seconds = await engine.exclusive(() => this.#commitOnThread(thread, recorder));
    const capacity = Math.max(1, this.#o.cachedDevices ?? DEFAULT_CACHED_DEVICES);
    for (const [id, state] of plan.states) {
      this.#states.delete(id);
      this.#states.set(id, state);
    }
    for (const id of this.#states.keys()) {
      if (this.#states.size <= capacity) break;
      this.#states.delete(id);
    }
    return { plan, seconds };
  }

  /**
   * Another process holding SQLite's write lock past the thread's busy timeout (a long CLI write)
   * delays a batch; it does not lose it: the devices are still waiting for their PUBACKs.
   */
  async #commitOnThread(thread: SqliteBatchThread, recorder: StatementRecorder): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await thread.commit(recorder.statements);
      } catch (err) {
        if (!isDatabaseError(err, 'busy') || attempt >= BUSY_ATTEMPTS) throw err;
        this.#o.log.warn(
          { attempt, statements: recorder.statements.length },
          'ingest batch waits for the write lock',
        );
      }
    }
  }

  #announce({ deviceId, item, at }: Pending, version: number | undefined): void {
    if (item.kind === 'event') {
      this.#o.bus.emit('event', {
        deviceId,
        event: item.event,
        at,
        seq: item.seq,
        arguments: item.arguments,
      });
      return;
    }
    if (version === undefined) return;
    const props: Record<string, unknown> = {};
    for (const v of item.values) props[v.key] = v.value;
    this.#o.bus.emit('reported', { deviceId, version, at, props, seq: item.seq });
  }
}
