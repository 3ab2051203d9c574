import { type Db, prepared } from '../store/database.js';
import { returnToStock, stockNewBatches, takeFree } from './store-stock.js';

/** SQL for orders, their lines, the devices they hold (units) and idempotency keys. */

export type OrderStatus = 'reserved' | 'paid' | 'refunded' | 'expired' | 'cancelled';

export interface OrderRow {
  readonly id: string;
  readonly user_id: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly total_minor: number;
  readonly created_at: number;
  readonly expires_at: number;
  readonly paid_at: number | null;
  readonly payment_event_id: string | null;
  readonly ended_at: number | null;
}

export interface LineRow {
  readonly order_id: string;
  readonly line_no: number;
  readonly sku_id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly unit_price_minor: number;
  readonly quantity: number;
  readonly amount_minor: number;
  readonly refunded_at: number | null;
}

export interface HeldUnitRow {
  readonly device_id: string;
  readonly line_no: number;
}

export interface IdempotencyRow {
  readonly user_id: string;
  readonly key: string;
  readonly request_hash: string;
  readonly order_id: string;
  readonly status: number;
  readonly response: string;
  readonly created_at: number;
}

export function insertOrder(db: Db, row: OrderRow): void {
  prepared(
    db,
    `INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at, paid_at,
       payment_event_id, ended_at)
     VALUES (@id, @user_id, @status, @currency, @total_minor, @created_at, @expires_at, @paid_at,
       @payment_event_id, @ended_at)`,
  ).run(row);
}

export function insertLine(db: Db, row: LineRow): void {
  prepared(
    db,
    `INSERT INTO commerce_order_lines (order_id, line_no, sku_id, partner_id, model_id, unit_price_minor,
       quantity, amount_minor, refunded_at)
     VALUES (@order_id, @line_no, @sku_id, @partner_id, @model_id, @unit_price_minor, @quantity,
       @amount_minor, @refunded_at)`,
  ).run(row);
}

export function findOrder(db: Db, id: string): OrderRow | undefined {
  return prepared(db, 'SELECT * FROM commerce_orders WHERE id = ?').get(id) as OrderRow | undefined;
}

export function linesOf(db: Db, orderId: string): LineRow[] {
  return prepared(db, 'SELECT * FROM commerce_order_lines WHERE order_id = ? ORDER BY line_no').all(
    orderId,
  ) as LineRow[];
}

/** Newest first; `before` is an order id cursor (orders older than it, ties broken by id). */
export function listOrders(
  db: Db,
  f: { userId?: string | undefined; before?: string | undefined; limit: number },
): OrderRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.userId !== undefined) {
    where.push('user_id = ?');
    args.push(f.userId);
  }
  if (f.before !== undefined) {
    where.push('(created_at, id) < (SELECT created_at, id FROM commerce_orders WHERE id = ?)');
    args.push(f.before);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return prepared(
    db,
    `SELECT * FROM commerce_orders ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(...args, f.limit) as OrderRow[];
}

/**
 * Holds up to `count` devices of the model for an order line; returns how many it held. Runs inside
 * the placing transaction (IMMEDIATE: the write lock is held from BEGIN), so two orders never take
 * the same device, and the unique index on live units would refuse it anyway.
 */
export function holdDevices(
  db: Db,
  h: { orderId: string; lineNo: number; partnerId: string; modelId: string; count: number; at: number },
): number {
  stockNewBatches(db, h.at, h);
  const taken = takeFree(db, h.partnerId, h.modelId, h.count);
  const insert = prepared(
    db,
    `INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
     VALUES (?, ?, ?, ?, 'reserved', ?)`,
  );
  for (const deviceId of taken) insert.run(deviceId, h.orderId, h.lineNo, h.modelId, h.at);
  return taken.length;
}

/** Devices an order holds now (released ones excluded), by line. */
export function heldUnits(db: Db, orderId: string): HeldUnitRow[] {
  return prepared(
    db,
    `SELECT device_id, line_no FROM commerce_units WHERE order_id = ? AND released_at IS NULL
       ORDER BY line_no, device_id`,
  ).all(orderId) as HeldUnitRow[];
}

/** Returns an order's (or one line's) held devices to stock and marks their units released. */
export function releaseUnits(
  db: Db,
  r: { orderId: string; lineNo?: number; at: number; reason: 'expired' | 'cancelled' | 'refunded' },
): number {
  returnToStock(db, r.orderId, r.lineNo);
  const line = r.lineNo === undefined ? '' : 'AND line_no = @lineNo';
  return prepared(
    db,
    `UPDATE commerce_units SET released_at = @at, release_reason = @reason
       WHERE order_id = @orderId ${line} AND released_at IS NULL`,
  ).run({ lineNo: null, ...r }).changes;
}

/** True while an unpaid order holds the device (a claim must wait: docs/commerce.md). */
export function isReserved(db: Db, deviceId: string): boolean {
  return (
    prepared(
      db,
      "SELECT 1 FROM commerce_units WHERE device_id = ? AND released_at IS NULL AND state = 'reserved'",
    ).get(deviceId) !== undefined
  );
}

export function markSold(db: Db, orderId: string): number {
  return prepared(
    db,
    "UPDATE commerce_units SET state = 'sold' WHERE order_id = ? AND released_at IS NULL AND state = 'reserved'",
  ).run(orderId).changes;
}

/** Moves an order from `from` to `to` only if it is still in `from`; false when it was not. */
export function transition(
  db: Db,
  t: { id: string; from: OrderStatus; to: OrderStatus; at: number; eventId?: string },
): boolean {
  const paid = t.to === 'paid' ? ', paid_at = @at, payment_event_id = @eventId' : '';
  const ended = t.to === 'expired' || t.to === 'cancelled' ? ', ended_at = @at' : '';
  return (
    prepared(
      db,
      `UPDATE commerce_orders SET status = @to ${paid} ${ended} WHERE id = @id AND status = @from`,
    ).run({ eventId: null, ...t }).changes === 1
  );
}

export function markLineRefunded(db: Db, orderId: string, lineNo: number, at: number): boolean {
  return (
    prepared(
      db,
      'UPDATE commerce_order_lines SET refunded_at = ? WHERE order_id = ? AND line_no = ? AND refunded_at IS NULL',
    ).run(at, orderId, lineNo).changes === 1
  );
}

/** Orders whose payment window has passed and that still hold stock. */
export function expiredReservations(db: Db, now: number, limit: number): string[] {
  return (
    prepared(
      db,
      "SELECT id FROM commerce_orders WHERE status = 'reserved' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
    ).all(now, limit) as Array<{ id: string }>
  ).map((r) => r.id);
}

export function findIdempotencyKey(db: Db, userId: string, key: string): IdempotencyRow | undefined {
  return prepared(db, 'SELECT * FROM commerce_idempotency_keys WHERE user_id = ? AND key = ?').get(
    userId,
    key,
  ) as IdempotencyRow | undefined;
}

export function insertIdempotencyKey(db: Db, row: IdempotencyRow): void {
  prepared(
    db,
    `INSERT INTO commerce_idempotency_keys (user_id, key, request_hash, order_id, status, response, created_at)
     VALUES (@user_id, @key, @request_hash, @order_id, @status, @response, @created_at)`,
  ).run(row);
}
