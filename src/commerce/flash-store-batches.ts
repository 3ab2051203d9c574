/**
 * SQL for production batches (docs/flash-sales.md, "Production batches"): a provisioning batch with
 * its BOM cost at build time, held out of stock until its margin is reached. Holding and releasing
 * move the batch's devices out of and back into commerce's free-device table, in the caller's
 * transaction; re-exported by flash-store.ts.
 */
import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type BatchStatus = 'held' | 'released';
export type ReleaseReason = 'not_held' | 'margin' | 'partner';

export interface BatchRow {
  readonly batch_id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly currency: string;
  readonly units: number;
  readonly bom_cost_minor: number;
  readonly min_margin_bp: number | null;
  readonly status: BatchStatus;
  readonly allocated: number;
  readonly created_at: number;
  readonly released_at: number | null;
  readonly release_reason: ReleaseReason | null;
  readonly released_price_minor: number | null;
  readonly released_cost_minor: number | null;
  readonly released_margin_bp: number | null;
}

const BATCH_COLUMNS = sql`batch_id, partner_id, model_id, currency, units, bom_cost_minor, min_margin_bp, status,
  allocated, created_at, released_at, release_reason, released_price_minor, released_cost_minor, released_margin_bp`;

export interface ProvisioningBatchRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly size: number;
  readonly created_at: number;
}

export function findProvisioningBatch(db: Queryable, id: string): Promise<ProvisioningBatchRow | undefined> {
  return db.one<ProvisioningBatchRow>(
    sql`SELECT id, partner_id, model_id, size, created_at FROM device_batches WHERE id = ${id}`,
  );
}

/** False when the batch is a production batch already. */
export async function insertBatch(
  db: Queryable,
  b: Pick<
    BatchRow,
    | 'batch_id'
    | 'partner_id'
    | 'model_id'
    | 'currency'
    | 'units'
    | 'bom_cost_minor'
    | 'min_margin_bp'
    | 'created_at'
  >,
): Promise<boolean> {
  const { changes } =
    await db.run(sql`INSERT INTO flash_batches (batch_id, partner_id, model_id, currency, units,
      bom_cost_minor, min_margin_bp, status, created_at)
    VALUES (${b.batch_id}, ${b.partner_id}, ${b.model_id}, ${b.currency}, ${b.units}, ${b.bom_cost_minor},
      ${b.min_margin_bp}, 'held', ${b.created_at})
    ON CONFLICT (batch_id) DO NOTHING`);
  return changes === 1;
}

export function findBatch(db: Queryable, batchId: string): Promise<BatchRow | undefined> {
  return db.one<BatchRow>(sql`SELECT ${BATCH_COLUMNS} FROM flash_batches WHERE batch_id = ${batchId}`);
}

export function batchesOf(
  db: Queryable,
  q: {
    partnerId?: string | undefined;
    modelId?: string | undefined;
    after?: readonly [number, string] | undefined;
    limit: number;
  },
): Promise<BatchRow[]> {
  return db.many<BatchRow>(sql`SELECT ${BATCH_COLUMNS} FROM flash_batches
    WHERE ${q.partnerId === undefined ? sql`1 = 1` : sql`partner_id = ${q.partnerId}`}
    ${q.modelId === undefined ? sql.empty : sql`AND model_id = ${q.modelId}`}
    ${q.after ? sql`AND (created_at, batch_id) > (${q.after[0]}, ${q.after[1]})` : sql.empty}
    ORDER BY created_at, batch_id LIMIT ${q.limit + 1}`);
}

export function heldBatches(db: Queryable, limit: number): Promise<BatchRow[]> {
  return db.many<BatchRow>(sql`SELECT ${BATCH_COLUMNS} FROM flash_batches
    WHERE status = 'held' ORDER BY created_at, batch_id LIMIT ${limit}`);
}

