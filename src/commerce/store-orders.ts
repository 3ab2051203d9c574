import type { Queryable } from '../store/engine.js';
import { keyAfter, whereAll } from '../store/keyset.js';
import type { PageRequest } from '../store/page.js';
import { type Sql, sql } from '../store/sql.js';
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

const ORDER_COLUMNS = sql`id, user_id, status, currency, total_minor, created_at, expires_at, paid_at,
  payment_event_id, ended_at`;
const LINE_COLUMNS = sql`order_id, line_no, sku_id, partner_id, model_id, unit_price_minor, quantity, amount_minor,
  refunded_at`;

export async function insertOrder(db: Queryable, row: OrderRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at, paid_at,
          payment_event_id, ended_at)
        VALUES (${row.id}, ${row.user_id}, ${row.status}, ${row.currency}, ${row.total_minor}, ${row.created_at},
          ${row.expires_at}, ${row.paid_at}, ${row.payment_event_id}, ${row.ended_at})`,
  );
}

export async function insertLine(db: Queryable, row: LineRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_order_lines (order_id, line_no, sku_id, partner_id, model_id, unit_price_minor,
          quantity, amount_minor, refunded_at)
        VALUES (${row.order_id}, ${row.line_no}, ${row.sku_id}, ${row.partner_id}, ${row.model_id},
          ${row.unit_price_minor}, ${row.quantity}, ${row.amount_minor}, ${row.refunded_at})`,
  );
}

export function findOrder(db: Queryable, id: string): Promise<OrderRow | undefined> {
  return db.one<OrderRow>(sql`SELECT ${ORDER_COLUMNS} FROM commerce_orders WHERE id = ${id}`);
}

/** The order, its row locked until the transaction ends (PostgreSQL; SQLite has one writer). */
export function findOrderForUpdate(db: Queryable, id: string): Promise<OrderRow | undefined> {
  return db.one<OrderRow>(
    sql`SELECT ${ORDER_COLUMNS} FROM commerce_orders WHERE id = ${id}
        ${sql.dialect({ sqlite: sql.empty, postgres: sql`FOR UPDATE` })}`,
  );
}

export function linesOf(db: Queryable, orderId: string): Promise<LineRow[]> {
  return db.many<LineRow>(
    sql`SELECT ${LINE_COLUMNS} FROM commerce_order_lines WHERE order_id = ${orderId} ORDER BY line_no`,
  );
}

