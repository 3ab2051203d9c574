import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { type Db, inTransaction } from '../store/database.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { requireOperator, visiblePartner } from './access.js';
import { monthOf, nextMonth } from './ledger-month.js';
import * as store from './ledger-store.js';

export interface LedgerOptions {
  /** The commerce connection (synchronous=FULL): ledger writes share commerce transactions. */
  readonly db: Db;
  readonly log: Logger;
  readonly now: () => number;
}

export interface EntryView {
  readonly seq: number;
  readonly id: string;
  readonly partnerId: string;
  readonly kind: store.EntryKind;
  readonly statementMonth: string;
  readonly currency: string;
  readonly grossMinor: number;
  readonly commissionMinor: number;
  readonly adjustmentMinor: number;
  readonly payableMinor: number;
  readonly rateBp: number | null;
  readonly quantity: number;
  readonly orderId: string | null;
  readonly lineNo: number | null;
  readonly reason: string | null;
  readonly createdAt: string;
}

function entryView(row: store.EntryRow): EntryView {
  return {
    seq: row.seq ?? 0,
    id: row.id,
    partnerId: row.partner_id,
    kind: row.kind,
    statementMonth: row.statement_month,
    currency: row.currency,
    grossMinor: row.gross_minor,
    commissionMinor: row.commission_minor,
    adjustmentMinor: row.adjustment_minor,
    payableMinor: row.payable_minor,
    rateBp: row.rate_bp,
    quantity: row.quantity,
    orderId: row.order_id,
    lineNo: row.line_no,
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** -x without producing -0 (a float in disguise: JSON shows it as 0, but it is not the integer 0). */
function negate(x: number): number {
  return x === 0 ? 0 : -x;
}

export interface SaleInput {
  readonly partnerId: string;
  readonly orderId: string;
  readonly lineNo: number;
  readonly currency: string;
  readonly amountMinor: number;
  readonly commissionMinor: number;
  readonly rateBp: number;
  readonly quantity: number;
  readonly by: string;
}

/**
 * The commission ledger: one entry per sold order line, one reversing entry per refunded line, and
 * the operator's adjustments. Entries are only ever appended; each carries the statement month that
 * was open when it was written. The append methods run inside the caller's transaction.
 */
export class LedgerService {
  readonly #o: LedgerOptions;

  constructor(options: LedgerOptions) {
    this.#o = options;
  }

  /** The month new entries land in: the month of `now`, or the first later one not closed. */
  openMonth(now = this.#o.now()): string {
    let month = monthOf(now);
    for (const closed of store.closedFrom(this.#o.db, month)) {
      if (closed !== month) break;
      month = nextMonth(month);
    }
    return month;
  }

  appendSale(input: SaleInput): void {
    this.#append({
      partner_id: input.partnerId,
      kind: 'sale',
      currency: input.currency,
      gross_minor: input.amountMinor,
      commission_minor: input.commissionMinor,
      adjustment_minor: 0,
      rate_bp: input.rateBp,
      quantity: input.quantity,
      order_id: input.orderId,
      line_no: input.lineNo,
      reason: null,
      created_by: input.by,
    });
  }

  /** Reverses a line's sale entry exactly: the same amount and the same commission, negated. */
  appendRefund(orderId: string, lineNo: number, reason: string | null, by: string): void {
    const sale = store.findSaleEntry(this.#o.db, orderId, lineNo);
    if (!sale) throw new HubError('INVALID_STATE', `order ${orderId} line ${lineNo} was never sold`);
    this.#append({
      partner_id: sale.partner_id,
      kind: 'refund',
      currency: sale.currency,
      gross_minor: negate(sale.gross_minor),
      commission_minor: negate(sale.commission_minor),
      adjustment_minor: 0,
      rate_bp: sale.rate_bp,
      quantity: sale.quantity,
      order_id: orderId,
      line_no: lineNo,
      reason,
      created_by: by,
    });
  }

  /** An operator's correction: positive = the hub owes the partner more; negative = less. */
  adjust(
    caller: Identity,
    partnerId: string,
    input: { amountMinor: number; currency: string; reason: string },
  ): EntryView {
    const operator = requireOperator(caller);
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) {
      const message = 'must be a non-zero integer number of minor units';
      throw new HubError('VALIDATION_FAILED', `/amountMinor ${message}`, {
        errors: [{ path: '/amountMinor', message }],
      });
    }
    const entry = inTransaction(this.#o.db, () => {
      visiblePartner(this.#o.db, caller, partnerId);
      return this.#append({
        partner_id: partnerId,
        kind: 'adjustment',
        currency: input.currency,
        gross_minor: 0,
        commission_minor: 0,
        adjustment_minor: input.amountMinor,
        rate_bp: null,
        quantity: 0,
        order_id: null,
        line_no: null,
        reason: input.reason,
        created_by: `operator:${operator.tokenId}`,
      });
    });
    this.#o.log.info(
      { partnerId, entryId: entry.id, amountMinor: input.amountMinor, currency: input.currency },
      'ledger adjustment',
    );
    return entry;
  }

  entries(
    caller: Identity,
    partnerId: string,
    q: { month?: string | undefined },
    page: PageRequest,
  ): Page<EntryView> {
    visiblePartner(this.#o.db, caller, partnerId);
    const rows = store.listEntries(this.#o.db, {
      partnerId,
      month: q.month,
      afterSeq: Number(page.after?.[0] ?? 0),
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, (r) => [r.seq ?? 0], entryView);
  }

  #append(
    fields: Omit<store.EntryRow, 'id' | 'statement_month' | 'payable_minor' | 'created_at'>,
  ): EntryView {
    const now = this.#o.now();
    const row: store.EntryRow = {
      ...fields,
      id: newId(),
      statement_month: this.openMonth(now),
      payable_minor: fields.gross_minor - fields.commission_minor + fields.adjustment_minor,
      created_at: now,
    };
    const seq = store.insertEntry(this.#o.db, row);
    return entryView({ ...row, seq });
  }
}
