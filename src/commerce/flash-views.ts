import { minorUnitsOf } from './currencies.js';
import type { PurchaseRow, SaleRow } from './flash-store.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export type SalePhase = 'scheduled' | 'registration' | 'open' | 'closed';

export function phaseOf(sale: SaleRow, now: number): SalePhase {
  if (now < sale.registration_opens_at) return 'scheduled';
  if (now < sale.opens_at) return 'registration';
  if (now < sale.closes_at) return 'open';
  return 'closed';
}

export interface SaleView {
  readonly id: string;
  readonly partnerId: string;
  readonly skuId: string;
  readonly modelId: string;
  readonly name: string;
  readonly currency: string;
  readonly minorUnits: number;
  readonly priceMinor: number;
  readonly cap: number;
  readonly perUserLimit: number;
  readonly registrationCap: number | null;
  readonly registrations: number;
  readonly registrationOpensAt: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly mode: SaleRow['mode'];
  readonly phase: SalePhase;
  /** SHA-256 of the draw seed, published from the start. */
  readonly seedHash: string;
  /** The seed itself, once the sale has closed (null before). */
  readonly seed: string | null;
  readonly drawnAt: string | null;
  readonly paymentWindowMs: number;
  readonly offerHoldMs: number;
  readonly waitlistCap: number;
  /** Units no one holds: cap - reserved - sold - codes outstanding. */
  readonly remaining: number;
  readonly reserved: number;
  readonly sold: number;
  readonly codesOutstanding: number;
  readonly createdAt: string;
  /** full, or deposit: a pre-order sale whose balance is due when a production batch is built. */
  readonly payment: SaleRow['payment'];
  readonly depositMinor: number | null;
  readonly balanceWindowMs: number | null;
  readonly missedBalance: SaleRow['missed_balance'];
  readonly links: { readonly draw: string };
}

export function saleView(sale: SaleRow, now: number): SaleView {
  return {
    id: sale.id,
    partnerId: sale.partner_id,
    skuId: sale.sku_id,
    modelId: sale.model_id,
    name: sale.name,
    currency: sale.currency,
    minorUnits: minorUnitsOf(sale.currency) ?? 2,
    priceMinor: sale.price_minor,
    cap: sale.cap,
    perUserLimit: sale.per_user_limit,
    registrationCap: sale.registration_cap,
    registrations: sale.registrations,
    registrationOpensAt: iso(sale.registration_opens_at),
    opensAt: iso(sale.opens_at),
    closesAt: iso(sale.closes_at),
    mode: sale.mode,
    phase: phaseOf(sale, now),
    seedHash: sale.seed_hash,
    seed: now >= sale.closes_at ? sale.seed : null,
    drawnAt: isoOrNull(sale.drawn_at),
    paymentWindowMs: sale.payment_window_ms,
    offerHoldMs: sale.offer_hold_ms,
    waitlistCap: sale.waitlist_cap,
    remaining: sale.cap - sale.taken,
    reserved: sale.taken - sale.sold - sale.codes_outstanding,
    sold: sale.sold,
    codesOutstanding: sale.codes_outstanding,
    createdAt: iso(sale.created_at),
    payment: sale.payment,
    depositMinor: sale.deposit_minor,
    balanceWindowMs: sale.balance_window_ms,
    missedBalance: sale.missed_balance,
    links: { draw: `/v1/flash-sales/${sale.id}/draw` },
  };
}

export interface PurchaseView {
  readonly id: string;
  readonly saleId: string;
  readonly status: PurchaseRow['status'];
  readonly source: PurchaseRow['source'];
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly createdAt: string;
  /** Pay before this, or the units go back to the sale (and to the waitlist). */
  readonly expiresAt: string;
  readonly paidAt: string | null;
  /** The store order the paid purchase became (its devices are claimable by the buyer). */
  readonly orderId: string | null;
}

export function purchaseView(p: PurchaseRow, currency: string): PurchaseView {
  return {
    id: p.id,
    saleId: p.sale_id,
    status: p.status,
    source: p.source,
    quantity: p.quantity,
    amountMinor: p.amount_minor,
    currency,
    createdAt: iso(p.created_at),
    expiresAt: iso(p.expires_at),
    paidAt: isoOrNull(p.paid_at),
    orderId: p.order_id,
  };
}
