import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { LedgerService } from '../partners/ledger.js';
import type { Engine, Queryable } from '../store/engine.js';
import { commissionFor } from './money.js';
import type { RefundService } from './refunds.js';
import * as store from './store-orders.js';
import { insertPaymentEvent, paymentEventExists } from './store-payments.js';

export interface PaymentEvent {
  /** The provider's event id: each is applied at most once. */
  readonly id: string;
  readonly type: 'payment.succeeded' | 'refund.succeeded';
  readonly orderId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export interface PaymentOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly ledger: LedgerService;
  readonly refunds: RefundService;
  /** Commission rate (bp) in force for a partner at a time (PartnerService.rateAt). */
  readonly rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
}

export interface PaymentOutcome {
  readonly eventId: string;
  readonly orderId: string;
  readonly status: store.OrderStatus;
}

function mismatch(path: string, message: string): HubError {
  return new HubError('VALIDATION_FAILED', `${path} ${message}`, { errors: [{ path, message }] });
}

/**
 * Applies verified payment-provider events. Each event is one IMMEDIATE transaction that either
 * applies completely (order state, devices, ledger, the event id) or changes nothing.
 */
export class PaymentService {
  readonly #o: PaymentOptions;

  constructor(options: PaymentOptions) {
    this.#o = options;
  }

  async apply(event: PaymentEvent, signedAt: number): Promise<PaymentOutcome> {
    const now = this.#o.now();
    const outcome = await this.#o.store.transaction(
      async (db): Promise<PaymentOutcome> => {
        // The order row is locked first (PostgreSQL): events for one order apply one after another.
        const order = await store.findOrderForUpdate(db, event.orderId);
        if (await paymentEventExists(db, event.id)) {
          throw new HubError('ALREADY_EXISTS', `event ${event.id} was already processed`);
        }
        if (!order) throw new HubError('NOT_FOUND', 'order not found');
        if (event.currency !== order.currency) {
          throw mismatch('/currency', `is ${event.currency}, the order is in ${order.currency}`);
        }
        if (event.type === 'payment.succeeded') await this.#paid(db, order, event, now);
        else await this.#refunded(db, order, event);
        await insertPaymentEvent(db, {
          id: event.id,
          type: event.type,
          order_id: order.id,
          amount_minor: event.amountMinor,
          currency: event.currency,
          signed_at: signedAt,
          received_at: now,
        });
        return {
          eventId: event.id,
          orderId: order.id,
          status: (await store.findOrder(db, order.id))?.status ?? order.status,
        };
      },
      { durable: true, retries: 3 },
    );
    this.#o.log.info(
      { eventId: event.id, type: event.type, orderId: event.orderId, status: outcome.status },
      'payment event applied',
    );
    return outcome;
  }

  /** Payment in full before the window closes: the reserved devices are sold and commission is booked. */
  async #paid(db: Queryable, order: store.OrderRow, event: PaymentEvent, now: number): Promise<void> {
    if (event.amountMinor !== order.total_minor) {
      throw mismatch('/amountMinor', `is ${event.amountMinor}, the order total is ${order.total_minor}`);
    }
    if (order.status !== 'reserved')
      throw new HubError('INVALID_STATE', `order is ${order.status}, not awaiting payment`);
    if (now >= order.expires_at) {
      throw new HubError(
        'INVALID_STATE',
        `the payment window closed at ${new Date(order.expires_at).toISOString()}; the order's stock was released`,
      );
    }
    await store.transition(db, { id: order.id, from: 'reserved', to: 'paid', at: now, eventId: event.id });
    await store.markSold(db, order.id);
    for (const line of await store.linesOf(db, order.id)) {
      // The rate in force at the moment of payment: a contract change later never re-rates this sale.
      const rateBp = await this.#o.rateAt(line.partner_id, now, db);
      await this.#o.ledger.appendSale(db, {
        partnerId: line.partner_id,
        orderId: order.id,
        lineNo: line.line_no,
        currency: order.currency,
        amountMinor: line.amount_minor,
        commissionMinor: commissionFor(line.amount_minor, rateBp),
        rateBp,
        quantity: line.quantity,
        by: `payment:${event.id}`,
      });
    }
  }

  /** A refund made at the provider: the whole remainder of the order, whatever the return window. */
  async #refunded(db: Queryable, order: store.OrderRow, event: PaymentEvent): Promise<void> {
    if (order.status !== 'paid') throw new HubError('INVALID_STATE', `order is ${order.status}, not paid`);
    const refundable = await this.#o.refunds.refundableMinor(db, order.id);
    if (event.amountMinor !== refundable) {
      throw mismatch('/amountMinor', `is ${event.amountMinor}, the refundable remainder is ${refundable}`);
    }
    await this.#o.refunds.refundInTransaction(
      db,
      order,
      { reason: 'refunded at the payment provider' },
      { requestedBy: 'provider', by: `payment:${event.id}`, eventId: event.id },
    );
  }
}
