import type { Engine } from '../../src/store/engine.js';
import type {
  ColumnSpec,
  ColumnType,
  ForeignKeySpec,
  IndexSpec,
  OnDelete,
  TableSpec,
} from '../../src/store/schema.js';
import { sql } from '../../src/store/sql.js';

/**
 * What a database's schema actually is, read from the engine's catalog and normalized so the two
 * engines compare against one description: BIGINT and INTEGER are 'integer', a primary key column
 * is never nullable, constraint-backed indexes appear as primary key or unique, partial index
 * predicates lose PostgreSQL's casts and parentheses.
 */
export interface ActualTable {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  readonly unique: readonly (readonly string[])[];
  readonly indexes: readonly IndexSpec[];
  readonly foreignKeys: readonly ForeignKeySpec[];
  /** SQLite: the table has a rowid (not WITHOUT ROWID). PostgreSQL: always false. */
  readonly hasRowid: boolean;
  /** SQLite: the CREATE TABLE text (to check boolean columns are CHECKed to 0/1). */
  readonly sql: string;
}

/** Normalizes a partial index predicate from either engine to compare them. */
export function normalizePredicate(text: string): string {
  return text
    .replace(/::[a-z ]+(\[\])?/g, '')
    .replace(/(\w+) = ANY \(ARRAY\[(.*?)\]\)/g, '$1 IN ($2)')
    .replace(/[()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const SQLITE_TYPES: Record<string, ColumnType> = {
  TEXT: 'text',
  INTEGER: 'integer',
  REAL: 'real',
  BLOB: 'blob',
};
const PG_TYPES: Record<string, ColumnType> = {
  text: 'text',
  bigint: 'integer',
  'double precision': 'real',
  boolean: 'boolean',
  bytea: 'blob',
};
const ON_DELETE: Record<string, OnDelete> = {
  'NO ACTION': 'no action',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  a: 'no action',
  c: 'cascade',
  n: 'set null',
};

const sortLists = (lists: (readonly string[])[]) => lists.sort((a, b) => a.join().localeCompare(b.join()));

async function sqliteTables(db: Engine): Promise<ActualTable[]> {
  const tables = await db.many<{ name: string; wr: number; sql: string }>(
    sql`SELECT l.name, l.wr, m.sql FROM pragma_table_list l JOIN sqlite_schema m ON m.name = l.name
        WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite_%' ORDER BY l.name`,
  );
  const out: ActualTable[] = [];
  for (const t of tables) {
    const cols = await db.many<{ name: string; type: string; notnull: number; pk: number }>(
      sql`SELECT name, type, "notnull", pk FROM pragma_table_xinfo(${t.name}) WHERE hidden = 0 ORDER BY cid`,
    );
    const primaryKey = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexList = await db.many<{ name: string; unique: number; origin: string; partial: number }>(
      sql`SELECT name, "unique", origin, partial FROM pragma_index_list(${t.name})`,
    );
    const unique: string[][] = [];
    const indexes: IndexSpec[] = [];
    for (const idx of indexList) {
      const columns = (
        await db.many<{ name: string }>(sql`SELECT name FROM pragma_index_info(${idx.name}) ORDER BY seqno`)
      ).map((c) => c.name);
      if (idx.origin === 'pk') continue;
      if (idx.origin === 'u') {
        unique.push(columns);
        continue;
      }
      const text = (
        await db.one<{ sql: string }>(sql`SELECT sql FROM sqlite_schema WHERE name = ${idx.name}`)
      )?.sql;
      const where = idx.partial ? /\bWHERE\b([\s\S]*)$/i.exec(text ?? '')?.[1] : undefined;
      indexes.push({
        name: idx.name,
        columns,
        unique: idx.unique === 1,
        ...(where ? { where: normalizePredicate(where) } : {}),
      });
    }
    const fkRows = await db.many<{ id: number; table: string; from: string; to: string; on_delete: string }>(
      sql`SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(${t.name}) ORDER BY id, seq`,
    );
    const fks = new Map<number, ForeignKeySpec & { columns: string[]; to: string[] }>();
    for (const fk of fkRows) {
      const entry = fks.get(fk.id) ?? {
        columns: [],
        table: fk.table,
        to: [],
        onDelete: ON_DELETE[fk.on_delete] ?? (fk.on_delete as OnDelete),
      };
      entry.columns.push(fk.from);
      entry.to.push(fk.to);
      fks.set(fk.id, entry);
    }
    out.push({
      name: t.name,
      columns: cols.map((c) => ({
        name: c.name,
        type: SQLITE_TYPES[c.type] ?? (c.type as ColumnType),
        nullable: c.notnull === 0 && c.pk === 0,
      })),
      primaryKey,
      unique: sortLists(unique),
      indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: [...fks.values()].sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
      hasRowid: t.wr === 0,
      sql: t.sql,
    });
  }
  return out;
}

async function postgresTables(db: Engine): Promise<ActualTable[]> {
  const tables = await db.many<{ name: string }>(
    sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()
        AND tablename <> 'ecohub_migrations' ORDER BY tablename`,
  );
  const columns = await db.many<{ table: string; name: string; type: string; nullable: string }>(
    sql`SELECT table_name AS "table", column_name AS name, data_type AS type, is_nullable AS nullable
        FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const constraints = await db.many<{
    table: string;
    type: string;
    columns: string;
    ref: string | null;
    refcols: string | null;
    ondelete: string;
  }>(
    sql`SELECT t.relname AS "table", c.contype AS type, r.relname AS ref, c.confdeltype AS ondelete,
          (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
          (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS refcols
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
        WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')`,
  );
  const indexes = await db.many<{
    table: string;
    name: string;
    unique: boolean;
    predicate: string | null;
    columns: string;
  }>(
    sql`SELECT t.relname AS "table", i.relname AS name, x.indisunique AS "unique",
          pg_get_expr(x.indpred, x.indrelid) AS predicate,
          (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, ord)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n) AS columns
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`,
  );
  return tables.map(({ name }) => {
    const own = constraints.filter((c) => c.table === name);
    const primaryKey = own.find((c) => c.type === 'p')?.columns.split(',') ?? [];
    return {
      name,
      columns: columns
        .filter((c) => c.table === name)
        .map((c) => ({
          name: c.name,
          type: PG_TYPES[c.type] ?? (c.type as ColumnType),
          nullable: c.nullable === 'YES' && !primaryKey.includes(c.name),
        })),
      primaryKey,
      unique: sortLists(own.filter((c) => c.type === 'u').map((c) => c.columns.split(','))),
      indexes: indexes
        .filter((i) => i.table === name)
        .map((i) => ({
          name: i.name,
          columns: i.columns.split(','),
          unique: i.unique,
          ...(i.predicate ? { where: normalizePredicate(i.predicate) } : {}),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: own
        .filter((c) => c.type === 'f')
        .map((c) => ({
          columns: c.columns.split(','),
          table: c.ref ?? '',
          to: (c.refcols ?? '').split(','),
          onDelete: ON_DELETE[c.ondelete] ?? (c.ondelete as OnDelete),
        }))
        .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
      hasRowid: false,
      sql: '',
    };
  });
}

export function introspect(db: Engine): Promise<ActualTable[]> {
  return db.dialect === 'sqlite' ? sqliteTables(db) : postgresTables(db);
}

/** The description as each engine should have built it (booleans are INTEGER on SQLite, rowid explicit on PostgreSQL). */
export function expectedFor(dialect: Engine['dialect'], tables: readonly TableSpec[]) {
  return [...tables]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({
      name: t.name,
      columns: [
        ...t.columns.map((c) => ({
          name: c.name,
          type: dialect === 'sqlite' && c.type === 'boolean' ? 'integer' : c.type,
          nullable: c.nullable && !t.primaryKey.includes(c.name),
        })),
        ...(dialect === 'postgres' && t.rowid ? [{ name: 'rowid', type: 'integer', nullable: false }] : []),
      ],
      primaryKey: t.primaryKey,
      unique: sortLists(t.unique.map((u) => [...u])),
      indexes: [...t.indexes]
        .map((i) => ({ ...i, ...(i.where ? { where: normalizePredicate(i.where) } : {}) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: [...t.foreignKeys].sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    }));
}
