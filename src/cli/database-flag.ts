import { join } from 'node:path';
import { DATABASE_FILE, DEFAULTS, MAX_DATABASE_POOL_SIZE } from '../config.js';
import { type DatabaseTarget, DatabaseUrlError, parseDatabaseUrl } from '../store/database-url.js';
import { type FlagSpec, parsePositiveInt, UsageError } from './flags.js';

export const databaseFlag: FlagSpec = {
  name: 'database',
  env: 'ECOHUB_DATABASE_URL',
  type: 'string',
  value: 'URL',
  help: 'sqlite:PATH or postgres://user:password@host:port/db',
  default: 'sqlite:DATA_DIR/ecohub.db',
};

export const databasePoolSizeFlag: FlagSpec = {
  name: 'database-pool-size',
  env: 'ECOHUB_DATABASE_POOL_SIZE',
  type: 'string',
  value: 'N',
  help: `PostgreSQL connections this hub process keeps open (1-${MAX_DATABASE_POOL_SIZE}); not for SQLite`,
  default: String(DEFAULTS.databasePoolSize),
};

/**
 * --database-pool-size (or ECOHUB_DATABASE_POOL_SIZE): a whole number in range, and only with a
 * PostgreSQL --database (SQLite has one writer and one reader connection, nothing to size).
 */
export function databasePoolSize(
  raw: { value: string; source: string } | undefined,
  target: DatabaseTarget,
): number | undefined {
  if (!raw) return undefined;
  const size = parsePositiveInt(raw, MAX_DATABASE_POOL_SIZE);
  if (target.kind !== 'postgres') {
    throw new UsageError(
      `${raw.source} sizes the PostgreSQL pool: it needs --database postgres://... (the database is SQLite)`,
    );
  }
  return size;
}

/** The --database value (or ECOHUB_DATABASE_URL), else SQLite in the data folder; a bad URL names its source. */
export function databaseTarget(
  raw: { value: string; source: string } | undefined,
  dataDir: string,
): DatabaseTarget {
  if (!raw) return { kind: 'sqlite', file: join(dataDir, DATABASE_FILE) };
  try {
    return parseDatabaseUrl(raw.value);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new UsageError(`${raw.source}: ${err.message}`);
    throw err;
  }
}

/**
 * For commands that work on the SQLite file only (backup, admin token): the file --database,
 * ECOHUB_DATABASE_URL or the data folder names; a PostgreSQL URL is a usage error saying what to do.
 */
export function sqliteFile(
  raw: { value: string; source: string } | undefined,
  dataDir: string,
  onPostgres: string,
): string {
  const target = databaseTarget(raw, dataDir);
  if (target.kind !== 'sqlite')
    throw new UsageError(`${raw?.source ?? '--database'} is PostgreSQL: ${onPostgres}`);
  return target.file;
}
