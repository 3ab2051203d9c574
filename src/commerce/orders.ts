import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { type Db, inTransaction } from '../store/database.js';
import { requestHash } from './idempotency.js';
import { lineAmount, sumMinor } from './money.js';
import * as catalog from './store-catalog.js';
import * as store from './store-orders.js';
import { stockNewBatches } from './store-stock.js';
import { type OrderView, orderView } from './views.js';

export interface OrderOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly now: () => number;
  readonly paymentWindowMs: number;
}

export interface OrderLineInput {
  readonly skuId: string;
  readonly quantity: number;
}

/** The exact response of a placement, stored under its Idempotency-Key and replayed byte for byte. */
export interface PlacedOrder {
  readonly status: number;
  readonly body: string;
  readonly replayed: boolean;
}

function invalid(code: 'VALIDATION_FAILED' | 'NOT_FOUND' | 'OUT_OF_STOCK', errors: FieldError[]): HubError {
  return new HubError(code, errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors });
}

/**
 * Orders: placing one reserves specific devices for each line in one IMMEDIATE transaction, together
 * with the idempotency record; unpaid orders expire after the payment window and release their stock.
 */
export class OrderService {
  readonly #o: OrderOptions;

  constructor(options: OrderOptions) {
    this.#o = options;
  }

  place(caller: Identity, key: string, lines: readonly OrderLineInput[]): PlacedOrder {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user places orders');
    const db = this.#o.db;
    const fingerprint = requestHash({ lines });
    const placed = inTransaction(db, (): PlacedOrder & { orderId: string } => {
      const previous = store.findIdempotencyKey(db, caller.userId, key);
      if (previous) {
        if (previous.request_hash !== fingerprint) {
          throw new HubError(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was used for a different order body; use a new key for a new order',
          );
        }
        return {
          status: previous.status,
          body: previous.response,
          replayed: true,
          orderId: previous.order_id,
        };
      }
      const now = this.#o.now();
      this.#expire(now);
      const order = this.#reserve(caller.userId, lines, now);
      const body = JSON.stringify(this.viewOf(order.id));
      store.insertIdempotencyKey(db, {
        user_id: caller.userId,
        key,
        request_hash: fingerprint,
        order_id: order.id,
        status: 201,
        response: body,
        created_at: now,
      });
      return { status: 201, body, replayed: false, orderId: order.id };
    });
    if (!placed.replayed) {
      this.#o.log.info({ orderId: placed.orderId, userId: caller.userId }, 'order placed, stock reserved');
    }
    return { status: placed.status, body: placed.body, replayed: placed.replayed };
  }

  order(caller: Identity, orderId: string): OrderView {
    this.visibleOrder(caller, orderId);
    return this.viewOf(orderId);
  }

