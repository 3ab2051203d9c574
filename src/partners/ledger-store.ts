import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

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

const ENTRY_COLUMNS = sql`seq, id, partner_id, kind, statement_month, currency, gross_minor, commission_minor,
  adjustment_minor, payable_minor, rate_bp, quantity, order_id, line_no, reason, created_at, created_by`;

/** Appends an entry; returns its sequence number (the ledger's order). */
export async function insertEntry(db: Queryable, row: EntryRow): Promise<number> {
  const { rows } = await db.run<{ seq: number }>(
    sql`INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor,
          commission_minor, adjustment_minor, payable_minor, rate_bp, quantity, order_id, line_no, reason,
          created_at, created_by)
        VALUES (${row.id}, ${row.partner_id}, ${row.kind}, ${row.statement_month}, ${row.currency}, ${row.gross_minor},
          ${row.commission_minor}, ${row.adjustment_minor}, ${row.payable_minor}, ${row.rate_bp}, ${row.quantity},
          ${row.order_id}, ${row.line_no}, ${row.reason}, ${row.created_at}, ${row.created_by})
        RETURNING seq`,
  );
  return rows[0]?.seq ?? 0;
}

/** The sale entry of an order line (its commission is reversed exactly on refund). */
export function findSaleEntry(db: Queryable, orderId: string, lineNo: number): Promise<EntryRow | undefined> {
  return db.one<EntryRow>(
    sql`SELECT ${ENTRY_COLUMNS} FROM partner_ledger_entries
        WHERE order_id = ${orderId} AND line_no = ${lineNo} AND kind = 'sale'`,
  );
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
export function listEntries(db: Queryable, f: EntryFilter): Promise<EntryRow[]> {
  return db.many<EntryRow>(
    sql`SELECT ${ENTRY_COLUMNS} FROM partner_ledger_entries WHERE partner_id = ${f.partnerId} AND seq > ${f.afterSeq}
        ${f.month === undefined ? sql.empty : sql`AND statement_month = ${f.month}`} ORDER BY seq LIMIT ${f.limit}`,
  );
}

export interface MonthTotalsRow {
  readonly currency: string;
  readonly gross_sales: number;
  readonly refunds: number;
  readonly commission: number;
  readonly adjustments: number;
  readonly payable: number;
  readonly units_sold: number;
  readonly units_refunded: number;
  readonly entries: number;
}

/**
 * Sums per currency of one partner's entries in one statement month. A sum past 2^53 fails with a
 * DatabaseError of kind 'range' on both engines: a statement never shows a rounded number.
 */
export function monthTotals(db: Queryable, partnerId: string, month: string): Promise<MonthTotalsRow[]> {
  return db.many<MonthTotalsRow>(
    sql`SELECT currency,
          sum(CASE WHEN kind = 'sale' THEN gross_minor ELSE 0 END) AS gross_sales,
          -sum(CASE WHEN kind = 'refund' THEN gross_minor ELSE 0 END) AS refunds,
          sum(commission_minor) AS commission,
          sum(adjustment_minor) AS adjustments,
          sum(payable_minor) AS payable,
          sum(CASE WHEN kind = 'sale' THEN quantity ELSE 0 END) AS units_sold,
          sum(CASE WHEN kind = 'refund' THEN quantity ELSE 0 END) AS units_refunded,
          count(*) AS entries
        FROM partner_ledger_entries WHERE partner_id = ${partnerId} AND statement_month = ${month}
        GROUP BY currency ORDER BY currency`,
  );
}

/** Partners with entries in the month, for the operator's all-partner view. */
export async function partnersWithEntries(db: Queryable, month: string): Promise<string[]> {
  const rows = await db.many<{ partner_id: string }>(
    sql`SELECT DISTINCT partner_id FROM partner_ledger_entries WHERE statement_month = ${month} ORDER BY 1`,
  );
  return rows.map((r) => r.partner_id);
}

export interface ClosureRow {
  readonly month: string;
  readonly closed_at: number;
  readonly closed_by: string;
}

export function findClosure(db: Queryable, month: string): Promise<ClosureRow | undefined> {
  return db.one<ClosureRow>(
    sql`SELECT month, closed_at, closed_by FROM partner_statement_closures WHERE month = ${month}`,
  );
}

/** False when the month was closed already (by a concurrent request). */
export async function insertClosure(db: Queryable, row: ClosureRow): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO partner_statement_closures (month, closed_at, closed_by)
        VALUES (${row.month}, ${row.closed_at}, ${row.closed_by}) ON CONFLICT (month) DO NOTHING`,
  );
  return changes === 1;
}

/** Closed months at or after `month`, ascending (to find the first open one). */
export async function closedFrom(db: Queryable, month: string): Promise<string[]> {
  const rows = await db.many<{ month: string }>(
    sql`SELECT month FROM partner_statement_closures WHERE month >= ${month} ORDER BY month`,
  );
  return rows.map((r) => r.month);
}
