import { type Db, prepared } from '../store/database.js';
import { afterClause, type PageRequest } from '../store/page.js';

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

export function insertOperatorToken(
  db: Db,
  row: { id: string; secret_hash: Buffer; label: string; source: OperatorTokenSource; created_at: number },
): void {
  prepared(
    db,
    `INSERT INTO admin_tokens (id, secret_hash, label, source, created_at)
     VALUES (@id, @secret_hash, @label, @source, @created_at)`,
  ).run(row);
}

/** Puts the ECOHUB_ADMIN_TOKEN row in place: a new value replaces the old one and starts afresh. */
export function replaceEnvToken(db: Db, row: { id: string; secret_hash: Buffer; created_at: number }): void {
  prepared(
    db,
    `INSERT INTO admin_tokens (id, secret_hash, label, source, created_at)
     VALUES (@id, @secret_hash, 'ECOHUB_ADMIN_TOKEN', 'env', @created_at)
     ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at,
       source = 'env', last_used_at = NULL, revoked_at = NULL`,
  ).run(row);
}

export function deleteOperatorToken(db: Db, id: string): boolean {
  return prepared(db, 'DELETE FROM admin_tokens WHERE id = ?').run(id).changes === 1;
}

export function findOperatorToken(db: Db, id: string): OperatorTokenRow | undefined {
  return prepared(db, 'SELECT * FROM admin_tokens WHERE id = ?').get(id) as OperatorTokenRow | undefined;
}

export function touchOperatorToken(db: Db, id: string, at: number): void {
  prepared(db, 'UPDATE admin_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
}

/** True when the token was active and is now revoked. */
export function revokeOperatorToken(db: Db, id: string, at: number): boolean {
  return (
    prepared(db, 'UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
      .changes === 1
  );
}

export function countActiveOperatorTokens(db: Db): number {
  const row = prepared(db, 'SELECT count(*) AS n FROM admin_tokens WHERE revoked_at IS NULL').get() as {
    n: number;
  };
  return row.n;
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows so the caller knows whether more follow. */
export function listOperatorTokens(db: Db, page: PageRequest): OperatorTokenRow[] {
  const after = afterClause(['created_at', 'id'], page.after);
  return prepared(
    db,
    `SELECT * FROM admin_tokens ${after ? `WHERE ${after.sql}` : ''} ORDER BY created_at, id LIMIT ?`,
  ).all(...(after?.args ?? []), page.limit + 1) as OperatorTokenRow[];
}
