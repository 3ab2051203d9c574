import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  checkChannel,
  checkPayload,
  DatabaseError,
  type DatabaseErrorKind,
  type Engine,
  type NotificationHandler,
  type QueryOptions,
  type Row,
  type RunResult,
  type Subscription,
  type Transaction,
  type TransactionOptions,
} from './engine.js';
import { LocalNotifications } from './local-notifications.js';
import type { BooleanColumns } from './schema.js';
import { schemaBooleans } from './schema-tables.js';
import { type CompiledSql, compile, type Sql } from './sql.js';

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
}

// Distinct SQL texts are bounded by the code; the cap only guards against a caller building text
// dynamically (sql.raw, IN lists of every length).
const STATEMENT_CACHE = 500;

interface Prepared {
  readonly statement: Database.Statement;
  /** Result columns to turn from 0/1 into booleans (from the columns' source tables). */
  readonly booleans: readonly string[];
}

const SQLITE_KINDS: Record<string, DatabaseErrorKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_DATATYPE: 'check',
  SQLITE_CONSTRAINT_TRIGGER: 'refused',
  SQLITE_BUSY: 'busy',
  SQLITE_BUSY_SNAPSHOT: 'busy',
  SQLITE_BUSY_TIMEOUT: 'busy',
  SQLITE_LOCKED: 'busy',
};

function wrap(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  return new DatabaseError(SQLITE_KINDS[err.code] ?? 'other', err.message, { cause: err });
}

class StatementCache {
  readonly #db: Database.Database;
  readonly #booleans: BooleanColumns;
  readonly #cache = new Map<string, Prepared>();

  constructor(db: Database.Database, booleans: BooleanColumns) {
    this.#db = db;
    this.#booleans = booleans;
  }

