import { type Db, prepared } from '../store/database.js';
import { afterClause, type PageRequest } from '../store/page.js';

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
  readonly published: number;
}

/** The model's owner and whether a version of it is published now. */
export function findModelOwner(db: Db, modelId: string): ModelOwnerRow | undefined {
  return prepared(
    db,
    `SELECT m.partner_id,
         EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id AND v.state = 'published') AS published
       FROM models m WHERE m.id = ?`,
  ).get(modelId) as ModelOwnerRow | undefined;
}

export function insertSku(db: Db, row: SkuRow): void {
  prepared(
    db,
    `INSERT INTO commerce_skus (id, partner_id, model_id, name, price_minor, currency, created_at, deactivated_at)
     VALUES (@id, @partner_id, @model_id, @name, @price_minor, @currency, @created_at, @deactivated_at)`,
  ).run(row);
}

/** Retires the active SKU of a model in a currency (a new listing replaces it); returns its id. */
export function deactivateActive(db: Db, modelId: string, currency: string, at: number): string | undefined {
  const row = prepared(
    db,
    `UPDATE commerce_skus SET deactivated_at = ?
       WHERE model_id = ? AND currency = ? AND deactivated_at IS NULL RETURNING id`,
  ).get(at, modelId, currency) as { id: string } | undefined;
  return row?.id;
}

export function deactivateSku(db: Db, id: string, at: number): boolean {
  return (
    prepared(db, 'UPDATE commerce_skus SET deactivated_at = ? WHERE id = ? AND deactivated_at IS NULL').run(
      at,
      id,
    ).changes === 1
  );
}

export function findSku(db: Db, id: string): SkuRow | undefined {
  return prepared(db, 'SELECT * FROM commerce_skus WHERE id = ?').get(id) as SkuRow | undefined;
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listSkus(
  db: Db,
  f: { partnerId?: string | undefined; activeOnly: boolean },
  page: PageRequest,
): SkuRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.partnerId !== undefined) {
    where.push('partner_id = ?');
    args.push(f.partnerId);
  }
  if (f.activeOnly) where.push('deactivated_at IS NULL');
  const after = afterClause(['created_at', 'id'], page.after);
  if (after) {
    where.push(after.sql);
    args.push(...after.args);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return prepared(db, `SELECT * FROM commerce_skus ${clause} ORDER BY created_at, id LIMIT ?`).all(
    ...args,
    page.limit + 1,
  ) as SkuRow[];
}

/**
 * Active SKUs whose model still has a published version: what the public store shows, keyed by
 * (model_id, currency) (one active SKU each); `limit + 1` rows.
 */
export function listStoreSkus(db: Db, page: PageRequest): SkuRow[] {
  const after = afterClause(['s.model_id', 's.currency'], page.after);
  return prepared(
    db,
    `SELECT s.* FROM commerce_skus s
       WHERE s.deactivated_at IS NULL
         AND EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = s.model_id AND v.state = 'published')
         ${after ? `AND ${after.sql}` : ''}
       ORDER BY s.model_id, s.currency LIMIT ?`,
  ).all(...(after?.args ?? []), page.limit + 1) as SkuRow[];
}

export function insertBom(db: Db, row: BomRow): void {
  prepared(
    db,
    `INSERT INTO commerce_bom_costs (id, partner_id, model_id, cost_minor, currency, effective_from, created_at)
     VALUES (@id, @partner_id, @model_id, @cost_minor, @currency, @effective_from, @created_at)`,
  ).run(row);
}

// Latest start wins; on a tie the latest written (rowid breaks a same-millisecond tie).
const BOM_PRECEDENCE = 'ORDER BY effective_from DESC, created_at DESC, rowid DESC';

/** The model's BOM history, in precedence order. */
export function listBom(db: Db, modelId: string): BomRow[] {
  return prepared(db, `SELECT * FROM commerce_bom_costs WHERE model_id = ? ${BOM_PRECEDENCE}`).all(
    modelId,
  ) as BomRow[];
}

export function bomAt(db: Db, modelId: string, at: number): BomRow | undefined {
  return prepared(
    db,
    `SELECT * FROM commerce_bom_costs WHERE model_id = ? AND effective_from <= ? ${BOM_PRECEDENCE} LIMIT 1`,
  ).get(modelId, at) as BomRow | undefined;
}
