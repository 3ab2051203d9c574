import { type Db, prepared } from '../store/database.js';

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

export function paymentEventExists(db: Db, id: string): boolean {
  return prepared(db, 'SELECT 1 FROM commerce_payment_events WHERE id = ?').get(id) !== undefined;
}

export function insertPaymentEvent(db: Db, row: PaymentEventRow): void {
  prepared(
    db,
    `INSERT INTO commerce_payment_events (id, type, order_id, amount_minor, currency, signed_at, received_at)
     VALUES (@id, @type, @order_id, @amount_minor, @currency, @signed_at, @received_at)`,
  ).run(row);
}

export function insertRefund(db: Db, row: RefundRow): void {
  prepared(
    db,
    `INSERT INTO commerce_refunds (id, order_id, line_nos, amount_minor, currency, reason, requested_by,
       event_id, created_at)
     VALUES (@id, @order_id, @line_nos, @amount_minor, @currency, @reason, @requested_by, @event_id,
       @created_at)`,
  ).run(row);
}

/** The paid, not refunded order line a device was sold on, if any. */
export function saleOfDevice(
  db: Db,
  deviceId: string,
): { order_id: string; line_no: number; user_id: string; partner_id: string; currency: string } | undefined {
  return prepared(
    db,
    `SELECT u.order_id, u.line_no, o.user_id, l.partner_id, o.currency
       FROM commerce_units u
       JOIN commerce_orders o ON o.id = u.order_id
       JOIN commerce_order_lines l ON l.order_id = u.order_id AND l.line_no = u.line_no
       WHERE u.device_id = ? AND u.released_at IS NULL AND u.state = 'sold'`,
  ).get(deviceId) as
    | { order_id: string; line_no: number; user_id: string; partner_id: string; currency: string }
    | undefined;
}

/** Records the activation once per sale of the device; false if it was already recorded. */
export function insertActivation(db: Db, row: ActivationRow): boolean {
  return (
    prepared(
      db,
      `INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency,
           activated_at, statement_month)
         VALUES (@device_id, @order_id, @line_no, @partner_id, @user_id, @currency, @activated_at,
           @statement_month)
         ON CONFLICT (device_id, order_id) DO NOTHING`,
    ).run(row).changes === 1
  );
}

export function activationCounts(
  db: Db,
  partnerId: string,
  month: string,
): Array<{ currency: string; units: number }> {
  return prepared(
    db,
    `SELECT currency, count(*) AS units FROM commerce_activations
       WHERE partner_id = ? AND statement_month = ? GROUP BY currency`,
  ).all(partnerId, month) as Array<{ currency: string; units: number }>;
}

export function partnersWithActivations(db: Db, month: string): string[] {
  return (
    prepared(
      db,
      'SELECT DISTINCT partner_id FROM commerce_activations WHERE statement_month = ? ORDER BY 1',
    ).all(month) as Array<{ partner_id: string }>
  ).map((r) => r.partner_id);
}