  get(text: string): Prepared {
    let entry = this.#cache.get(text);
    if (entry) return entry;
    const statement = this.#db.prepare(text);
    const booleans: string[] = [];
    if (statement.reader) {
      // Integers come back as bigint and are narrowed in normalize(): one beyond 2^53 is an error,
      // not a silently rounded number (PostgreSQL's int8 is read the same way).
      statement.safeIntegers(true);
      for (const c of statement.columns()) {
        if (c.table && c.column && this.#booleans.get(c.table)?.has(c.column)) booleans.push(c.name);
      }
    }
    entry = { statement, booleans };
    if (this.#cache.size >= STATEMENT_CACHE) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(text, entry);
    return entry;
  }
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers to numbers (checked), 0/1 of boolean columns to booleans. Rows are fresh objects: edited in place. */
function normalize(rows: Row[], prepared: Prepared, options: QueryOptions | undefined): Row[] {
  const names = options?.booleans ? [...prepared.booleans, ...options.booleans] : prepared.booleans;
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      if (typeof v !== 'bigint') continue;
      if (v > MAX || v < -MAX) {
        throw new DatabaseError(
          'range',
          `the database returned ${v} in column ${key}, beyond 2^53: not exact as a JavaScript number`,
          { cause: undefined },
        );
      }
      row[key] = Number(v);
    }
    for (const name of names) {
      const v = row[name];
      if (v === 0 || v === 1) row[name] = v === 1;
    }
  }
  return rows;
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
  readonly serverVersion: string;
  readonly #writer: Database.Database;
  readonly #reader: Database.Database;
  readonly #writes: StatementCache;
  readonly #reads: StatementCache;
  readonly #synchronous: 'NORMAL' | 'FULL';
  readonly #notifications: LocalNotifications;
  readonly #queueTimeoutMs: number;
  /** Whether a transaction (or a write queued behind one) holds the writer; who waits for it. */
  #held = false;
  readonly #waiters: Array<() => void> = [];
  #closed = false;

  constructor(options: SqliteEngineOptions) {
    this.target = `sqlite:${options.file}`;
    const log = options.log;
    this.#notifications = new LocalNotifications((err, channel) =>
      log?.error({ err, channel }, 'a notification handler failed'),
    );
    const busy = Math.trunc(options.busyTimeoutMs ?? 5000);
    this.#synchronous = options.synchronous ?? 'NORMAL';
    this.#queueTimeoutMs = options.queueTimeoutMs ?? 30_000;
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
    this.#reads = new StatementCache(this.#reader, booleans);
    this.serverVersion = String(
      (this.#reader.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    );
  }

  #open(): void {
    if (this.#closed) throw new Error('the database engine is closed');
  }

  /** Runs `fn` on the writer once no transaction holds it (at once when none does). */
  async #write<T>(fn: () => T): Promise<T> {
    if (!this.#held) return fn();
    await this.#acquire();
    try {
      this.#open();
      return fn();
    } finally {
      this.#release();
    }
  }

  /** Waits (first come, first served) for the writer; fails with 'busy' past the queue timeout. */
  #acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(grant);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(
          new DatabaseError(
            'busy',
            `waited ${this.#queueTimeoutMs} ms for this process's open transaction; a call made inside a ` +
              "transaction's callback must use the transaction's handle, not the engine",
            { cause: undefined },
          ),
        );
      }, this.#queueTimeoutMs);
      this.#waiters.push(grant);
    });
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }

  #all(cache: StatementCache, { text, params }: CompiledSql, options: QueryOptions | undefined): Row[] {
    try {
      const prepared = cache.get(text);
      const { statement } = prepared;
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return normalize(statement.all(...params) as Row[], prepared, options);
    } catch (err) {
      throw wrap(err);
    }
  }

  #run({ text, params }: CompiledSql, options: QueryOptions | undefined): RunResult {
    try {
      const prepared = this.#writes.get(text);
      const { statement } = prepared;
      if (statement.reader) {
        // RETURNING: one row per changed row.
        const rows = normalize(statement.all(...params) as Row[], prepared, options);
        return { changes: rows.length, rows };
      }
      return { changes: statement.run(...params).changes, rows: [] };
    } catch (err) {
      throw wrap(err);
    }
  }

  /** A read outside any transaction: the read-only connection, unless the statement writes. */
  async #read(query: Sql, options: QueryOptions | undefined): Promise<Row[]> {
    this.#open();
    const compiled = compile(query, 'sqlite');
    let readonly: boolean;
    try {
      readonly = this.#reads.get(compiled.text).statement.readonly;
    } catch (err) {
      throw wrap(err);
    }
    if (readonly) return this.#all(this.#reads, compiled, options);
    return this.#write(() => this.#all(this.#writes, compiled, options));
  }

  async many<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T[]> {
    return (await this.#read(query, options)) as T[];
  }

  async one<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T | undefined> {
    return (await this.#read(query, options))[0] as T | undefined;
  }

  async run<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<RunResult<T>> {
    this.#open();
    const compiled = compile(query, 'sqlite');
    return (await this.#write(() => this.#run(compiled, options))) as RunResult<T>;
  }

  async notify(channel: string, payload: string): Promise<void> {
    this.#open();
    checkChannel(channel);
    checkPayload(payload);
    this.#notifications.emit(channel, payload);
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
    await this.#acquire();
    const durable = options.durable === true && this.#synchronous !== 'FULL';
    const pending: Array<[string, string]> = [];
    const token = { open: true };
    const check = () => {
      if (!token.open)
        throw new Error('the transaction is over: queries must finish before its callback returns');
    };
    const tx: Transaction = {
      dialect: 'sqlite',
      many: async <R extends object>(query: Sql, o?: QueryOptions) => {
        check();
        return this.#all(this.#writes, compile(query, 'sqlite'), o) as R[];
      },
      one: async <R extends object>(query: Sql, o?: QueryOptions) => {
        check();
        return this.#all(this.#writes, compile(query, 'sqlite'), o)[0] as R | undefined;
      },
      run: async <R extends object>(query: Sql, o?: QueryOptions) => {
        check();
        return this.#run(compile(query, 'sqlite'), o) as RunResult<R>;
      },
      notify: async (channel: string, payload: string) => {
        check();
        checkChannel(channel);
        checkPayload(payload);
        pending.push([channel, payload]);
      },
      exec: async (script: string) => {
        check();
        try {
          this.#writer.exec(script);
        } catch (err) {
          throw wrap(err);
        }
      },
    };
    try {
      if (durable) this.#writer.pragma('synchronous = FULL');
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
      if (durable) this.#writer.pragma(`synchronous = ${this.#synchronous}`);
      this.#release();
    }
  }

  async listen(channel: string, handler: NotificationHandler): Promise<Subscription> {
    checkChannel(channel);
    return this.#notifications.subscribe(channel, handler);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let a running transaction finish first.
    await this.#acquire();
    this.#closed = true;
    this.#reader.close();
    this.#writer.close();
    this.#release();
  }
}
