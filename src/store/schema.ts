/**
 * The schema every migration set must produce, described once for both engines. The schema test
 * applies the SQLite and the PostgreSQL migrations to empty databases and compares what they built
 * against this; the SQLite engine reads its boolean columns from here (SQLite has no boolean type).
 */

/** Normalized column types: SQLite INTEGER is PostgreSQL BIGINT; a boolean is INTEGER 0/1 on SQLite. */
export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'blob';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export interface IndexSpec {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Partial index predicate, as written in the SQLite migration. */
  readonly where?: string;
}

export type OnDelete = 'no action' | 'cascade' | 'set null';

export interface ForeignKeySpec {
  readonly columns: readonly string[];
  readonly table: string;
  readonly to: readonly string[];
  readonly onDelete: OnDelete;
}

export interface TableSpec {
  readonly name: string;
  /** In declaration order (so `SELECT *` returns the same columns in the same order). */
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  /** UNIQUE constraints (their indexes are named by each engine). */
  readonly unique: readonly (readonly string[])[];
  readonly indexes: readonly IndexSpec[];
  readonly foreignKeys: readonly ForeignKeySpec[];
  /** UPDATE and DELETE are refused by triggers. */
  readonly appendOnly: boolean;
  /**
   * Store code orders by SQLite's implicit rowid (a same-millisecond tie-break). PostgreSQL has no
   * rowid, so there the table has an identity column named `rowid`: the same SQL runs on both.
   */
  readonly rowid: boolean;
}

const TYPES: Record<string, ColumnType> = {
  text: 'text',
  int: 'integer',
  real: 'real',
  bool: 'boolean',
  blob: 'blob',
};

/** `'id text, name text?, n int'`: `?` marks a nullable column. */
function columns(spec: string): ColumnSpec[] {
  return spec.split(',').map((part) => {
    const [name, rawType] = part.trim().split(/\s+/);
    const nullable = rawType?.endsWith('?') ?? false;
    const type = TYPES[rawType?.replace('?', '') ?? ''];
    if (!name || !type) throw new Error(`bad column spec '${part}'`);
    return { name, type, nullable };
  });
}

/** `'users(id)'` or `'model_versions(model_id, version)'`. */
function reference(target: string): { table: string; to: string[] } {
  const match = /^(\w+)\(([\w, ]+)\)$/.exec(target);
  if (!match?.[1] || !match[2]) throw new Error(`bad reference '${target}'`);
  return { table: match[1], to: match[2].split(',').map((c) => c.trim()) };
}

export interface TableInput {
  readonly columns: string;
  /** 'col, col'; omitted for a table without one (history tables). */
  readonly primaryKey?: string;
  readonly unique?: readonly string[];
  /** name -> 'col, col' (optionally 'UNIQUE col, col', optionally ' WHERE predicate'). */
  readonly indexes?: Readonly<Record<string, string>>;
  /** 'col, col' -> 'table(col, col)' with an optional ' ON DELETE CASCADE|SET NULL'. */
  readonly references?: Readonly<Record<string, string>>;
  readonly appendOnly?: boolean;
  readonly rowid?: boolean;
}

const list = (s: string) => s.split(',').map((c) => c.trim());

export function table(name: string, input: TableInput): TableSpec {
  const indexes = Object.entries(input.indexes ?? {}).map(([indexName, spec]): IndexSpec => {
    const match = /^(UNIQUE\s+)?([\w, ]+?)(?:\s+WHERE\s+(.+))?$/.exec(spec);
    if (!match?.[2]) throw new Error(`bad index spec '${spec}'`);
    return {
      name: indexName,
      columns: list(match[2]),
      unique: match[1] !== undefined,
      ...(match[3] ? { where: match[3] } : {}),
    };
  });
  const foreignKeys = Object.entries(input.references ?? {}).map(([cols, target]): ForeignKeySpec => {
    const [ref, action] = target.split(/\s+ON DELETE\s+/);
    const onDelete = (action?.toLowerCase() ?? 'no action') as OnDelete;
    return { columns: list(cols), ...reference(ref ?? ''), onDelete };
  });
  return {
    name,
    columns: columns(input.columns),
    primaryKey: input.primaryKey ? list(input.primaryKey) : [],
    unique: (input.unique ?? []).map(list),
    indexes,
    foreignKeys,
    appendOnly: input.appendOnly ?? false,
    rowid: input.rowid ?? false,
  };
}

/** table -> its boolean columns, for reading SQLite's 0/1 back as booleans. */
export type BooleanColumns = ReadonlyMap<string, ReadonlySet<string>>;

export function booleanColumns(tables: readonly TableSpec[]): BooleanColumns {
  const out = new Map<string, Set<string>>();
  for (const t of tables) {
    const names = t.columns.filter((c) => c.type === 'boolean').map((c) => c.name);
    if (names.length > 0) out.set(t.name, new Set(names));
  }
  return out;
}
