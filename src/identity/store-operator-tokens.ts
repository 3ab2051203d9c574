import type { Queryable } from '../store/engine.js';
import { keyAfter } from '../store/keyset.js';
import type { PageRequest } from '../store/page.js';
import { sql } from '../store/sql.js';

export type OperatorTokenSource = 'env' | 'bootstrap' | 'cli' | 'api';

export interface OperatorTokenRow {
  readonly id: string;
  readonly secret_hash: Buffer;
  readonly label: string;
  readonly source: OperatorTokenSource;
  readonly created_at: number;
  readonly last_used_at: number | null;
  readonly revoked_at: number | null;
}

const COLUMNS = sql`id, secret_hash, label, source, created_at, last_used_at, revoked_at`;

export async function insertOperatorToken(
  db: Queryable,
  row: { id: string; secret_hash: Buffer; label: string; source: OperatorTokenSource; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO admin_tokens (id, secret_hash, label, source, created_at)
        VALUES (${row.id}, ${row.secret_hash}, ${row.label}, ${row.source}, ${row.created_at})`,
  );
}

/** Puts the ECOHUB_ADMIN_TOKEN row in place: a new value replaces the old one and starts afresh. */
export async function replaceEnvToken(
  db: Queryable,
  row: { id: string; secret_hash: Buffer; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO admin_tokens (id, secret_hash, label, source, created_at)
        VALUES (${row.id}, ${row.secret_hash}, 'ECOHUB_ADMIN_TOKEN', 'env', ${row.created_at})
        ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at,
          source = 'env', last_used_at = NULL, revoked_at = NULL`,
  );
}

export async function deleteOperatorToken(db: Queryable, id: string): Promise<boolean> {
  return (await db.run(sql`DELETE FROM admin_tokens WHERE id = ${id}`)).changes === 1;
}

export function findOperatorToken(db: Queryable, id: string): Promise<OperatorTokenRow | undefined> {
  return db.one<OperatorTokenRow>(sql`SELECT ${COLUMNS} FROM admin_tokens WHERE id = ${id}`);
}

export async function touchOperatorToken(db: Queryable, id: string, at: number): Promise<void> {
  await db.run(sql`UPDATE admin_tokens SET last_used_at = ${at} WHERE id = ${id}`);
}

/** True when the token was active and is now revoked. */
export async function revokeOperatorToken(db: Queryable, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE admin_tokens SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`,
  );
  return changes === 1;
}

export async function countActiveOperatorTokens(db: Queryable): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM admin_tokens WHERE revoked_at IS NULL`,
  );
  return row?.n ?? 0;
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows so the caller knows whether more follow. */
export function listOperatorTokens(db: Queryable, page: PageRequest): Promise<OperatorTokenRow[]> {
  return db.many<OperatorTokenRow>(
    sql`SELECT ${COLUMNS} FROM admin_tokens
        ${page.after ? sql`WHERE ${keyAfter(['created_at', 'id'], page.after)}` : sql.empty}
        ORDER BY created_at, id LIMIT ${page.limit + 1}`,
  );
}
