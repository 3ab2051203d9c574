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
