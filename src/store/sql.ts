/**
 * The `sql` tagged template: SQL text written by hand, every interpolation a bound parameter
 * (`?` on SQLite, `$1, $2, ...` on PostgreSQL), never spliced into the text. As in Signal-Desktop's
 * `ts/sql`: queries stay readable plain SQL and injection is impossible by construction.
 *
 *   sql`SELECT id FROM devices WHERE partner_id = ${partnerId} AND online = ${true}`
 *
 * A fragment built with `sql` may be interpolated into another; `sql.join` lists values or
 * fragments; `sql.dialect` picks a fragment per engine; `sql.raw` is for trusted text only (an
 * identifier chosen by code, never input).
 */

export type Dialect = 'sqlite' | 'postgres';

/** What a parameter may be. Timestamps are epoch ms numbers; JSON is stored as text by the caller. */
export type SqlValue = string | number | bigint | boolean | Buffer | Uint8Array | null;

/** A fragment chosen per dialect (sql.dialect). */
class ByDialect {
  constructor(
    readonly sqlite: Sql,
    readonly postgres: Sql,
  ) {}
}

type Part = SqlValue | Sql | ByDialect;

export class Sql {
  /** Use the `sql` tag; this is public only so the type can be named. */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly Part[],
  ) {}
}

export interface CompiledSql {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

export class SqlParameterError extends Error {
  override readonly name = 'SqlParameterError';
}

function checkValue(value: unknown, index: number): SqlValue {
  switch (typeof value) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new SqlParameterError(`parameter ${index} is ${value}: only finite numbers can be stored`);
      }
      return value;
    case 'object':
      if (value === null || value instanceof Buffer) return value;
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      throw new SqlParameterError(
        `parameter ${index} is ${value instanceof Date ? 'a Date (store epoch ms)' : 'an object (store JSON.stringify of it)'}`,
      );
    default:
      throw new SqlParameterError(`parameter ${index} is ${typeof value}; use null for a missing value`);
  }
}

/** Tag for a query or fragment. Every `${value}` becomes a bound parameter. */
export function sql(strings: TemplateStringsArray, ...values: ReadonlyArray<SqlValue | Sql>): Sql {
  return new Sql(strings, values);
}

/** Trusted SQL text spliced as is: identifiers chosen by code, never anything from outside. */
sql.raw = (text: string): Sql => new Sql([text], []);

/** Nothing: for optional clauses (`${cond ? sql`AND x = ${x}` : sql.empty}`). */
sql.empty = new Sql([''], []);

/** `a, b, c` of values (as parameters) or fragments, e.g. `IN (${sql.join(ids)})`. */
sql.join = (items: ReadonlyArray<SqlValue | Sql>, separator = ', '): Sql => {
  if (items.length === 0) throw new SqlParameterError('sql.join needs at least one item');
  const strings = [''];
  for (let i = 1; i < items.length; i++) strings.push(separator);
  strings.push('');
  return new Sql(strings, items);
};

/** One fragment for SQLite and another for PostgreSQL, where the engines' SQL differs. */
sql.dialect = (choice: { readonly sqlite: Sql; readonly postgres: Sql }): Sql =>
  new Sql(['', ''], [new ByDialect(choice.sqlite, choice.postgres)]);

/**
 * The text and parameters for one engine. SQLite has no boolean type: true/false are bound as 1/0
 * (and read back as booleans by the engine, see sqlite-engine.ts).
 */
export function compile(query: Sql, dialect: Dialect): CompiledSql {
  const params: SqlValue[] = [];
  let text = '';
  const walk = (q: Sql): void => {
    text += q.strings[0];
    for (let i = 0; i < q.values.length; i++) {
      const part = q.values[i];
      if (part instanceof Sql) walk(part);
      else if (part instanceof ByDialect) walk(part[dialect]);
      else {
        const value = checkValue(part, params.length + 1);
        if (dialect === 'sqlite') {
          params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
          text += '?';
        } else {
          params.push(typeof value === 'bigint' ? value.toString() : value);
          text += `$${params.length}`;
        }
      }
      text += q.strings[i + 1];
    }
  };
  walk(query);
  return { text, params };
}
