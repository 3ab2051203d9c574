import type { Queryable } from '../store/engine.js';
import { type Sql, sql } from '../store/sql.js';

/**
 * SQL for stock: the free-device table (provisioned, never claimed, not held by any order) and the
 * batches already moved into it. Every function runs inside the caller's transaction. A device
 * that ever had an owner (commerce_claimed_devices, kept by a trigger on claims) never enters or
 * re-enters stock.
 */

const NEVER_CLAIMED = (device: Sql) =>
  sql`NOT EXISTS (SELECT 1 FROM commerce_claimed_devices c WHERE c.device_id = ${device})`;

export interface StockRow {
  readonly provisioned: number;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  /** Claimed by a user outside a live sale (with a pairing code, or kept after a refund): never stock again. */
  readonly claimed: number;
}

/** Provisioning batches whose devices have not entered stock yet (of one model, or all). */
export async function unstockedBatches(
  db: Queryable,
  model?: { partnerId: string; modelId: string },
): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT b.id FROM device_batches b
        WHERE ${model ? sql`b.partner_id = ${model.partnerId} AND b.model_id = ${model.modelId} AND` : sql.empty}
          NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = b.id)`,
  );
  return rows.map((r) => r.id);
}

/**
 * Moves a whole batch into stock (devices are never held before their batch is stocked). The batch
 * is marked first, conditionally: of two transactions stocking it at once (PostgreSQL), the second
 * waits for the first and then adds nothing.
 */
export async function stockBatch(db: Queryable, batchId: string, at: number): Promise<number> {
  const marked = await db.run(
    sql`INSERT INTO commerce_stocked_batches (batch_id, stocked_at) VALUES (${batchId}, ${at})
        ON CONFLICT (batch_id) DO NOTHING`,
  );
  if (marked.changes === 0) return 0;
  const added = await db.run(
    sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
        SELECT model_id, partner_id, id FROM devices WHERE batch_id = ${batchId} AND ${NEVER_CLAIMED(sql`devices.id`)}`,
  );
  return added.changes;
}

/** Moves every batch not yet in stock (of one model, or all) into it; returns how many devices. */
export async function stockNewBatches(
  db: Queryable,
  at: number,
  model?: { partnerId: string; modelId: string },
): Promise<number> {
  let added = 0;
  for (const batchId of await unstockedBatches(db, model)) added += await stockBatch(db, batchId, at);
  return added;
}

/**
 * Takes up to `count` free devices of the model out of stock; returns their ids. On PostgreSQL
 * concurrent buyers skip each other's locked rows (FOR UPDATE SKIP LOCKED) instead of queueing on
 * them or taking the same device; the locking CTE runs once, so its LIMIT holds (a LIMIT in an
 * IN (subquery) may be evaluated again per row). SQLite has one writer: nothing to skip.
 */
export async function takeFree(
  db: Queryable,
  partnerId: string,
  modelId: string,
  count: number,
): Promise<string[]> {
  const rows = await db.many<{ device_id: string }>(
    sql.dialect({
      sqlite: sql`DELETE FROM commerce_free_devices
        WHERE model_id = ${modelId} AND partner_id = ${partnerId} AND device_id IN
          (SELECT device_id FROM commerce_free_devices WHERE model_id = ${modelId} AND partner_id = ${partnerId}
           LIMIT ${count})
        RETURNING device_id`,
      postgres: sql`WITH picked AS (
          SELECT device_id FROM commerce_free_devices WHERE model_id = ${modelId} AND partner_id = ${partnerId}
          LIMIT ${count} FOR UPDATE SKIP LOCKED)
        DELETE FROM commerce_free_devices f USING picked WHERE f.device_id = picked.device_id
        RETURNING f.device_id`,
    }),
  );
  return rows.map((r) => r.device_id);
}

/**
 * Puts an order's (or one line's) live units back into stock, except devices a user has claimed
 * (a refunded device its buyer claimed stays the buyer's); the caller then marks them released.
 */
export async function returnToStock(
  db: Queryable,
  orderId: string,
  lineNo: number | undefined,
): Promise<number> {
  const { changes } = await db.run(
    sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
        SELECT d.model_id, d.partner_id, d.id FROM commerce_units u JOIN devices d ON d.id = u.device_id
        WHERE u.order_id = ${orderId} ${lineNo === undefined ? sql.empty : sql`AND u.line_no = ${lineNo}`}
          AND u.released_at IS NULL AND ${NEVER_CLAIMED(sql`d.id`)}`,
  );
  return changes;
}

/**
 * Stock of a model. `available` is counted from the free-device table (plus the unclaimed devices
 * of batches not moved in yet), not computed as a difference, so provisioned = available +
 * reserved + sold + claimed is a real check.
 */
export async function stockOf(db: Queryable, partnerId: string, modelId: string): Promise<StockRow> {
  const p = partnerId;
  const m = modelId;
  const row = await db.one<StockRow>(
    sql`SELECT
          (SELECT count(*) FROM devices WHERE partner_id = ${p} AND model_id = ${m}) AS provisioned,
          (SELECT count(*) FROM commerce_free_devices WHERE model_id = ${m} AND partner_id = ${p})
            + (SELECT coalesce(sum(b.size), 0) FROM device_batches b
               WHERE b.partner_id = ${p} AND b.model_id = ${m}
                 AND NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = b.id))
            - (SELECT count(*) FROM commerce_claimed_devices c JOIN devices d ON d.id = c.device_id
               WHERE c.model_id = ${m} AND c.partner_id = ${p}
                 AND NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = d.batch_id)) AS available,
          (SELECT count(*) FROM commerce_units
             WHERE model_id = ${m} AND released_at IS NULL AND state = 'reserved') AS reserved,
          (SELECT count(*) FROM commerce_units
             WHERE model_id = ${m} AND released_at IS NULL AND state = 'sold') AS sold,
          (SELECT count(*) FROM commerce_claimed_devices c WHERE c.model_id = ${m} AND c.partner_id = ${p}
             AND NOT EXISTS (SELECT 1 FROM commerce_units u
               WHERE u.device_id = c.device_id AND u.released_at IS NULL)) AS claimed`,
  );
  if (!row) throw new Error('stock query returned no row');
  return row;
}
