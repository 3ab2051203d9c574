import type { DepositEntryRow, PreorderRow } from './flash-store.js';

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface DepositEntryView {
  readonly kind: DepositEntryRow['kind'];
  readonly amountMinor: number;
  readonly statementMonth: string;
  readonly createdAt: string;
}

export interface PreorderView {
  /** The flash purchase that paid the deposit. */
  readonly id: string;
  readonly saleId: string;
  readonly modelId: string;
  readonly skuId: string;
  readonly status: PreorderRow['status'];
  readonly quantity: number;
  readonly currency: string;
  /** The full price of the units; deposit + balance. */
  readonly priceMinor: number;
  readonly depositMinor: number;
  readonly balanceMinor: number;
  /** What happens to the deposit when the balance is not paid in its window. */
  readonly missedBalance: PreorderRow['missed_balance'];
  readonly balanceWindowMs: number;
  readonly depositPaidAt: string;
  readonly batchId: string | null;
  /** The store order holding the devices (claimable by order once the balance is paid). */
  readonly orderId: string | null;
  readonly allocatedAt: string | null;
  readonly balanceDueAt: string | null;
  readonly balancePaidAt: string | null;
  readonly endedAt: string | null;
  /** The deposit's ledger entries, in order. */
  readonly deposits: DepositEntryView[];
}

export function preorderView(p: PreorderRow, entries: readonly DepositEntryRow[]): PreorderView {
  return {
    id: p.purchase_id,
    saleId: p.sale_id,
    modelId: p.model_id,
    skuId: p.sku_id,
    status: p.status,
    quantity: p.quantity,
    currency: p.currency,
    priceMinor: p.price_minor,
    depositMinor: p.deposit_minor,
    balanceMinor: p.balance_minor,
    missedBalance: p.missed_balance,
    balanceWindowMs: p.balance_window_ms,
    depositPaidAt: new Date(p.deposit_paid_at).toISOString(),
    batchId: p.batch_id,
    orderId: p.order_id,
    allocatedAt: isoOrNull(p.allocated_at),
    balanceDueAt: isoOrNull(p.balance_due_at),
    balancePaidAt: isoOrNull(p.balance_paid_at),
    endedAt: isoOrNull(p.ended_at),
    deposits: entries.map((e) => ({
      kind: e.kind,
      amountMinor: e.amount_minor,
      statementMonth: e.statement_month,
      createdAt: new Date(e.created_at).toISOString(),
    })),
  };
}
