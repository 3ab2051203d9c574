import type { Logger } from 'pino';
import type { Engine, Queryable } from '../../store/engine.js';
import { StatementRecorder } from '../../store/sqlite-batch-thread.js';
import { SqliteEngine } from '../../store/sqlite-engine.js';
import * as store from './store.js';

export interface PresenceChange {
  readonly deviceId: string;
  readonly online: boolean;
  readonly at: number;
}

export interface PresenceWriterOptions {
  readonly store: Engine;
  readonly log: Logger;
  /**
   * Other processes write presence to the same database (cluster nodes): always one engine
   * transaction (PostgreSQL's row locks order it against the other nodes' writes).
   */
  readonly sharedDatabase?: boolean;
}

/**
 * Presence is written in batches, one transaction per I/O round: a reconnect storm of thousands of
 * devices would otherwise pay one commit per connect and per disconnect. Nothing waits on these
 * writes (a CONNACK does not); `flush` resolves once every change queued so far has committed, so
 * a read after it never sees stale presence.
 *
 * On a SQLite file the transaction runs on the engine's writer thread (the one the ingest writer
 * commits on, `SqliteEngine.writerThread`): the event loop only builds the statements and copies
 * them across, and the engine's other writes wait for the commit in the engine's queue
 * (`SqliteEngine.exclusive`), never in SQLite's busy handler. Elsewhere (PostgreSQL, a cluster,
 * an in-memory database) it is one engine transaction.
 */
export class PresenceWriter {
  readonly #o: PresenceWriterOptions;
  readonly #engine: SqliteEngine | undefined;
  #queued: PresenceChange[] = [];
  /** The last write asked for: writes are serialized, in the order the changes happened. */
  #writing: Promise<void> = Promise.resolve();
  /** A write waiting for the one in progress: it takes what is queued when it starts. */
  #waiting = false;
  #closed = false;

  constructor(options: PresenceWriterOptions) {
    this.#o = options;
    const engine = options.store;
    this.#engine =
      engine instanceof SqliteEngine && engine.file !== ':memory:' && !options.sharedDatabase
        ? engine
        : undefined;
  }

  queue(change: PresenceChange): void {
    this.#queued.push(change);
    if (this.#queued.length === 1) {
      setImmediate(() => {
        this.flush().catch((err: unknown) => this.#o.log.error({ err }, 'writing presence failed'));
      });
    }
  }

  /**
   * Writes what is queued; resolves once every change queued so far has committed. While a write
   * is in progress the next one waits and takes everything queued by the time it starts: a storm
   * of connects is one transaction per commit, not one per I/O round.
   */
  flush(): Promise<void> {
    if (this.#queued.length > 0 && !this.#closed && !this.#waiting) {
      this.#waiting = true;
      this.#writing = this.#writing
        .catch(() => undefined)
        .then(() => {
          this.#waiting = false;
          const batch = this.#queued;
          this.#queued = [];
          // Rows updated in device id order, each device's changes still in the order they happened:
          // the ingest writer locks its devices in that order too (telemetry/store.ts
          // readIngestStates), so on PostgreSQL the two wait for each other instead of deadlocking
          // (the database would abort one: lost presence, or a failed ingest batch whose devices the
          // broker disconnects).
          const ordered = batch.sort((a, b) =>
            a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
          );
          return this.#write(ordered);
        });
    }
    return this.#writing;
  }

  /** Writes the changes still queued and stops writing (the hub calls it before the database closes). */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  async #write(changes: readonly PresenceChange[]): Promise<void> {
    const engine = this.#engine;
    if (engine === undefined) {
      await this.#o.store.transaction((tx) => statements(tx, changes));
      return;
    }
    const recorder = new StatementRecorder();
    await statements(recorder, changes);
    await engine.exclusive(() => engine.writerThread.commit(recorder.statements));
  }
}

/** The whole batch: one statement per change on SQLite, one per round of devices on PostgreSQL. */
function statements(tx: Queryable, changes: readonly PresenceChange[]): Promise<void> {
  return store.writePresence(tx, changes);
}
