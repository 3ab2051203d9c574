import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import type { Engine, Queryable } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { requireOperator, visiblePartner } from './access.js';
import { monthOf, nextMonth } from './ledger-month.js';
import * as store from './ledger-store.js';

export interface LedgerOptions {
  /** Ledger writes share commerce transactions (durable: fsynced at commit on SQLite too). */
  readonly store: Engine;
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
  async openMonth(db: Queryable = this.#o.store, now = this.#o.now()): Promise<string> {
    let month = monthOf(now);
    for (const closed of await store.closedFrom(db, month)) {
      if (closed !== month) break;
      month = nextMonth(month);
    }
    return month;
  }

  async appendSale(tx: Queryable, input: SaleInput): Promise<void> {
    await this.#append(tx, {
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
  async appendRefund(
    tx: Queryable,
    orderId: string,
    lineNo: number,
    reason: string | null,
    by: string,
  ): Promise<void> {
    const sale = await store.findSaleEntry(tx, orderId, lineNo);
    if (!sale) throw new HubError('INVALID_STATE', `order ${orderId} line ${lineNo} was never sold`);
    await this.#append(tx, {
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
  async adjust(
    caller: Identity,
    partnerId: string,
    input: { amountMinor: number; currency: string; reason: string },
  ): Promise<EntryView> {
    const operator = requireOperator(caller);
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) {
      const message = 'must be a non-zero integer number of minor units';
      throw new HubError('VALIDATION_FAILED', `/amountMinor ${message}`, {
        errors: [{ path: '/amountMinor', message }],
      });
    }
    const entry = await this.#o.store.transaction(
      async (tx) => {
        await visiblePartner(tx, caller, partnerId);
        return this.#append(tx, {
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
      },
      { durable: true },
    );
    this.#o.log.info(
      { partnerId, entryId: entry.id, amountMinor: input.amountMinor, currency: input.currency },
      'ledger adjustment',
    );
    return entry;
  }

  async entries(
    caller: Identity,
    partnerId: string,
    q: { month?: string | undefined },
    page: PageRequest,
  ): Promise<Page<EntryView>> {
    await visiblePartner(this.#o.store, caller, partnerId);
    const rows = await store.listEntries(this.#o.store, {
      partnerId,
      month: q.month,
      afterSeq: Number(page.after?.[0] ?? 0),
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, (r) => [r.seq ?? 0], entryView);
  }

  async #append(
    tx: Queryable,
    fields: Omit<store.EntryRow, 'id' | 'statement_month' | 'payable_minor' | 'created_at'>,
  ): Promise<EntryView> {
    const now = this.#o.now();
    const row: store.EntryRow = {
      ...fields,
      id: newId(),
      statement_month: await this.openMonth(tx, now),
      payable_minor: fields.gross_minor - fields.commission_minor + fields.adjustment_minor,
      created_at: now,
    };
    const seq = await store.insertEntry(tx, row);
    return entryView({ ...row, seq });
  }
}
