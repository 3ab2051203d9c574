import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  checkChannel,
  checkPayload,
  type Engine,
  type NotificationHandler,
  type QueryOptions,
  type Row,
  type RunResult,
  type Subscription,
  type Transaction,
  type TransactionOptions,
} from './engine.js';
import { CoalescedSync, datasyncFile, type SyncFile } from './file-sync.js';
import { ensurePrivateFile } from './files.js';
import { LocalNotifications } from './local-notifications.js';
import type { BooleanColumns } from './schema.js';
import { schemaBooleans } from './schema-tables.js';
import { compile, type Sql } from './sql.js';
import { SqliteBatchThread } from './sqlite-batch-thread.js';
import { DurableGroups } from './sqlite-group-commit.js';
import { queryRows, runStatement, StatementCache, wrap } from './sqlite-statements.js';
import { type PendingNotifications, sqliteTransaction } from './sqlite-transaction.js';
import { WriteQueue } from './write-queue.js';

export interface SqliteEngineOptions {
  readonly file: string;
  /** How long a writer waits for another process's write lock before failing with kind 'busy'. */
  readonly busyTimeoutMs?: number;
  /** NORMAL (default): a commit survives a crash of the process; FULL: also power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * How long a write or transaction waits for this process's open transaction before failing with
   * kind 'busy' (default 30 s). It also turns the one misuse that would hang for ever, an engine
   * call inside a transaction's callback (it waits for the transaction, which waits for it), into
   * an error.
   */
  readonly queueTimeoutMs?: number;
  /** Which table columns hold booleans (default: the hub's schema, schema-tables.ts). */
  readonly booleanColumns?: BooleanColumns;
  readonly log?: Logger;
  /** How a durable group's WAL reaches the disk (default: fdatasync off the event loop); for tests. */
  readonly syncFile?: SyncFile;
}

/**
 * SQLite behind the async engine interface. better-sqlite3 is synchronous, so a query runs at once
 * and its promise is already settled. Writes go through one connection and a queue: while a
 * transaction is open (it may await other things between its queries), every other write waits
 * for it, so concurrent async transactions never interleave. Reads outside a transaction use a
 * second, read-only connection: they see the last commit and never wait for an open transaction,
 * as on PostgreSQL.
 */
export class SqliteEngine implements Engine {
  readonly dialect = 'sqlite' as const;
  readonly target: string;
  /** The database file (':memory:' for a private in-memory database). */
  readonly file: string;
  readonly serverVersion: string;
  readonly #writer: Database.Database;
  readonly #reader: Database.Database;
  readonly #writes: StatementCache;
  readonly #reads: StatementCache;
  readonly #synchronous: 'NORMAL' | 'FULL';
  readonly #notifications: LocalNotifications;
  readonly #queue: WriteQueue;
  readonly #groups: DurableGroups;
  /** The file's writer thread (ingest batches, presence): see `writerThread`. */
  readonly #thread: SqliteBatchThread;
  #closed = false;

