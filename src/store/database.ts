import Database from 'better-sqlite3';
import { ensurePrivateFile } from './files.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly file: string;
  readonly readonly?: boolean;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /**
   * NORMAL (the default) keeps every commit across a process crash; FULL also fsyncs the WAL at each
   * commit, so a commit survives power loss. Commerce opens its own FULL connection (docs/commerce.md).
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

/**
 * Opens the hub's SQLite file. WAL lets readers (backup, CLI) run beside the hub's writer;
 * synchronous=NORMAL in WAL mode keeps every committed transaction across a process crash
 * (kill -9); only an OS crash or power loss may drop the last transactions, which is why the
 * commerce module raises it to FULL for its own writes.
 */
export function openDatabase(options: OpenOptions): Db {
  if (!options.readonly) ensurePrivateFile(options.file);
  const db = new Database(options.file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  }
  db.pragma('foreign_keys = ON');
  return db;
}

// Keyed by connection, so it is a cache of each connection's own statements, not shared state.
const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The statement for `source`, prepared once per connection. Preparing (parsing and planning the
 * SQL) costs more than running most of our statements, and the hot paths (device connect, ingest,
 * token checks) run the same few thousands of times a second.
 */
export function prepared(db: Db, source: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(source);
  if (!statement) {
    statement = db.prepare(source);
    cache.set(source, statement);
  }
  return statement;
}

/** Runs `fn` in one IMMEDIATE transaction: the write lock is taken at BEGIN, so two writers never deadlock on upgrade. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
