import { type Db, prepared } from '../store/database.js';

/**
 * SQL for stock: the free-device table (provisioned, never claimed, not held by any order) and the
 * batches already moved into it. Every function runs inside the caller's IMMEDIATE transaction.
 * A device that ever had an owner (commerce_claimed_devices, kept by a trigger on claims) never
 * enters or re-enters stock.
 */

const NEVER_CLAIMED = (device: string) =>
  `NOT EXISTS (SELECT 1 FROM commerce_claimed_devices c WHERE c.device_id = ${device})`;

export interface StockRow {
  readonly provisioned: number;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  /** Claimed by a user outside a live sale (with a pairing code, or kept after a refund): never stock again. */
  readonly claimed: number;
}

/** Provisioning batches whose devices have not entered stock yet (of one model, or all). */
export function unstockedBatches(db: Db, model?: { partnerId: string; modelId: string }): string[] {
  const sql = `SELECT b.id FROM device_batches b
    WHERE ${model ? 'b.partner_id = @partnerId AND b.model_id = @modelId AND' : ''}
      NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = b.id)`;
  return (prepared(db, sql).all(model ?? {}) as Array<{ id: string }>).map((r) => r.id);
}

/** Moves a whole batch into stock (devices are never held before their batch is stocked). */
export function stockBatch(db: Db, batchId: string, at: number): number {
  const added = prepared(
    db,
    `INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
       SELECT model_id, partner_id, id FROM devices WHERE batch_id = ? AND ${NEVER_CLAIMED('devices.id')}`,
  ).run(batchId).changes;
  prepared(db, 'INSERT INTO commerce_stocked_batches (batch_id, stocked_at) VALUES (?, ?)').run(batchId, at);
  return added;
}

/** Moves every batch not yet in stock (of one model, or all) into it; returns how many devices. */
export function stockNewBatches(db: Db, at: number, model?: { partnerId: string; modelId: string }): number {
  let added = 0;
  for (const batchId of unstockedBatches(db, model)) added += stockBatch(db, batchId, at);
  return added;
}

/** Takes up to `count` free devices of the model out of stock; returns their ids. */
export function takeFree(db: Db, partnerId: string, modelId: string, count: number): string[] {
  return (
    prepared(
      db,
      `DELETE FROM commerce_free_devices WHERE model_id = @m AND partner_id = @p AND device_id IN
           (SELECT device_id FROM commerce_free_devices WHERE model_id = @m AND partner_id = @p LIMIT @n)
         RETURNING device_id`,
    ).all({ m: modelId, p: partnerId, n: count }) as Array<{ device_id: string }>
  ).map((r) => r.device_id);
}

/**
 * Puts an order's (or one line's) live units back into stock, except devices a user has claimed
 * (a refunded device its buyer claimed stays the buyer's); the caller then marks them released.
 */
export function returnToStock(db: Db, orderId: string, lineNo: number | undefined): number {
  const line = lineNo === undefined ? '' : 'AND u.line_no = @lineNo';
  return prepared(
    db,
    `INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
       SELECT d.model_id, d.partner_id, d.id FROM commerce_units u JOIN devices d ON d.id = u.device_id
       WHERE u.order_id = @orderId ${line} AND u.released_at IS NULL AND ${NEVER_CLAIMED('d.id')}`,
  ).run({ orderId, lineNo: lineNo ?? null }).changes;
}

/**
 * Stock of a model. `available` is counted from the free-device table (plus the unclaimed devices
 * of batches not moved in yet), not computed as a difference, so provisioned = available +
 * reserved + sold + claimed is a real check.
 */
export function stockOf(db: Db, partnerId: string, modelId: string): StockRow {
  return prepared(
    db,
    `SELECT
         (SELECT count(*) FROM devices WHERE partner_id = @p AND model_id = @m) AS provisioned,
         (SELECT count(*) FROM commerce_free_devices WHERE model_id = @m AND partner_id = @p)
           + (SELECT coalesce(sum(b.size), 0) FROM device_batches b
              WHERE b.partner_id = @p AND b.model_id = @m
                AND NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = b.id))
           - (SELECT count(*) FROM commerce_claimed_devices c JOIN devices d ON d.id = c.device_id
              WHERE c.model_id = @m AND c.partner_id = @p
                AND NOT EXISTS (SELECT 1 FROM commerce_stocked_batches s WHERE s.batch_id = d.batch_id)) AS available,
         (SELECT count(*) FROM commerce_units
            WHERE model_id = @m AND released_at IS NULL AND state = 'reserved') AS reserved,
         (SELECT count(*) FROM commerce_units
            WHERE model_id = @m AND released_at IS NULL AND state = 'sold') AS sold,
         (SELECT count(*) FROM commerce_claimed_devices c WHERE c.model_id = @m AND c.partner_id = @p
            AND NOT EXISTS (SELECT 1 FROM commerce_units u
              WHERE u.device_id = c.device_id AND u.released_at IS NULL)) AS claimed`,
  ).get({ p: partnerId, m: modelId }) as StockRow;
}
