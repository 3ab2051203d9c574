import type { PageKey } from './page.js';
import { type Sql, sql } from './sql.js';

/**
 * "Key past `after`" for the engine API: a row-value comparison (SQLite 3.15+, PostgreSQL), the
 * column names chosen by code, the key's values bound as parameters.
 */
export function keyAfter(columns: readonly string[], after: PageKey, direction: 'asc' | 'desc' = 'asc'): Sql {
  const op = direction === 'asc' ? '>' : '<';
  return sql`(${sql.raw(columns.join(', '))}) ${sql.raw(op)} (${sql.join([...after])})`;
}

/** `WHERE a AND b ...`, or nothing when there is no condition. */
export function whereAll(conditions: readonly Sql[]): Sql {
  return conditions.length === 0 ? sql.empty : sql`WHERE ${sql.join(conditions, ' AND ')}`;
}
