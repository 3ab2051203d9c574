import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { type PageKey, type PageRequest, pageOfList } from '../store/page.js';
import { requireOperator, visiblePartner } from './access.js';
import { monthEnded } from './ledger-month.js';
import * as store from './ledger-store.js';

/** What commerce reports about activations (the first claim of a sold device), per statement month. */
export interface ActivationSource {
  /** Units activated in the month, by the currency they were sold in. */
  unitsActivated(partnerId: string, month: string): Promise<ReadonlyMap<string, number>>;
  /** Partners with at least one activation in the month. */
  partnersWithActivations(month: string): Promise<readonly string[]>;
}

/** Pre-order deposits the hub holds for a partner (flash sales), per statement month and currency. */
export interface DepositTotals {
  readonly currency: string;
  /** Deposits paid by buyers. */
  readonly receivedMinor: number;
  /** Deposits that became part of a paid price (the sale entry carries the full price). */
  readonly appliedMinor: number;
  /** Deposits kept after a missed balance (a ledger sale entry of quantity 0 carries them). */
  readonly forfeitedMinor: number;
  /** Deposits returned to buyers. */
  readonly refundedMinor: number;
  readonly entries: number;
}

export interface DepositSource {
  depositTotals(partnerId: string, month: string): Promise<readonly DepositTotals[]>;
  partnersWithDeposits(month: string): Promise<readonly string[]>;
}

export interface StatementOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly activations: ActivationSource;
  readonly deposits?: DepositSource | undefined;
}

/** One currency's totals. netPayableMinor = grossSales - refunds - commission + adjustments. */
export interface StatementTotals {
  readonly currency: string;
  readonly grossSalesMinor: number;
  readonly refundsMinor: number;
  /** Commission on sales less the commission reversed by refunds. */
  readonly commissionMinor: number;
  readonly adjustmentsMinor: number;
  readonly netPayableMinor: number;
  readonly unitsSold: number;
  readonly unitsRefunded: number;
  readonly unitsActivated: number;
  readonly entries: number;
}

export interface StatementView {
  readonly partnerId: string;
  readonly month: string;
  readonly closed: boolean;
  readonly closedAt: string | null;
  readonly totals: StatementTotals[];
  readonly unitsSold: number;
  readonly unitsRefunded: number;
  readonly unitsActivated: number;
  /** Pre-order deposits moved in the month, per currency (docs/flash-sales.md, "Pre-orders"). */
  readonly deposits: readonly DepositTotals[];
}

export interface ClosureView {
  readonly month: string;
  readonly closedAt: string;
}

function safe(value: number | null): number {
  const n = value ?? 0;
  // Sums of safe amounts can in principle leave the safe range; a statement never shows a rounded
  // number (the engines refuse to read a sum past 2^53 already; this guards a sum of exactly 2^53).
  if (!Number.isSafeInteger(n)) {
    throw new HubError('INTERNAL', 'a statement total exceeds the safe integer range');
  }
  return n;
}

const CSV_HEADER =
  'partner_id,month,closed,currency,gross_sales_minor,refunds_minor,commission_minor,adjustments_minor,' +
  'net_payable_minor,units_sold,units_refunded,units_activated';

export function statementCsv(s: StatementView): string {
  const rows = s.totals.map((t) =>
    [
      s.partnerId,
      s.month,
      s.closed,
      t.currency,
      t.grossSalesMinor,
      t.refundsMinor,
      t.commissionMinor,
      t.adjustmentsMinor,
      t.netPayableMinor,
      t.unitsSold,
      t.unitsRefunded,
      t.unitsActivated,
    ].join(','),
  );
  return `${[CSV_HEADER, ...rows].join('\n')}\n`;
}

/**
 * Monthly statements, derived from the ledger on every read: a month's figures are the sums of the
 * entries whose statement month it is. Once the operator closes a month no entry can be dated in it
 * (the schema refuses), so a closed statement never changes.
 */