  list(
    caller: Identity,
    q: { before?: string | undefined; limit: number },
  ): { orders: OrderView[]; next: string | null } {
    if (caller.kind === 'partner') throw new HubError('FORBIDDEN', 'partners see sales in their ledger');
    const userId = caller.kind === 'user' ? caller.userId : undefined;
    const rows = store.listOrders(this.#o.db, { userId, before: q.before, limit: q.limit });
    const last = rows.at(-1);
    return {
      orders: rows.map((o) => this.viewOf(o.id)),
      next: rows.length === q.limit && last ? last.id : null,
    };
  }

  /** True while an unpaid order holds the device. */
  isReserved(deviceId: string): boolean {
    return store.isReserved(this.#o.db, deviceId);
  }

  /** The buyer (or the operator) gives up an unpaid order: its stock returns at once. */
  cancel(caller: Identity, orderId: string): OrderView {
    const now = this.#o.now();
    inTransaction(this.#o.db, () => {
      const order = this.visibleOrder(caller, orderId);
      if (!store.transition(this.#o.db, { id: orderId, from: 'reserved', to: 'cancelled', at: now })) {
        throw new HubError(
          'INVALID_STATE',
          `order is ${order.status}: only an unpaid order can be cancelled`,
        );
      }
      store.releaseUnits(this.#o.db, { orderId, at: now, reason: 'cancelled' });
    });
    this.#o.log.info({ orderId }, 'order cancelled, stock released');
    return this.viewOf(orderId);
  }

  /**
   * The timer's work: releases the stock of every order whose payment window has passed, and moves
   * newly provisioned batches into stock (so the first order after a big batch does not pay for it).
   */
  sweep(): number {
    const now = this.#o.now();
    const { expired, stocked } = inTransaction(this.#o.db, () => ({
      expired: this.#expire(now),
      stocked: stockNewBatches(this.#o.db, now),
    }));
    if (expired > 0) this.#o.log.info({ orders: expired }, 'unpaid orders expired, stock released');
    if (stocked > 0) this.#o.log.info({ devices: stocked }, 'provisioned devices entered stock');
    return expired;
  }

  /** The order if the caller may see it: its buyer or the operator; anyone else gets NOT_FOUND. */
  visibleOrder(caller: Identity, orderId: string): store.OrderRow {
    if (caller.kind === 'partner') throw new HubError('FORBIDDEN', 'partners see sales in their ledger');
    const order = store.findOrder(this.#o.db, orderId);
    if (!order || (caller.kind === 'user' && order.user_id !== caller.userId)) {
      throw new HubError('NOT_FOUND', 'order not found');
    }
    return order;
  }

  #expire(now: number): number {
    let count = 0;
    for (const id of store.expiredReservations(this.#o.db, now, 10_000)) {
      if (store.transition(this.#o.db, { id, from: 'reserved', to: 'expired', at: now })) {
        store.releaseUnits(this.#o.db, { orderId: id, at: now, reason: 'expired' });
        count++;
      }
    }
    return count;
  }

  #reserve(userId: string, lines: readonly OrderLineInput[], now: number): store.OrderRow {
    const db = this.#o.db;
    const seen = new Map<string, number>();
    const skus = lines.map((line, i) => {
      const path = `/lines/${i}/skuId`;
      if (seen.has(line.skuId)) {
        throw invalid('VALIDATION_FAILED', [
          { path, message: `repeats line ${seen.get(line.skuId)}; order it once with the total quantity` },
        ]);
      }
      seen.set(line.skuId, i);
      const sku = catalog.findSku(db, line.skuId);
      if (!sku || sku.deactivated_at !== null)
        throw invalid('NOT_FOUND', [{ path, message: 'no active SKU with this id' }]);
      return sku;
    });
    const currency = skus[0]?.currency ?? '';
    const mixed = skus.flatMap((s, i) =>
      s.currency === currency
        ? []
        : [
            {
              path: `/lines/${i}/skuId`,
              message: `is priced in ${s.currency}, line 0 in ${currency}: one currency per order`,
            },
          ],
    );
    if (mixed.length > 0) throw invalid('VALIDATION_FAILED', mixed);
    const amounts = lines.map((line, i) =>
      lineAmount(skus[i]?.price_minor ?? 0, line.quantity, `/lines/${i}/quantity`),
    );
    const order: store.OrderRow = {
      id: newId(),
      user_id: userId,
      status: 'reserved',
      currency,
      total_minor: sumMinor(amounts, '/lines'),
      created_at: now,
      expires_at: now + this.#o.paymentWindowMs,
      paid_at: null,
      payment_event_id: null,
      ended_at: null,
    };
    store.insertOrder(db, order);
    lines.forEach((line, i) => {
      const sku = skus[i];
      if (!sku) return;
      store.insertLine(db, {
        order_id: order.id,
        line_no: i,
        sku_id: sku.id,
        partner_id: sku.partner_id,
        model_id: sku.model_id,
        unit_price_minor: sku.price_minor,
        quantity: line.quantity,
        amount_minor: amounts[i] ?? 0,
        refunded_at: null,
      });
      const held = store.holdDevices(db, {
        orderId: order.id,
        lineNo: i,
        partnerId: sku.partner_id,
        modelId: sku.model_id,
        count: line.quantity,
        at: now,
      });
      if (held < line.quantity) {
        // Throwing rolls back the whole transaction: nothing was reserved, no order exists.
        throw invalid('OUT_OF_STOCK', [{ path: `/lines/${i}/quantity`, message: `only ${held} available` }]);
      }
    });
    return order;
  }

  viewOf(orderId: string): OrderView {
    const order = store.findOrder(this.#o.db, orderId);
    if (!order) throw new HubError('NOT_FOUND', 'order not found');
    return orderView(order, store.linesOf(this.#o.db, orderId), store.heldUnits(this.#o.db, orderId));
  }
}