  constructor(options: SqliteEngineOptions) {
    this.target = `sqlite:${options.file}`;
    this.file = options.file;
    const log = options.log;
    this.#notifications = new LocalNotifications((err, channel) =>
      log?.error({ err, channel }, 'a notification handler failed'),
    );
    const busy = Math.trunc(options.busyTimeoutMs ?? 5000);
    this.#synchronous = options.synchronous ?? 'NORMAL';
    this.#queue = new WriteQueue(options.queueTimeoutMs ?? 30_000);
    // The file holds secrets' hashes: 0600 before SQLite creates it (and so its -wal and -shm).
    ensurePrivateFile(options.file);
    this.#writer = new Database(options.file);
    try {
      this.#writer.pragma(`busy_timeout = ${busy}`);
      this.#writer.pragma('journal_mode = WAL');
      this.#writer.pragma(`synchronous = ${this.#synchronous}`);
      this.#writer.pragma('foreign_keys = ON');
      this.#reader = new Database(options.file, { readonly: true });
      this.#reader.pragma(`busy_timeout = ${busy}`);
    } catch (err) {
      this.#writer.close();
      throw wrap(err);
    }
    const booleans = options.booleanColumns ?? schemaBooleans;
    this.#writes = new StatementCache(this.#writer, booleans);
    const onDisk = this.#synchronous !== 'FULL' && options.file !== ':memory:' && options.file !== '';
    const wal = `${options.file}-wal`;
    this.#groups = new DurableGroups(
      this.#writer,
      onDisk ? new CoalescedSync(wal, options.syncFile ?? datasyncFile(options.file)) : undefined,
    );
    this.#reads = new StatementCache(this.#reader, booleans);
    this.#thread = new SqliteBatchThread({
      file: options.file,
      busyTimeoutMs: busy,
      synchronous: this.#synchronous,
      log,
    });
    this.serverVersion = String(
      (this.#reader.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    );
  }

  #open(): void {
    if (this.#closed) throw new Error('the database engine is closed');
  }

  /** Runs `fn` on the writer once no transaction holds it (at once when none does). */
  async #write<T>(fn: () => T): Promise<T> {
    if (!this.#queue.held && !this.#groups.open) return fn();
    await this.#acquire();
    try {
      this.#open();
      return fn();
    } finally {
      this.#queue.release();
    }
  }

  /** A read outside any transaction: the read-only connection, unless the statement writes. */
  async #read(query: Sql, options: QueryOptions | undefined, first = false): Promise<Row[]> {
    this.#open();
    const compiled = compile(query, 'sqlite');
    let readonly: boolean;
    try {
      readonly = this.#reads.get(compiled.text).statement.readonly;
    } catch (err) {
      throw wrap(err);
    }
    if (readonly) return queryRows(this.#reads, compiled, options, first);
    return this.#write(() => queryRows(this.#writes, compiled, options, first));
  }

  async many<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T[]> {
    return (await this.#read(query, options)) as T[];
  }

  async one<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T | undefined> {
    return (await this.#read(query, options, true))[0] as T | undefined;
  }

  async run<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<RunResult<T>> {
    this.#open();
    const compiled = compile(query, 'sqlite');
    return (await this.#write(() => runStatement(this.#writes, compiled, options))) as RunResult<T>;
  }

  async notify(channel: string, payload: string): Promise<void> {
    this.#open();
    checkChannel(channel);
    checkPayload(payload);
    this.#notifications.emit(channel, payload);
  }

  /** Takes the writer: after the queue, commits an open group of durable transactions. */
  async #acquire(): Promise<void> {
    await this.#queue.acquire();
    try {
      this.#groups.flush();
    } catch (err) {
      this.#queue.release();
      throw err;
    }
  }

  async exec(script: string): Promise<void> {
    this.#open();
    await this.#write(() => {
      try {
        this.#writer.exec(script);
      } catch (err) {
        throw wrap(err);
      }
    });
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#open();
    if (options.durable === true) return this.#durable(fn);
    await this.#acquire();
    const pending: PendingNotifications = [];
    const token = { open: true };
    const tx = sqliteTransaction(this.#writer, this.#writes, pending, token);
    try {
      this.#writer.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn(tx);
        token.open = false;
        this.#writer.exec('COMMIT');
      } catch (err) {
        token.open = false;
        // SQLite ends the transaction itself after some errors (disk full, I/O).
        if (this.#writer.inTransaction) this.#writer.exec('ROLLBACK');
        throw err;
      }
      for (const [channel, payload] of pending) this.#notifications.emit(channel, payload);
      return result;
    } catch (err) {
      throw wrap(err);
    } finally {
      this.#queue.release();
    }
  }

  /** A durable transaction: a member of a group commit (sqlite-group-commit.ts). */
  async #durable<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.#queue.acquire();
    const pending: PendingNotifications = [];
    const token = { open: true };
    const tx = sqliteTransaction(this.#writer, this.#writes, pending, token);
    let held = true;
    try {
      const member = await this.#groups.member(
        async () => {
          try {
            return await fn(tx);
          } finally {
            token.open = false;
          }
        },
        (commit) => setImmediate(() => void this.#commitSoon(commit)),
      );
      held = false;
      this.#queue.release();
      await member.committed;
      for (const [channel, payload] of pending) this.#notifications.emit(channel, payload);
      return member.result;
    } catch (err) {
      throw wrap(err);
    } finally {
      if (held) this.#queue.release();
    }
  }

  /** Commits a group once the writer is free (a write that took it first has committed it already). */
  async #commitSoon(commit: () => void): Promise<void> {
    try {
      await this.#queue.acquire();
    } catch {
      // Waited past the queue timeout: the next write commits the group, or we try again.
      setImmediate(() => void this.#commitSoon(commit));
      return;
    }
    try {
      commit();
    } finally {
      this.#queue.release();
    }
  }

  /**
   * Holds this engine's writer while `fn` runs, as a transaction of its own would: for a writer on
   * another connection of this process (the ingest thread, SqliteBatchThread). While it holds
   * SQLite's write lock, this engine's writes wait here, asynchronously, in turn, instead of in
   * SQLite's busy handler, which sleeps on the event loop.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#queue.release();
    }
  }

  /** A writer on its own thread and connection to this file (not ':memory:'), shared; closed with the engine. */
  get writerThread(): SqliteBatchThread {
    return this.#thread;
  }

  async listen(channel: string, handler: NotificationHandler): Promise<Subscription> {
    checkChannel(channel);
    return this.#notifications.subscribe(channel, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let a running transaction finish first, and commit a group of durable ones.
    await this.#acquire();
    this.#closed = true;
    await this.#thread.close();
    this.#reader.close();
    this.#writer.close();
    this.#queue.release();
  }
}
