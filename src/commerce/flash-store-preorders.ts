/**
 * Flash sales' SQL for pre-orders, the deposit ledger and production batches
 * (docs/flash-sales.md, "Pre-orders" and "Production batches"); re-exported by flash-store.ts.
 * States move only through conditional updates (`WHERE status = ...`), so two sweeps, a payment and
 * a cancellation racing each other change a pre-order once.
 */
import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type PreorderStatus =
  | 'waiting'
  | 'allocated'
  | 'balance_paid'
  | 'completed'
  | 'forfeited'
  | 'refunded';
export type MissedBalance = 'forfeit' | 'refund';
export type DepositKind = 'deposit' | 'applied' | 'forfeited' | 'refunded';

export interface PreorderRow {
  readonly purchase_id: string;
  readonly sale_id: string;
  readonly user_id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly sku_id: string;
  readonly currency: string;
  readonly quantity: number;
  readonly price_minor: number;
  readonly deposit_minor: number;
  readonly balance_minor: number;
  readonly missed_balance: MissedBalance;
  readonly balance_window_ms: number;
  readonly status: PreorderStatus;
  readonly deposit_paid_at: number;
  readonly batch_id: string | null;
  readonly order_id: string | null;
  readonly allocated_at: number | null;
  readonly balance_due_at: number | null;
  readonly balance_event_id: string | null;
  readonly balance_paid_at: number | null;
  readonly ended_at: number | null;
}

const PREORDER_COLUMNS = sql`purchase_id, sale_id, user_id, partner_id, model_id, sku_id, currency, quantity,
  price_minor, deposit_minor, balance_minor, missed_balance, balance_window_ms, status, deposit_paid_at, batch_id,
  order_id, allocated_at, balance_due_at, balance_event_id, balance_paid_at, ended_at`;

export type NewPreorder = Omit<
  PreorderRow,
  | 'status'
  | 'batch_id'
  | 'order_id'
  | 'allocated_at'
  | 'balance_due_at'
  | 'balance_event_id'
  | 'balance_paid_at'
  | 'ended_at'
>;

/** False when the purchase already has its pre-order (a replayed deposit). */
export async function insertPreorder(db: Queryable, p: NewPreorder): Promise<boolean> {
  const { changes } = await db.run(sql`INSERT INTO flash_preorders (purchase_id, sale_id, user_id, partner_id,
      model_id, sku_id, currency, quantity, price_minor, deposit_minor, balance_minor, missed_balance,
      balance_window_ms, status, deposit_paid_at)
    VALUES (${p.purchase_id}, ${p.sale_id}, ${p.user_id}, ${p.partner_id}, ${p.model_id}, ${p.sku_id}, ${p.currency},
      ${p.quantity}, ${p.price_minor}, ${p.deposit_minor}, ${p.balance_minor}, ${p.missed_balance},
      ${p.balance_window_ms}, 'waiting', ${p.deposit_paid_at})
    ON CONFLICT (purchase_id) DO NOTHING`);
  return changes === 1;
}

export function findPreorder(db: Queryable, purchaseId: string): Promise<PreorderRow | undefined> {
  return db.one<PreorderRow>(
    sql`SELECT ${PREORDER_COLUMNS} FROM flash_preorders WHERE purchase_id = ${purchaseId}`,
  );
}

/** Waiting pre-orders of a model, in the order their deposits were paid (rowid: the commit order within a millisecond). */
export function waitingPreorders(db: Queryable, modelId: string, limit: number): Promise<PreorderRow[]> {
  return db.many<PreorderRow>(sql`SELECT ${PREORDER_COLUMNS} FROM flash_preorders
    WHERE model_id = ${modelId} AND status = 'waiting' ORDER BY deposit_paid_at, rowid LIMIT ${limit}`);
}

/** Models with pre-orders waiting for units. */
export async function modelsWaiting(db: Queryable): Promise<string[]> {
  const rows = await db.many<{ model_id: string }>(
    sql`SELECT DISTINCT model_id FROM flash_preorders WHERE status = 'waiting' ORDER BY model_id LIMIT 1000`,
  );
  return rows.map((r) => r.model_id);
}

export function preordersOf(
  db: Queryable,
  q: { userId?: string; saleId?: string; after?: readonly [number, string] | undefined; limit: number },
): Promise<PreorderRow[]> {
  return db.many<PreorderRow>(sql`SELECT ${PREORDER_COLUMNS} FROM flash_preorders
    WHERE ${q.userId === undefined ? sql`1 = 1` : sql`user_id = ${q.userId}`}
    ${q.saleId === undefined ? sql.empty : sql`AND sale_id = ${q.saleId}`}
    ${q.after ? sql`AND (deposit_paid_at, purchase_id) > (${q.after[0]}, ${q.after[1]})` : sql.empty}
    ORDER BY deposit_paid_at, purchase_id LIMIT ${q.limit + 1}`);
}

