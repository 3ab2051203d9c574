import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Engine, Transaction } from '../store/engine.js';
import * as store from './flash-store.js';
import { type PurchaseView, purchaseView } from './flash-views.js';

export interface FlashPaymentEvent {
  readonly id: string;
  /** payment.succeeded pays a purchase (in a deposit sale: its deposit); balance.succeeded a pre-order's balance. */
  readonly type: 'payment.succeeded' | 'balance.succeeded';
  readonly purchaseId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/**
 * Turns a paid purchase into a paid store order (devices assigned, commission in the ledger), through
 * the order and payment services. Must be idempotent by purchase id: it is retried until it succeeds.
 */
export type Fulfil = (p: {
  purchaseId: string;
  userId: string;
  skuId: string;
  quantity: number;
  amountMinor: number;
  currency: string;
}) => Promise<{ orderId: string }>;

export interface FlashPaymentsOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly fulfil: Fulfil;
  /** In the payment's transaction, for a deposit sale: the pre-order and its deposit entry. */
  readonly depositPaid?: (
    tx: Transaction,
    p: store.PurchaseRow,
    sale: store.SaleRow,
    now: number,
  ) => Promise<void>;
}

function mismatch(path: string, message: string): HubError {
  return new HubError('VALIDATION_FAILED', `${path} ${message}`, { errors: [{ path, message }] });
}

/**
 * Payments of flash purchases (a signed provider event, applied once) and their fulfilment: a paid
 * purchase becomes a paid store order through `fulfil`, retried by the sweep until it succeeds.
 */
export class FlashPayments {
  readonly #o: FlashPaymentsOptions;

  constructor(options: FlashPaymentsOptions) {
    this.#o = options;
  }

  /** Applies a verified payment event to a purchase; then fulfils it as a store order. */
  async pay(event: FlashPaymentEvent): Promise<PurchaseView> {
    const now = this.#o.now();
    const paid = await this.#o.store.transaction(
      async (tx) => {
        const p = await store.findPurchase(tx, event.purchaseId);
        const sale = p ? await store.findSale(tx, p.sale_id) : undefined;
        if (!p || !sale) throw new HubError('NOT_FOUND', 'purchase not found');
        if (
          !(await store.insertPaymentEvent(tx, {
            id: event.id,
            purchase_id: p.id,
            amount_minor: event.amountMinor,
            currency: event.currency,
            received_at: now,
          }))
        ) {
          throw new HubError('ALREADY_EXISTS', `event ${event.id} was already processed`);
        }
        if (event.currency !== sale.currency)
          throw mismatch('/currency', `is ${event.currency}, the sale is in ${sale.currency}`);
        if (event.amountMinor !== p.amount_minor)
          throw mismatch('/amountMinor', `is ${event.amountMinor}, the purchase is ${p.amount_minor}`);
        if (!(await store.markPaid(tx, p.id, now, event.id))) {
          throw new HubError(
            'INVALID_STATE',
            p.status === 'reserved' ? 'the payment window has closed' : `the purchase is ${p.status}`,
          );
        }
        await store.countSold(tx, sale.id, p.quantity);
        if (p.source === 'waitlist') await store.setWaitlistStatus(tx, sale.id, p.user_id, 'bought', null);
        if (sale.payment === 'deposit') await this.#o.depositPaid?.(tx, p, sale, now);
        return { p, sale };
      },
      { durable: true },
    );
    this.#o.log.info(
      { purchaseId: paid.p.id, saleId: paid.sale.id, eventId: event.id },
      'flash purchase paid',
    );
    // A deposit holds a place: the units come with a production batch (flash-preorders.ts).
    if (paid.sale.payment !== 'deposit') await this.fulfilOne(paid.p, paid.sale).catch(() => undefined);
    return purchaseView((await store.findPurchase(this.#o.store, paid.p.id)) ?? paid.p, paid.sale.currency);
  }

  /** Places and pays the store order of a paid purchase; logged and retried by the sweep on failure. */
  async fulfilOne(p: store.PurchaseRow, sale: store.SaleRow): Promise<void> {
    try {
      const { orderId } = await this.#o.fulfil({
        purchaseId: p.id,
        userId: p.user_id,
        skuId: sale.sku_id,
        quantity: p.quantity,
        amountMinor: p.amount_minor,
        currency: sale.currency,
      });
      await this.#o.store.transaction((tx) => store.markFulfilled(tx, p.id, orderId, this.#o.now()), {
        durable: true,
      });
    } catch (err) {
      this.#o.log.error(
        { err, purchaseId: p.id },
        'fulfilling a paid flash purchase failed; the sweep retries it',
      );
      throw err;
    }
  }
}
