import Database from 'better-sqlite3';
import {
  DatabaseError,
  type DatabaseErrorKind,
  type QueryOptions,
  type Row,
  type RunResult,
} from './engine.js';
import type { BooleanColumns } from './schema.js';
import type { CompiledSql } from './sql.js';

/**
 * Prepared statements and row normalization for the SQLite engine: statements are prepared once
 * per connection and run here, integers come back checked against 2^53, boolean columns come back
 * as booleans.
 */

// Distinct SQL texts are bounded by the code; the cap only guards against a caller building text
// dynamically (sql.raw, IN lists of every length).
const STATEMENT_CACHE = 500;

export interface Prepared {
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

/** The kind of a SQLite error code (`SQLITE_CONSTRAINT_UNIQUE`, ...). */
export function kindOfSqliteCode(code: unknown): DatabaseErrorKind {
  return (typeof code === 'string' ? SQLITE_KINDS[code] : undefined) ?? 'other';
}

/** A driver error as a DatabaseError with its kind; anything else unchanged. */
export function wrap(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  return new DatabaseError(kindOfSqliteCode(err.code), err.message, { cause: err });
}

export class StatementCache {
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
export function normalize(rows: Row[], prepared: Prepared, options: QueryOptions | undefined): Row[] {
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

/** The rows of a query (only the first when `first`: SQLite stops there; DML runs whole at the first step). */
export function queryRows(
  cache: StatementCache,
  { text, params }: CompiledSql,
  options: QueryOptions | undefined,
  first = false,
): Row[] {
  try {
    const prepared = cache.get(text);
    const { statement } = prepared;
    if (!statement.reader) {
      statement.run(...params);
      return [];
    }
    if (first) {
      const row = statement.get(...params) as Row | undefined;
      return row ? normalize([row], prepared, options) : [];
    }
    return normalize(statement.all(...params) as Row[], prepared, options);
  } catch (err) {
    throw wrap(err);
  }
}

/** A write: how many rows it changed, and the rows of its RETURNING clause if it has one. */
export function runStatement(
  cache: StatementCache,
  { text, params }: CompiledSql,
  options: QueryOptions | undefined,
): RunResult {
  try {
    const prepared = cache.get(text);
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
