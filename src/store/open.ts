import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { type DatabaseTarget, describeTarget } from './database-url.js';
import type { Engine } from './engine.js';
import { ensurePrivateDir } from './files.js';
import type { PostgresEngine } from './postgres-engine.js';
import { sql } from './sql.js';
import { SqliteEngine } from './sqlite-engine.js';

/** The oldest PostgreSQL the hub runs on: 15, the oldest release its migrations and tests run against. */
export const MIN_POSTGRES_VERSION = 150000;

export interface OpenEngineOptions {
  readonly log?: Logger;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL connect timeout (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** SQLite synchronous (default NORMAL). */
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly applicationName?: string;
}

/** Why a PostgreSQL server could not be used: says where and why, never the password. */
export class DatabaseConnectError extends Error {
  override readonly name = 'DatabaseConnectError';
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and listening on that port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset by the server',
};

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  if (/timeout/i.test(err.message)) return 'connection timed out';
  // Server messages (wrong password, unknown database or role, pg_hba refusal) name the user or
  // database, never the password; the AggregateError of a dual-stack connect has the codes inside.
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  return err.message;
}

/** Refuses a server older than MIN_POSTGRES_VERSION (server_version_num, e.g. 150018). */
export function checkServerVersion(num: number, version: string, where: string): void {
  if (!(num >= MIN_POSTGRES_VERSION)) {
    throw new DatabaseConnectError(
      `PostgreSQL at ${where} is version ${version}; ecohub needs PostgreSQL 15 or newer`,
    );
  }
}

/**
 * Opens the engine a target names. PostgreSQL: connects once, checks the server is 15 or newer
 * and fails with a message naming the server and the reason. SQLite: creates the file's folder (0700) and
 * the file (0600).
 */
export async function openEngine(target: DatabaseTarget, options: OpenEngineOptions = {}): Promise<Engine> {
  if (target.kind === 'sqlite') {
    ensurePrivateDir(dirname(target.file));
    return new SqliteEngine({
      file: target.file,
      ...(options.log ? { log: options.log } : {}),
      ...(options.synchronous ? { synchronous: options.synchronous } : {}),
    });
  }
  const where = describeTarget(target);
  // Loaded only when asked for: node-postgres costs every `ecohub` process ~0.2 s to load.
  const { PostgresEngine: Postgres } = await import('./postgres-engine.js');
  const engine: PostgresEngine = new Postgres({
    url: target.url,
    target: where,
    ...(options.log ? { log: options.log } : {}),
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
  });
  let row: { num: string; version: string } | undefined;
  try {
    row = await engine.one<{ num: string; version: string }>(
      sql`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`,
    );
  } catch (err) {
    await engine.close();
    throw new DatabaseConnectError(`cannot connect to PostgreSQL at ${where}: ${reason(err)}`, {
      cause: err,
    });
  }
  const version = row?.version.split(' ')[0] ?? '?';
  try {
    checkServerVersion(Number(row?.num), version, where);
  } catch (err) {
    await engine.close();
    throw err;
  }
  engine.serverVersion = version;
  return engine;
}