/** Newest first, keyed by (created_at, id); `limit + 1` rows. */
export function listOrders(
  db: Queryable,
  f: { userId?: string | undefined },
  page: PageRequest,
): Promise<OrderRow[]> {
  const where: Sql[] = [];
  if (f.userId !== undefined) where.push(sql`user_id = ${f.userId}`);
  if (page.after) where.push(keyAfter(['created_at', 'id'], page.after, 'desc'));
  return db.many<OrderRow>(
    sql`SELECT ${ORDER_COLUMNS} FROM commerce_orders ${whereAll(where)}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

/**
 * Holds up to `count` devices of the model for an order line; returns how many it held. Runs inside
 * the placing transaction: SQLite's one writer, or PostgreSQL row locks taken with SKIP LOCKED
 * (store-stock.ts), so two orders never take the same device; the unique index on live units would
 * refuse it anyway.
 */
export async function holdDevices(
  db: Queryable,
  h: { orderId: string; lineNo: number; partnerId: string; modelId: string; count: number; at: number },
): Promise<number> {
  await stockNewBatches(db, h.at, h);
  const taken = await takeFree(db, h.partnerId, h.modelId, h.count);
  if (taken.length === 0) return 0;
  const rows = taken.map(
    (deviceId) => sql`(${deviceId}, ${h.orderId}, ${h.lineNo}, ${h.modelId}, 'reserved', ${h.at})`,
  );
  await db.run(
    sql`INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
        VALUES ${sql.join(rows)}`,
  );
  return taken.length;
}

/** Devices an order holds now (released ones excluded), by line. */
export function heldUnits(db: Queryable, orderId: string): Promise<HeldUnitRow[]> {
  return db.many<HeldUnitRow>(
    sql`SELECT device_id, line_no FROM commerce_units WHERE order_id = ${orderId} AND released_at IS NULL
        ORDER BY line_no, device_id`,
  );
}

/** Returns an order's (or one line's) held devices to stock and marks their units released. */
export async function releaseUnits(
  db: Queryable,
  r: { orderId: string; lineNo?: number; at: number; reason: 'expired' | 'cancelled' | 'refunded' },
): Promise<number> {
  await returnToStock(db, r.orderId, r.lineNo);
  const { changes } = await db.run(
    sql`UPDATE commerce_units SET released_at = ${r.at}, release_reason = ${r.reason}
        WHERE order_id = ${r.orderId} ${r.lineNo === undefined ? sql.empty : sql`AND line_no = ${r.lineNo}`}
          AND released_at IS NULL`,
  );
  return changes;
}

/** True while an unpaid order holds the device (a claim must wait: docs/commerce.md). */
export async function isReserved(db: Queryable, deviceId: string): Promise<boolean> {
  const row = await db.one(
    sql`SELECT 1 AS one FROM commerce_units WHERE device_id = ${deviceId} AND released_at IS NULL
        AND state = 'reserved'`,
  );
  return row !== undefined;
}

export async function markSold(db: Queryable, orderId: string): Promise<number> {
  const { changes } = await db.run(
    sql`UPDATE commerce_units SET state = 'sold'
        WHERE order_id = ${orderId} AND released_at IS NULL AND state = 'reserved'`,
  );
  return changes;
}

/** Moves an order from `from` to `to` only if it is still in `from`; false when it was not. */
export async function transition(
  db: Queryable,
  t: { id: string; from: OrderStatus; to: OrderStatus; at: number; eventId?: string },
): Promise<boolean> {
  const paid =
    t.to === 'paid' ? sql`, paid_at = ${t.at}, payment_event_id = ${t.eventId ?? null}` : sql.empty;
  const ended = t.to === 'expired' || t.to === 'cancelled' ? sql`, ended_at = ${t.at}` : sql.empty;
  const { changes } = await db.run(
    sql`UPDATE commerce_orders SET status = ${t.to} ${paid} ${ended} WHERE id = ${t.id} AND status = ${t.from}`,
  );
  return changes === 1;
}

export async function markLineRefunded(
  db: Queryable,
  orderId: string,
  lineNo: number,
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE commerce_order_lines SET refunded_at = ${at}
        WHERE order_id = ${orderId} AND line_no = ${lineNo} AND refunded_at IS NULL`,
  );
  return changes === 1;
}

/** Orders whose payment window has passed and that still hold stock. */
export async function expiredReservations(db: Queryable, now: number, limit: number): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT id FROM commerce_orders WHERE status = 'reserved' AND expires_at <= ${now}
        ORDER BY expires_at LIMIT ${limit}`,
  );
  return rows.map((r) => r.id);
}

/**
 * Serializes the requests that carry one user's Idempotency-Key until the transaction ends
 * (PostgreSQL: a transaction-scoped advisory lock on a hash of user and key). SQLite has one
 * writer: its transactions are serial already.
 */
export async function lockIdempotencyKey(db: Queryable, userId: string, key: string): Promise<void> {
  if (db.dialect !== 'postgres') return;
  await db.many(
    sql`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${`${userId}\n${key}`}, 0))) l`,
  );
}

export function findIdempotencyKey(
  db: Queryable,
  userId: string,
  key: string,
): Promise<IdempotencyRow | undefined> {
  return db.one<IdempotencyRow>(
    sql`SELECT user_id, key, request_hash, order_id, status, response, created_at FROM commerce_idempotency_keys
        WHERE user_id = ${userId} AND key = ${key}`,
  );
}

export async function insertIdempotencyKey(db: Queryable, row: IdempotencyRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_idempotency_keys (user_id, key, request_hash, order_id, status, response, created_at)
        VALUES (${row.user_id}, ${row.key}, ${row.request_hash}, ${row.order_id}, ${row.status}, ${row.response},
          ${row.created_at})`,
  );
}