/** Released batches of a model with units not given to pre-orders yet, oldest first. */
export function batchesWithUnits(db: Queryable, modelId: string): Promise<BatchRow[]> {
  return db.many<BatchRow>(sql`SELECT ${BATCH_COLUMNS} FROM flash_batches
    WHERE model_id = ${modelId} AND status = 'released' AND allocated < units ORDER BY released_at, batch_id`);
}

export async function markReleased(
  db: Queryable,
  batchId: string,
  r: {
    at: number;
    reason: ReleaseReason;
    priceMinor: number | null;
    costMinor: number | null;
    marginBp: number | null;
  },
): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_batches SET status = 'released', released_at = ${r.at},
      release_reason = ${r.reason}, released_price_minor = ${r.priceMinor}, released_cost_minor = ${r.costMinor},
      released_margin_bp = ${r.marginBp}
    WHERE batch_id = ${batchId} AND status = 'held'`);
  return changes === 1;
}

/** Gives `n` of the batch's units to a pre-order; false when fewer are left. */
export async function allocateUnits(db: Queryable, batchId: string, n: number): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_batches SET allocated = allocated + ${n}
    WHERE batch_id = ${batchId} AND allocated + ${n} <= units`);
  return changes === 1;
}

export async function returnUnits(db: Queryable, batchId: string, n: number): Promise<void> {
  await db.run(
    sql`UPDATE flash_batches SET allocated = allocated - ${n} WHERE batch_id = ${batchId} AND allocated >= ${n}`,
  );
}

/**
 * Takes a batch out of stock: marks it stocked (so commerce never moves it in by itself) and removes
 * its devices from the free-device table. Devices an order already holds or sold stay where they are.
 */
export async function holdBatchDevices(db: Queryable, batchId: string, at: number): Promise<void> {
  await db.run(sql`INSERT INTO commerce_stocked_batches (batch_id, stocked_at) VALUES (${batchId}, ${at})
    ON CONFLICT (batch_id) DO NOTHING`);
  await db.run(sql`DELETE FROM commerce_free_devices
    WHERE device_id IN (SELECT id FROM devices WHERE batch_id = ${batchId})`);
}

/** Puts a released batch's devices into stock: those never claimed and not held by a live order. */
export async function releaseBatchDevices(db: Queryable, batchId: string): Promise<number> {
  const { changes } = await db.run(sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
    SELECT d.model_id, d.partner_id, d.id FROM devices d WHERE d.batch_id = ${batchId}
      AND NOT EXISTS (SELECT 1 FROM commerce_claimed_devices c WHERE c.device_id = d.id)
      AND NOT EXISTS (SELECT 1 FROM commerce_units u WHERE u.device_id = d.id AND u.released_at IS NULL)
    ON CONFLICT DO NOTHING`);
  return changes;
}

/** Devices of a batch that are neither claimed nor held by a live order (its units still held back). */
export async function heldDeviceCount(db: Queryable, batchId: string): Promise<number> {
  const row = await db.one<{
    n: number;
  }>(sql`SELECT count(*) AS n FROM devices d WHERE d.batch_id = ${batchId}
      AND NOT EXISTS (SELECT 1 FROM commerce_claimed_devices c WHERE c.device_id = d.id)
      AND NOT EXISTS (SELECT 1 FROM commerce_units u WHERE u.device_id = d.id AND u.released_at IS NULL)`);
  return Number(row?.n ?? 0);
}

export async function freeDeviceCount(db: Queryable, partnerId: string, modelId: string): Promise<number> {
  const row = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM commerce_free_devices
    WHERE model_id = ${modelId} AND partner_id = ${partnerId}`);
  return Number(row?.n ?? 0);
}

// --- prices, costs and the lifetime margin -----------------------------------------------------

export interface PriceRow {
  readonly id: string;
  readonly price_minor: number;
  readonly currency: string;
  readonly created_at: number;
  readonly deactivated_at: number | null;
}

