import { type Db, prepared } from '../store/database.js';
import { afterClause, type PageRequest } from '../store/page.js';

/** SQL for partner API keys. Only sha256(secret) is stored; nothing here ever sees a key. */

export interface ApiKeyRow {
  readonly id: string;
  readonly partner_id: string;
  readonly secret_hash: Buffer;
  readonly label: string;
  readonly created_at: number;
  readonly last_used_at: number | null;
  readonly revoked_at: number | null;
}

export function insertApiKey(
  db: Db,
  row: { id: string; partner_id: string; secret_hash: Buffer; label: string; created_at: number },
): void {
  prepared(
    db,
    `INSERT INTO partner_api_keys (id, partner_id, secret_hash, label, created_at)
     VALUES (@id, @partner_id, @secret_hash, @label, @created_at)`,
  ).run(row);
}

export function findApiKey(db: Db, id: string): ApiKeyRow | undefined {
  return prepared(db, 'SELECT * FROM partner_api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
}

/** Newest first, revoked ones included (they are the partner's audit trail); `limit + 1` rows. */
export function listApiKeys(db: Db, partnerId: string, page: PageRequest): ApiKeyRow[] {
  const after = afterClause(['created_at', 'id'], page.after, 'desc');
  return prepared(
    db,
    `SELECT * FROM partner_api_keys WHERE partner_id = ? ${after ? `AND ${after.sql}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(partnerId, ...(after?.args ?? []), page.limit + 1) as ApiKeyRow[];
}

export function countActiveApiKeys(db: Db, partnerId: string): number {
  const row = prepared(
    db,
    'SELECT count(*) AS n FROM partner_api_keys WHERE partner_id = ? AND revoked_at IS NULL',
  ).get(partnerId) as { n: number };
  return row.n;
}

/** False if the key was already revoked. */
export function revokeApiKey(db: Db, id: string, at: number): boolean {
  return (
    prepared(db, 'UPDATE partner_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
      .changes === 1
  );
}

/**
 * Records a use, at most once per `throttleMs` per key: the condition is in the UPDATE, so several
 * hub nodes sharing the table agree without coordinating.
 */
export function touchApiKey(db: Db, id: string, at: number, throttleMs: number): void {
  prepared(
    db,
    `UPDATE partner_api_keys SET last_used_at = @at
     WHERE id = @id AND (last_used_at IS NULL OR last_used_at <= @at - @throttleMs)`,
  ).run({ id, at, throttleMs });
}
