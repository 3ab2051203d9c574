import { formatUtcDate } from '../partners/utc-date.js';
import { minorUnitsOf } from './currencies.js';
import type { BomRow, SkuRow } from './store-catalog.js';
import type { HeldUnitRow, LineRow, OrderRow, OrderStatus } from './store-orders.js';
import type { StockRow } from './store-stock.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export interface SkuView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly name: string | null;
  readonly priceMinor: number;
  readonly currency: string;
  /** Digits after the decimal point for display (ISO 4217): 2 for EUR, 0 for JPY. */
  readonly minorUnits: number;
  readonly active: boolean;
  readonly createdAt: string;
  readonly deactivatedAt: string | null;
  readonly stock: StockRow;
}

export function skuView(row: SkuRow, stock: StockRow): SkuView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    name: row.name,
    priceMinor: row.price_minor,
    currency: row.currency,
    minorUnits: minorUnitsOf(row.currency) ?? 0,
    active: row.deactivated_at === null,
    createdAt: iso(row.created_at),
    deactivatedAt: isoOrNull(row.deactivated_at),
    stock,
  };
}

/** What a shopper sees: price and whether it can be bought now. */
export interface StoreSkuView {
  readonly id: string;
  readonly modelId: string;
  readonly name: string | null;
  readonly priceMinor: number;
  readonly currency: string;
  readonly minorUnits: number;
  readonly available: number;
}

export function storeSkuView(row: SkuRow, available: number): StoreSkuView {
  return {
    id: row.id,
    modelId: row.model_id,
    name: row.name,
    priceMinor: row.price_minor,
    currency: row.currency,
    minorUnits: minorUnitsOf(row.currency) ?? 0,
    available,
  };
}

export interface BomView {
  readonly id: string;
  readonly modelId: string;
  readonly costMinor: number;
  readonly currency: string;
  readonly effectiveFrom: string;
  readonly createdAt: string;
}

export function bomView(row: BomRow): BomView {
  return {
    id: row.id,
    modelId: row.model_id,
    costMinor: row.cost_minor,
    currency: row.currency,
    effectiveFrom: formatUtcDate(row.effective_from),
    createdAt: iso(row.created_at),
  };
}

export interface OrderLineView {
  readonly lineNo: number;
  readonly skuId: string;
  readonly modelId: string;
  readonly unitPriceMinor: number;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly refundedAt: string | null;
  /** The devices sold on this line: set once the order is paid, emptied by a refund. */
  readonly deviceIds: string[];
}

export interface OrderView {
  readonly id: string;
  readonly userId: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalMinor: number;
  readonly createdAt: string;
  /** Pay before this, or the order expires and its stock returns to the store. */
  readonly expiresAt: string;
  readonly paidAt: string | null;
  readonly lines: OrderLineView[];
}

export function orderView(
  order: OrderRow,
  lines: readonly LineRow[],
  held: readonly HeldUnitRow[],
): OrderView {
  // Reserved devices are not the buyer's yet: ids appear once the order is paid (fulfilled).
  const visible = order.paid_at === null ? [] : held;
  return {
    id: order.id,
    userId: order.user_id,
    status: order.status,
    currency: order.currency,
    totalMinor: order.total_minor,
    createdAt: iso(order.created_at),
    expiresAt: iso(order.expires_at),
    paidAt: isoOrNull(order.paid_at),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      skuId: l.sku_id,
      modelId: l.model_id,
      unitPriceMinor: l.unit_price_minor,
      quantity: l.quantity,
      amountMinor: l.amount_minor,
      refundedAt: isoOrNull(l.refunded_at),
      deviceIds: visible.filter((u) => u.line_no === l.line_no).map((u) => u.device_id),
    })),
  };
}
