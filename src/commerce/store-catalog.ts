import type { Queryable } from '../store/engine.js';
import { keyAfter, whereAll } from '../store/keyset.js';
import type { PageRequest } from '../store/page.js';
import { type Sql, sql } from '../store/sql.js';

/** SQL for SKUs and BOM costs. */

export interface SkuRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly name: string | null;
  readonly price_minor: number;
  readonly currency: string;
  readonly created_at: number;
  readonly deactivated_at: number | null;
}

export interface BomRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly cost_minor: number;
  readonly currency: string;
  readonly effective_from: number;
  readonly created_at: number;
}

export interface ModelOwnerRow {
  readonly partner_id: string;
  readonly published: boolean;
}

const SKU_COLUMNS = sql`id, partner_id, model_id, name, price_minor, currency, created_at, deactivated_at`;
const BOM_COLUMNS = sql`id, partner_id, model_id, cost_minor, currency, effective_from, created_at`;

/** The model's owner and whether a version of it is published now. */
export function findModelOwner(db: Queryable, modelId: string): Promise<ModelOwnerRow | undefined> {
  return db.one<ModelOwnerRow>(
    sql`SELECT m.partner_id,
          EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id AND v.state = 'published') AS published
        FROM models m WHERE m.id = ${modelId}`,
    { booleans: ['published'] },
  );
}

export async function insertSku(db: Queryable, row: SkuRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_skus (id, partner_id, model_id, name, price_minor, currency, created_at, deactivated_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.name}, ${row.price_minor}, ${row.currency},
          ${row.created_at}, ${row.deactivated_at})`,
  );
}

/** Retires the active SKU of a model in a currency (a new listing replaces it); returns its id. */
export async function deactivateActive(
  db: Queryable,
  modelId: string,
  currency: string,
  at: number,
): Promise<string | undefined> {
  const { rows } = await db.run<{ id: string }>(
    sql`UPDATE commerce_skus SET deactivated_at = ${at}
        WHERE model_id = ${modelId} AND currency = ${currency} AND deactivated_at IS NULL RETURNING id`,
  );
  return rows[0]?.id;
}

export async function deactivateSku(db: Queryable, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE commerce_skus SET deactivated_at = ${at} WHERE id = ${id} AND deactivated_at IS NULL`,
  );
  return changes === 1;
}

export function findSku(db: Queryable, id: string): Promise<SkuRow | undefined> {
  return db.one<SkuRow>(sql`SELECT ${SKU_COLUMNS} FROM commerce_skus WHERE id = ${id}`);
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listSkus(
  db: Queryable,
  f: { partnerId?: string | undefined; activeOnly: boolean },
  page: PageRequest,
): Promise<SkuRow[]> {
  const where: Sql[] = [];
  if (f.partnerId !== undefined) where.push(sql`partner_id = ${f.partnerId}`);
  if (f.activeOnly) where.push(sql`deactivated_at IS NULL`);
  if (page.after) where.push(keyAfter(['created_at', 'id'], page.after));
  return db.many<SkuRow>(
    sql`SELECT ${SKU_COLUMNS} FROM commerce_skus ${whereAll(where)} ORDER BY created_at, id LIMIT ${page.limit + 1}`,
  );
}

/**
 * Active SKUs whose model still has a published version: what the public store shows, keyed by
 * (model_id, currency) (one active SKU each); `limit + 1` rows.
 */
export function listStoreSkus(db: Queryable, page: PageRequest): Promise<SkuRow[]> {
  return db.many<SkuRow>(
    sql`SELECT s.id, s.partner_id, s.model_id, s.name, s.price_minor, s.currency, s.created_at, s.deactivated_at
        FROM commerce_skus s
        WHERE s.deactivated_at IS NULL
          AND EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = s.model_id AND v.state = 'published')
          ${page.after ? sql`AND ${keyAfter(['s.model_id', 's.currency'], page.after)}` : sql.empty}
        ORDER BY s.model_id, s.currency LIMIT ${page.limit + 1}`,
  );
}

export async function insertBom(db: Queryable, row: BomRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_bom_costs (id, partner_id, model_id, cost_minor, currency, effective_from, created_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.cost_minor}, ${row.currency},
          ${row.effective_from}, ${row.created_at})`,
  );
}

// Latest start wins; on a tie the latest written (rowid breaks a same-millisecond tie: SQLite's
// implicit rowid, an identity column of that name on PostgreSQL).
const BOM_PRECEDENCE = sql`ORDER BY effective_from DESC, created_at DESC, rowid DESC`;

/** The model's BOM history, in precedence order. */
export function listBom(db: Queryable, modelId: string): Promise<BomRow[]> {
  return db.many<BomRow>(
    sql`SELECT ${BOM_COLUMNS} FROM commerce_bom_costs WHERE model_id = ${modelId} ${BOM_PRECEDENCE}`,
  );
}

export function bomAt(db: Queryable, modelId: string, at: number): Promise<BomRow | undefined> {
  return db.one<BomRow>(
    sql`SELECT ${BOM_COLUMNS} FROM commerce_bom_costs WHERE model_id = ${modelId} AND effective_from <= ${at}
        ${BOM_PRECEDENCE} LIMIT 1`,
  );
}
