import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

/** SQL for payment events, refunds and activations (all append-only tables). */

export interface PaymentEventRow {
  readonly id: string;
  readonly type: 'payment.succeeded' | 'refund.succeeded';
  readonly order_id: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly signed_at: number;
  readonly received_at: number;
}

export interface RefundRow {
  readonly id: string;
  readonly order_id: string;
  readonly line_nos: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly reason: string | null;
  readonly requested_by: 'buyer' | 'operator' | 'provider';
  readonly event_id: string | null;
  readonly created_at: number;
}

export interface ActivationRow {
  readonly device_id: string;
  readonly order_id: string;
  readonly line_no: number;
  readonly partner_id: string;
  readonly user_id: string;
  readonly currency: string;
  readonly activated_at: number;
  readonly statement_month: string;
}

export async function paymentEventExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.one(sql`SELECT 1 AS one FROM commerce_payment_events WHERE id = ${id}`)) !== undefined;
}

export async function insertPaymentEvent(db: Queryable, row: PaymentEventRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_payment_events (id, type, order_id, amount_minor, currency, signed_at, received_at)
        VALUES (${row.id}, ${row.type}, ${row.order_id}, ${row.amount_minor}, ${row.currency}, ${row.signed_at},
          ${row.received_at})`,
  );
}

export async function insertRefund(db: Queryable, row: RefundRow): Promise<void> {
  await db.run(
    sql`INSERT INTO commerce_refunds (id, order_id, line_nos, amount_minor, currency, reason, requested_by,
          event_id, created_at)
        VALUES (${row.id}, ${row.order_id}, ${row.line_nos}, ${row.amount_minor}, ${row.currency}, ${row.reason},
          ${row.requested_by}, ${row.event_id}, ${row.created_at})`,
  );
}

export interface SaleOfDevice {
  readonly order_id: string;
  readonly line_no: number;
  readonly user_id: string;
  readonly partner_id: string;
  readonly currency: string;
}

/** The paid, not refunded order line a device was sold on, if any. */
export function saleOfDevice(db: Queryable, deviceId: string): Promise<SaleOfDevice | undefined> {
  return db.one<SaleOfDevice>(
    sql`SELECT u.order_id, u.line_no, o.user_id, l.partner_id, o.currency
        FROM commerce_units u
        JOIN commerce_orders o ON o.id = u.order_id
        JOIN commerce_order_lines l ON l.order_id = u.order_id AND l.line_no = u.line_no
        WHERE u.device_id = ${deviceId} AND u.released_at IS NULL AND u.state = 'sold'`,
  );
}

/** Records the activation once per sale of the device; false if it was already recorded. */
export async function insertActivation(db: Queryable, row: ActivationRow): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency,
          activated_at, statement_month)
        VALUES (${row.device_id}, ${row.order_id}, ${row.line_no}, ${row.partner_id}, ${row.user_id}, ${row.currency},
          ${row.activated_at}, ${row.statement_month})
        ON CONFLICT (device_id, order_id) DO NOTHING`,
  );
  return changes === 1;
}

export function activationCounts(
  db: Queryable,
  partnerId: string,
  month: string,
): Promise<Array<{ currency: string; units: number }>> {
  return db.many<{ currency: string; units: number }>(
    sql`SELECT currency, count(*) AS units FROM commerce_activations
        WHERE partner_id = ${partnerId} AND statement_month = ${month} GROUP BY currency`,
  );
}

export async function partnersWithActivations(db: Queryable, month: string): Promise<string[]> {
  const rows = await db.many<{ partner_id: string }>(
    sql`SELECT DISTINCT partner_id FROM commerce_activations WHERE statement_month = ${month} ORDER BY 1`,
  );
  return rows.map((r) => r.partner_id);
}
