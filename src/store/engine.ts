import type { Dialect, Sql } from './sql.js';

export type { Dialect } from './sql.js';

/** A row as the engine returns it: integers are numbers, booleans booleans, BLOB/bytea Buffers. */
export type Row = Record<string, unknown>;

export interface RunResult<T extends object = Row> {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
  /** What a RETURNING clause returned (empty without one). */
  readonly rows: readonly T[];
}

export interface QueryOptions {
  /**
   * Result columns to read as booleans. Only needed for expressions on SQLite (which has no boolean
   * type): a column read straight from a boolean table column is converted by itself, by the schema
   * in schema.ts. PostgreSQL returns booleans already; the option is a no-op there.
   */
  readonly booleans?: readonly string[];
}

/** What a store function takes: the engine itself or an open transaction. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Every row of a query. */
  many<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T[]>;
  /** The first row, or undefined. */
  one<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<T | undefined>;
  /** An INSERT, UPDATE or DELETE (with or without RETURNING). */
  run<T extends object = Row>(query: Sql, options?: QueryOptions): Promise<RunResult<T>>;
  /**
   * Tells every process on this database (this one included) that something on `channel` changed.
   * Inside a transaction it is sent at COMMIT, and not at all on rollback.
   */
  notify(channel: string, payload: string): Promise<void>;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /**
   * PostgreSQL isolation level (default read committed). SQLite transactions are always
   * serializable: there is one writer at a time.
   */
  readonly isolation?: Isolation;
  /**
   * How many times to run the transaction again when PostgreSQL aborts it with a serialization
   * failure (40001) or a deadlock (40P01). Default: 5 for serializable, else 0. The callback may
   * run more than once: keep side effects (events, MQTT) for after it returns.
   */
  readonly retries?: number;
  /**
   * SQLite: fsync the WAL at COMMIT (synchronous=FULL) for this transaction, so it survives power
   * loss and not only a crash (commerce, ledger). PostgreSQL commits durably already.
   */
  readonly durable?: boolean;
}

/** A transaction handle; queries on it run inside the transaction. */
export interface Transaction extends Queryable {
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface NotificationHandler {
  /** A notification on the channel (sent by this process or another). */
  message(payload: string): void;
  /**
   * Notifications may have been missed: the listening connection dropped and is back. Drop
   * everything cached from the database. Never called on SQLite (one process, nothing is lost).
   */
  reset?(): void;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface Engine extends Queryable {
  /** Where the engine points, for logs and errors: no password. */
  readonly target: string;
  /** Server version, e.g. "15.18" or "3.50.4". */
  readonly serverVersion: string;
  /**
   * Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. SQLite: BEGIN
   * IMMEDIATE on the one writer connection; other writes wait until it ends. PostgreSQL: one pooled
   * client. Queries inside must go through `tx`: an engine call from inside runs outside the
   * transaction (PostgreSQL) or waits for it until the queue timeout (SQLite). No check catches
   * that misuse at the call: AsyncLocalStorage would, at the price of slowing every promise in the
   * process on Node 20 (measured 2.5x on a promise-heavy loop).
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  listen(channel: string, handler: NotificationHandler): Promise<Subscription>;
  close(): Promise<void>;
}

/** What went wrong, the same on both engines; `cause` is the driver's error. */
export type DatabaseErrorKind =
  | 'unique'
  | 'foreign-key'
  | 'not-null'
  | 'check'
  /** A trigger refused the change (append-only tables, closed statement months). */
  | 'refused'
  | 'serialization'
  | 'deadlock'
  /** SQLite: another connection held the write lock past the busy timeout. */
  | 'busy'
  /** An integer beyond 2^53 was read: a JavaScript number cannot hold it exactly. */
  | 'range'
  | 'connection'
  | 'other';

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    readonly kind: DatabaseErrorKind,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

export function isDatabaseError(err: unknown, kind?: DatabaseErrorKind): err is DatabaseError {
  return err instanceof DatabaseError && (kind === undefined || err.kind === kind);
}

/** LISTEN channel names: PostgreSQL identifiers, kept lower case so quoting never matters. */
export function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
    throw new Error(`notification channel '${channel}' must match [a-z_][a-z0-9_]{0,62}`);
  }
}

/** PostgreSQL's NOTIFY payload limit, enforced on both engines so code that works on one works on the other. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

export function checkPayload(payload: string): void {
  if (Buffer.byteLength(payload) > MAX_NOTIFY_PAYLOAD_BYTES) {
    throw new Error(
      `notification payload is over ${MAX_NOTIFY_PAYLOAD_BYTES} bytes: send an id, not the data`,
    );
  }
}