export class StatementService {
  readonly #o: StatementOptions;

  constructor(options: StatementOptions) {
    this.#o = options;
  }

  async statement(caller: Identity, partnerId: string, month: string): Promise<StatementView> {
    await visiblePartner(this.#o.store, caller, partnerId);
    return this.#build(partnerId, month);
  }

  /** A page of the statements of every partner with activity in the month, by partner id (operator). */
  async all(
    caller: Identity,
    month: string,
    page: PageRequest,
  ): Promise<{ month: string; closed: boolean; items: StatementView[]; next: PageKey | null }> {
    requireOperator(caller);
    const ids = new Set([
      ...(await store.partnersWithEntries(this.#o.store, month)),
      ...(await this.#o.activations.partnersWithActivations(month)),
      ...((await this.#o.deposits?.partnersWithDeposits(month)) ?? []),
    ]);
    // Only the page's statements are built: each one sums the partner's month.
    const { items, next } = pageOfList([...ids].sort(), page, (id) => [id]);
    return {
      month,
      closed: (await store.findClosure(this.#o.store, month)) !== undefined,
      items: await Promise.all(items.map((id) => this.#build(id, month))),
      next,
    };
  }

  /** Closes an ended month; closing a closed month again answers the existing closure. */
  async close(caller: Identity, month: string): Promise<{ closure: ClosureView; created: boolean }> {
    const operator = requireOperator(caller);
    const now = this.#o.now();
    if (!monthEnded(month, now)) {
      throw new HubError(
        'INVALID_STATE',
        `${month} has not ended yet (UTC): only an ended month can be closed`,
      );
    }
    const result = await this.#o.store.transaction(
      async (tx) => {
        const row = { month, closed_at: now, closed_by: operator.tokenId };
        if (await store.insertClosure(tx, row)) return { row, created: true };
        const existing = await store.findClosure(tx, month);
        if (!existing) throw new Error(`closure of ${month} vanished`);
        return { row: existing, created: false };
      },
      { durable: true },
    );
    if (result.created) this.#o.log.info({ month }, 'statement month closed');
    return {
      closure: { month, closedAt: new Date(result.row.closed_at).toISOString() },
      created: result.created,
    };
  }

  async #build(partnerId: string, month: string): Promise<StatementView> {
    const closure = await store.findClosure(this.#o.store, month);
    const activated = await this.#o.activations.unitsActivated(partnerId, month);
    const totalsRows = await store.monthTotals(this.#o.store, partnerId, month);
    const byCurrency = new Map(totalsRows.map((r) => [r.currency, r]));
    const currencies = [...new Set([...byCurrency.keys(), ...activated.keys()])].sort();
    const totals = currencies.map((currency): StatementTotals => {
      const r = byCurrency.get(currency);
      return {
        currency,
        grossSalesMinor: safe(r?.gross_sales ?? null),
        refundsMinor: safe(r?.refunds ?? null),
        commissionMinor: safe(r?.commission ?? null),
        adjustmentsMinor: safe(r?.adjustments ?? null),
        netPayableMinor: safe(r?.payable ?? null),
        unitsSold: safe(r?.units_sold ?? null),
        unitsRefunded: safe(r?.units_refunded ?? null),
        unitsActivated: activated.get(currency) ?? 0,
        entries: safe(r?.entries ?? null),
      };
    });
    const sum = (pick: (t: StatementTotals) => number) => totals.reduce((n, t) => n + pick(t), 0);
    return {
      partnerId,
      month,
      closed: closure !== undefined,
      closedAt: closure ? new Date(closure.closed_at).toISOString() : null,
      totals,
      unitsSold: sum((t) => t.unitsSold),
      unitsRefunded: sum((t) => t.unitsRefunded),
      unitsActivated: sum((t) => t.unitsActivated),
      deposits: (await this.#o.deposits?.depositTotals(partnerId, month)) ?? [],
    };
  }
}