export async function markAllocated(
  db: Queryable,
  id: string,
  f: { batchId: string; orderId: string; at: number; dueAt: number },
): Promise<boolean> {
  const { changes } =
    await db.run(sql`UPDATE flash_preorders SET status = 'allocated', batch_id = ${f.batchId},
      order_id = ${f.orderId}, allocated_at = ${f.at}, balance_due_at = ${f.dueAt}
    WHERE purchase_id = ${id} AND status = 'waiting'`);
  return changes === 1;
}

export async function markBalancePaid(
  db: Queryable,
  id: string,
  eventId: string,
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_preorders SET status = 'balance_paid',
      balance_event_id = ${eventId}, balance_paid_at = ${at}
    WHERE purchase_id = ${id} AND status = 'allocated' AND balance_due_at > ${at}`);
  return changes === 1;
}

export async function markCompleted(db: Queryable, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_preorders SET status = 'completed', ended_at = ${at}
    WHERE purchase_id = ${id} AND status = 'balance_paid'`);
  return changes === 1;
}

/** Ends a pre-order that never got (or never paid) its units; false when it had moved on. */
export async function endPreorder(
  db: Queryable,
  id: string,
  from: 'waiting' | 'allocated',
  to: 'forfeited' | 'refunded',
  at: number,
): Promise<boolean> {
  const { changes } = await db.run(sql`UPDATE flash_preorders SET status = ${to}, ended_at = ${at}
    WHERE purchase_id = ${id} AND status = ${from}`);
  return changes === 1;
}

/** Allocated pre-orders whose balance window has passed unpaid. */
export function overduePreorders(db: Queryable, now: number, limit: number): Promise<PreorderRow[]> {
  return db.many<PreorderRow>(sql`SELECT ${PREORDER_COLUMNS} FROM flash_preorders
    WHERE status = 'allocated' AND balance_due_at <= ${now} ORDER BY balance_due_at, purchase_id LIMIT ${limit}`);
}

/** Pre-orders whose balance is paid but whose store order is not paid yet (a crash between the two). */
export function balancePaidPreorders(db: Queryable, limit: number): Promise<PreorderRow[]> {
  return db.many<PreorderRow>(sql`SELECT ${PREORDER_COLUMNS} FROM flash_preorders
    WHERE status = 'balance_paid' ORDER BY balance_paid_at, purchase_id LIMIT ${limit}`);
}

// --- the deposit ledger ------------------------------------------------------------------------

export interface DepositEntryRow {
  readonly seq?: number;
  readonly id: string;
  readonly partner_id: string;
  readonly purchase_id: string;
  readonly kind: DepositKind;
  readonly statement_month: string;
  readonly currency: string;
  readonly amount_minor: number;
  readonly created_at: number;
}

/** Appends an entry; false when this pre-order already has an entry of this kind. */
export async function insertDepositEntry(db: Queryable, e: DepositEntryRow): Promise<boolean> {
  const { changes } = await db.run(sql`INSERT INTO flash_deposit_entries (id, partner_id, purchase_id, kind,
      statement_month, currency, amount_minor, created_at)
    VALUES (${e.id}, ${e.partner_id}, ${e.purchase_id}, ${e.kind}, ${e.statement_month}, ${e.currency},
      ${e.amount_minor}, ${e.created_at})
    ON CONFLICT (purchase_id, kind) DO NOTHING`);
  return changes === 1;
}

export function depositEntriesOf(db: Queryable, purchaseId: string): Promise<DepositEntryRow[]> {
  return db.many<DepositEntryRow>(sql`SELECT seq, id, partner_id, purchase_id, kind, statement_month, currency,
      amount_minor, created_at FROM flash_deposit_entries WHERE purchase_id = ${purchaseId} ORDER BY seq`);
}

export interface DepositTotalsRow {
  readonly currency: string;
  readonly received: number;
  readonly applied: number;
  readonly forfeited: number;
  readonly refunded: number;
  readonly entries: number;
}

/** One partner's deposit movements in a statement month, per currency (amounts as positive numbers). */
export function depositTotals(db: Queryable, partnerId: string, month: string): Promise<DepositTotalsRow[]> {
  return db.many<DepositTotalsRow>(sql`SELECT currency,
      sum(CASE WHEN kind = 'deposit' THEN amount_minor ELSE 0 END) AS received,
      -sum(CASE WHEN kind = 'applied' THEN amount_minor ELSE 0 END) AS applied,
      -sum(CASE WHEN kind = 'forfeited' THEN amount_minor ELSE 0 END) AS forfeited,
      -sum(CASE WHEN kind = 'refunded' THEN amount_minor ELSE 0 END) AS refunded,
      count(*) AS entries
    FROM flash_deposit_entries WHERE partner_id = ${partnerId} AND statement_month = ${month}
    GROUP BY currency ORDER BY currency`);
}

export async function partnersWithDeposits(db: Queryable, month: string): Promise<string[]> {
  const rows = await db.many<{ partner_id: string }>(sql`SELECT DISTINCT partner_id FROM flash_deposit_entries
    WHERE statement_month = ${month} ORDER BY 1`);
  return rows.map((r) => r.partner_id);
}
