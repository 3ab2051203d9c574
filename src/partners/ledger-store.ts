import { type Db, prepared } from '../store/database.js';

/**
 * SQL for the commission ledger and statement closures. The ledger is append-only: there is an
 * INSERT and reads, and triggers in the schema refuse any UPDATE or DELETE.
 */

export type EntryKind = 'sale' | 'refund' | 'adjustment';

export interface EntryRow {
  readonly seq?: number;
  readonly id: string;
  readonly partner_id: string;
  readonly kind: EntryKind;
  readonly statement_month: string;
  readonly currency: string;
  readonly gross_minor: number;
  readonly commission_minor: number;
  readonly adjustment_minor: number;
  readonly payable_minor: number;
  readonly rate_bp: number | null;
  readonly quantity: number;
  readonly order_id: string | null;
  readonly line_no: number | null;
  readonly reason: string | null;
  readonly created_at: number;
  readonly created_by: string;
}

/** Appends an entry; returns its sequence number (the ledger's order). */
export function insertEntry(db: Db, row: EntryRow): number {
  const info = prepared(
    db,
    `INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor,
       commission_minor, adjustment_minor, payable_minor, rate_bp, quantity, order_id, line_no, reason,
       created_at, created_by)
     VALUES (@id, @partner_id, @kind, @statement_month, @currency, @gross_minor, @commission_minor,
       @adjustment_minor, @payable_minor, @rate_bp, @quantity, @order_id, @line_no, @reason, @created_at,
       @created_by)`,
  ).run(row);
  return Number(info.lastInsertRowid);
}

/** The sale entry of an order line (its commission is reversed exactly on refund). */
export function findSaleEntry(db: Db, orderId: string, lineNo: number): EntryRow | undefined {
  return prepared(
    db,
    "SELECT * FROM partner_ledger_entries WHERE order_id = ? AND line_no = ? AND kind = 'sale'",
  ).get(orderId, lineNo) as EntryRow | undefined;
}

export interface EntryFilter {
  readonly partnerId: string;
  readonly month?: string | undefined;
  /** Entries after this seq. */
  readonly afterSeq: number;
  /** Rows to read (a page reads one more than it shows). */
  readonly limit: number;
}

/** In append order (seq). */
export function listEntries(db: Db, f: EntryFilter): EntryRow[] {
  const month = f.month === undefined ? '' : 'AND statement_month = ?';
  const args: Array<string | number> = [f.partnerId, f.afterSeq];
  if (f.month !== undefined) args.push(f.month);
  return prepared(
    db,
    `SELECT * FROM partner_ledger_entries WHERE partner_id = ? AND seq > ? ${month} ORDER BY seq LIMIT ?`,
  ).all(...args, f.limit) as EntryRow[];
}

export interface MonthTotalsRow {
  readonly currency: string;
  readonly gross_sales: bigint;
  readonly refunds: bigint;
  readonly commission: bigint;
  readonly adjustments: bigint;
  readonly payable: bigint;
  readonly units_sold: bigint;
  readonly units_refunded: bigint;
  readonly entries: bigint;
}

/** Sums per currency of one partner's entries in one statement month, as BigInt (checked by the caller). */
export function monthTotals(db: Db, partnerId: string, month: string): MonthTotalsRow[] {
  return prepared(
    db,
    `SELECT currency,
         sum(CASE WHEN kind = 'sale' THEN gross_minor ELSE 0 END) AS gross_sales,
         -sum(CASE WHEN kind = 'refund' THEN gross_minor ELSE 0 END) AS refunds,
         sum(commission_minor) AS commission,
         sum(adjustment_minor) AS adjustments,
         sum(payable_minor) AS payable,
         sum(CASE WHEN kind = 'sale' THEN quantity ELSE 0 END) AS units_sold,
         sum(CASE WHEN kind = 'refund' THEN quantity ELSE 0 END) AS units_refunded,
         count(*) AS entries
       FROM partner_ledger_entries WHERE partner_id = ? AND statement_month = ?
       GROUP BY currency ORDER BY currency`,
  )
    .safeIntegers(true)
    .all(partnerId, month) as MonthTotalsRow[];
}

/** Partners with entries in the month, for the operator's all-partner view. */
export function partnersWithEntries(db: Db, month: string): string[] {
  return (
    prepared(
      db,
      'SELECT DISTINCT partner_id FROM partner_ledger_entries WHERE statement_month = ? ORDER BY 1',
    ).all(month) as Array<{ partner_id: string }>
  ).map((r) => r.partner_id);
}

export interface ClosureRow {
  readonly month: string;
  readonly closed_at: number;
  readonly closed_by: string;
}

export function findClosure(db: Db, month: string): ClosureRow | undefined {
  return prepared(db, 'SELECT * FROM partner_statement_closures WHERE month = ?').get(month) as
    | ClosureRow
    | undefined;
}

export function insertClosure(db: Db, row: ClosureRow): void {
  prepared(
    db,
    'INSERT INTO partner_statement_closures (month, closed_at, closed_by) VALUES (@month, @closed_at, @closed_by)',
  ).run(row);
}

/** Closed months at or after `month`, ascending (to find the first open one). */
export function closedFrom(db: Db, month: string): string[] {
  return (
    prepared(db, 'SELECT month FROM partner_statement_closures WHERE month >= ? ORDER BY month').all(
      month,
    ) as Array<{ month: string }>
  ).map((r) => r.month);
}