/** Every SKU of the model in a currency, oldest first: the price history. */
export function priceHistory(db: Queryable, modelId: string, currency: string): Promise<PriceRow[]> {
  return db.many<PriceRow>(sql`SELECT id, price_minor, currency, created_at, deactivated_at FROM commerce_skus
    WHERE model_id = ${modelId} AND currency = ${currency} ORDER BY created_at, id`);
}

export function activePrice(db: Queryable, modelId: string, currency: string): Promise<PriceRow | undefined> {
  return db.one<PriceRow>(sql`SELECT id, price_minor, currency, created_at, deactivated_at FROM commerce_skus
    WHERE model_id = ${modelId} AND currency = ${currency} AND deactivated_at IS NULL`);
}

export interface CostPointRow {
  readonly cost_minor: number;
  readonly effective_from: number;
}

/** The model's BOM history in a currency, by start (the latest written first on a tie). */
export function costHistory(db: Queryable, modelId: string, currency: string): Promise<CostPointRow[]> {
  return db.many<CostPointRow>(sql`SELECT cost_minor, effective_from FROM commerce_bom_costs
    WHERE model_id = ${modelId} AND currency = ${currency} ORDER BY effective_from, created_at DESC, rowid DESC`);
}

export function costAt(
  db: Queryable,
  modelId: string,
  currency: string,
  at: number,
): Promise<CostPointRow | undefined> {
  return db.one<CostPointRow>(sql`SELECT cost_minor, effective_from FROM commerce_bom_costs
    WHERE model_id = ${modelId} AND currency = ${currency} AND effective_from <= ${at}
    ORDER BY effective_from DESC, created_at DESC, rowid DESC LIMIT 1`);
}

export interface LifetimeRow {
  readonly currency: string;
  readonly units: number;
  readonly revenue: number;
  readonly commission: number;
}

/** Net sales of a model from the ledger (sales less refunds), per currency. */
export function lifetimeSales(db: Queryable, modelId: string): Promise<LifetimeRow[]> {
  return db.many<LifetimeRow>(sql`SELECT e.currency,
      sum(CASE WHEN e.kind = 'sale' THEN e.quantity ELSE -e.quantity END) AS units,
      sum(e.gross_minor) AS revenue, sum(e.commission_minor) AS commission
    FROM partner_ledger_entries e
    JOIN commerce_order_lines l ON l.order_id = e.order_id AND l.line_no = e.line_no
    WHERE l.model_id = ${modelId} AND e.kind IN ('sale', 'refund')
    GROUP BY e.currency ORDER BY e.currency`);
}

export interface SoldCostRow {
  readonly currency: string;
  readonly units: number;
  readonly cost: number | null;
  readonly uncosted: number;
}

/** BOM cost of the model's sold units, each at its production batch's cost (units of other batches counted apart). */
export function soldUnitCosts(db: Queryable, modelId: string): Promise<SoldCostRow[]> {
  return db.many<SoldCostRow>(sql`SELECT o.currency, count(*) AS units, sum(b.bom_cost_minor) AS cost,
      sum(CASE WHEN b.batch_id IS NULL THEN 1 ELSE 0 END) AS uncosted
    FROM commerce_units u
    JOIN commerce_orders o ON o.id = u.order_id
    JOIN devices d ON d.id = u.device_id
    LEFT JOIN flash_batches b ON b.batch_id = d.batch_id
    WHERE u.model_id = ${modelId} AND u.state = 'sold' AND u.released_at IS NULL
    GROUP BY o.currency ORDER BY o.currency`);
}

export function anyActivePrice(db: Queryable, modelId: string): Promise<PriceRow | undefined> {
  return db.one<PriceRow>(sql`SELECT id, price_minor, currency, created_at, deactivated_at FROM commerce_skus
    WHERE model_id = ${modelId} AND deactivated_at IS NULL ORDER BY currency LIMIT 1`);
}
