import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DatabaseError, type Transaction } from './engine.js';
import { type CompiledSql, compile, type Sql } from './sql.js';
import { kindOfSqliteCode } from './sqlite-statements.js';

/**
 * The worker's code: plain CommonJS run with `eval`, so it loads the same way from the TypeScript
 * sources (tests) and from dist/. It owns one better-sqlite3 connection to the hub's file and runs
 * each batch of statements in one IMMEDIATE transaction, answering once it has committed (or
 * rolled back). It waits for another connection's write lock with busy_timeout: on its own thread,
 * so a wait never holds the hub's event loop.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('foreign_keys = ON');
// A multi-row statement has one text per row count (1 to 250): a few hundred texts in all.
const statements = new Map();
function prepare(text) {
  let s = statements.get(text);
  if (!s) {
    if (statements.size >= 1000) statements.delete(statements.keys().next().value);
    s = db.prepare(text);
    statements.set(text, s);
  }
  return s;
}
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  const started = process.hrtime.bigint();
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const [text, params] of message.statements) prepare(text).run(...params);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
    parentPort.postMessage({ id: message.id, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

interface Answer {
  readonly id: number;
  readonly seconds?: number;
  readonly error?: { readonly message: string; readonly code: unknown };
}

export interface SqliteBatchThreadOptions {
  readonly file: string;
  /** How long the thread waits for another connection's write lock before failing with 'busy'. */
  readonly busyTimeoutMs?: number;
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly log?: Logger | undefined;
}

/**
 * A SQLite writer on its own thread (node:worker_threads) with its own connection to the same
 * file (WAL): `commit` sends a batch of write statements, runs them there in one transaction and
 * resolves once it has committed, with how long the transaction took. The caller's event loop
 * only builds the statements and copies them across.
 */
export class SqliteBatchThread {
  readonly #o: SqliteBatchThreadOptions;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, { resolve: (seconds: number) => void; reject: (err: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor(options: SqliteBatchThreadOptions) {
    this.#o = options;
  }

  /** Runs the statements in one transaction on the thread; resolves with its duration (s) after COMMIT. */
  commit(statements: readonly CompiledSql[]): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('the SQLite writer thread is closed'));
    const worker = this.#start();
    const id = this.#next++;
    // Referenced while a batch is out: a process with nothing else to do waits for its commit.
    if (this.#pending.size === 0) worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, statements: statements.map((s) => [s.text, s.params]) });
    });
  }

  /**
   * Starts the thread now rather than at the first commit: its memory (a V8 isolate and a SQLite
   * connection, ~10 MiB of RSS) is then part of the process's baseline, not charged to the first
   * reports or connects (the bench's RSS per connection counted it once).
   */
  start(): void {
    if (!this.#closed) this.#start();
  }

  /** Lets the batches sent so far finish, then closes the thread's connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // until its connection is closed, even when nothing else keeps the process alive
    worker.postMessage({ close: true });
    await exited;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.#o.file,
        busyTimeoutMs: Math.trunc(this.#o.busyTimeoutMs ?? 5000),
        synchronous: this.#o.synchronous ?? 'NORMAL',
      },
    });
    // Idle, the thread alone does not keep the process alive (the hub's servers do).
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const p = this.#pending.get(answer.id);
      if (!p) return;
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) worker.unref();
      if (answer.error) {
        const { message, code } = answer.error;
        p.reject(new DatabaseError(kindOfSqliteCode(code), message, { cause: answer.error }));
      } else p.resolve(answer.seconds ?? 0);
    });
    const fail = (err: Error) => {
      this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) => {
      this.#o.log?.error({ err }, 'the SQLite writer thread failed');
      fail(err);
    });
    worker.on('exit', (code) => {
      if (this.#pending.size > 0) fail(new Error(`the SQLite writer thread exited (code ${code})`));
      this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }
}

/**
 * A transaction handle that runs nothing: it records the write statements given to it (SQLite
 * text and parameters), for a SqliteBatchThread to commit. Reads are refused: what a batch reads
 * must be known before it is built.
 */
export class StatementRecorder implements Transaction {
  readonly dialect = 'sqlite' as const;
  readonly statements: CompiledSql[] = [];

  async run<T extends object>(query: Sql): Promise<{ changes: number; rows: readonly T[] }> {
    this.statements.push(compile(query, 'sqlite'));
    return { changes: 0, rows: [] };
  }

  many(): Promise<never> {
    return Promise.reject(new Error('a recorded batch cannot read'));
  }

  one(): Promise<never> {
    return Promise.reject(new Error('a recorded batch cannot read'));
  }

  notify(): Promise<void> {
    return Promise.reject(new Error('a recorded batch cannot notify'));
  }

  exec(): Promise<void> {
    return Promise.reject(new Error('a recorded batch runs statements, not scripts'));
  }
}
