import type { Queryable } from '../store/engine.js';
import { keyAfter } from '../store/keyset.js';
import type { PageRequest } from '../store/page.js';
import { sql } from '../store/sql.js';

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

const COLUMNS = sql`id, partner_id, secret_hash, label, created_at, last_used_at, revoked_at`;

export async function insertApiKey(
  db: Queryable,
  row: { id: string; partner_id: string; secret_hash: Buffer; label: string; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO partner_api_keys (id, partner_id, secret_hash, label, created_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.secret_hash}, ${row.label}, ${row.created_at})`,
  );
}

export function findApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  return db.one<ApiKeyRow>(sql`SELECT ${COLUMNS} FROM partner_api_keys WHERE id = ${id}`);
}

/** Newest first, revoked ones included (they are the partner's audit trail); `limit + 1` rows. */
export function listApiKeys(db: Queryable, partnerId: string, page: PageRequest): Promise<ApiKeyRow[]> {
  return db.many<ApiKeyRow>(
    sql`SELECT ${COLUMNS} FROM partner_api_keys WHERE partner_id = ${partnerId}
        ${page.after ? sql`AND ${keyAfter(['created_at', 'id'], page.after, 'desc')}` : sql.empty}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

export async function countActiveApiKeys(db: Queryable, partnerId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM partner_api_keys WHERE partner_id = ${partnerId} AND revoked_at IS NULL`,
  );
  return row?.n ?? 0;
}

/** False if the key was already revoked. */
export async function revokeApiKey(db: Queryable, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE partner_api_keys SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`,
  );
  return changes === 1;
}

/**
 * Records a use, at most once per `throttleMs` per key: the condition is in the UPDATE, so several
 * hub nodes sharing the table agree without coordinating.
 */
export async function touchApiKey(db: Queryable, id: string, at: number, throttleMs: number): Promise<void> {
  await db.run(
    sql`UPDATE partner_api_keys SET last_used_at = ${at}
        WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at <= ${at - throttleMs})`,
  );
}
