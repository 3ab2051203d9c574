import type { Logger } from 'pino';
import { type FieldError, HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { type Engine, isDatabaseError, type Queryable } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { requestHash } from './idempotency.js';
import { lineAmount, sumMinor } from './money.js';
import * as catalog from './store-catalog.js';
import * as store from './store-orders.js';
import { stockNewBatches } from './store-stock.js';
import { type OrderView, orderView } from './views.js';

/** The ownership trigger's refusal (migration 0070) when a unit in an order was claimed meanwhile. */
const CLAIMED_RACE = /a claimed device cannot be sold/;

export interface OrderOptions {
  readonly store: Engine;
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

  async place(caller: Identity, key: string, lines: readonly OrderLineInput[]): Promise<PlacedOrder> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user places orders');
    const fingerprint = requestHash({ lines });
    // A unit picked from stock may be claimed with its pairing code by a transaction that commits
    // first (PostgreSQL runs them at once): the ownership trigger then refuses the sale, and the
    // order is placed again from what is left (or answers OUT_OF_STOCK), a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#place(caller.userId, key, fingerprint, lines);
      } catch (err) {
        if (attempt >= 5 || !isDatabaseError(err, 'refused') || !CLAIMED_RACE.test(err.message)) throw err;
      }
    }
  }

  async #place(
    userId: string,
    key: string,
    fingerprint: string,
    lines: readonly OrderLineInput[],
  ): Promise<PlacedOrder> {
    const placed = await this.#o.store.transaction(
      async (db): Promise<PlacedOrder & { orderId: string }> => {
        // Requests with this key wait here for each other: the first places, the rest replay it.
        await store.lockIdempotencyKey(db, userId, key);
        const previous = await store.findIdempotencyKey(db, userId, key);
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
        await this.#expire(db, now);
        const order = await this.#reserve(db, userId, lines, now, now + this.#o.paymentWindowMs);
        const body = JSON.stringify(await this.viewOf(order.id, db));
        await store.insertIdempotencyKey(db, {
          user_id: userId,
          key,
          request_hash: fingerprint,
          order_id: order.id,
          status: 201,
          response: body,
          created_at: now,
        });
        return { status: 201, body, replayed: false, orderId: order.id };
      },
      { durable: true, retries: 3 },
    );
    if (!placed.replayed) {
      this.#o.log.info({ orderId: placed.orderId, userId: userId }, 'order placed, stock reserved');
    }
    return { status: placed.status, body: placed.body, replayed: placed.replayed };
  }

  /**
   * Places an order inside the caller's transaction, holding its devices until `expiresAt` (a
   * pre-order's balance window, docs/flash-sales.md). Idempotent by key like `place`: a second call
   * with the key answers the first order. OUT_OF_STOCK rolls back the caller's transaction.
   */
  async placeIn(
    db: Queryable,
    userId: string,
    key: string,
    lines: readonly OrderLineInput[],
    expiresAt: number,
  ): Promise<{ orderId: string; totalMinor: number; replayed: boolean }> {
    await store.lockIdempotencyKey(db, userId, key);
    const previous = await store.findIdempotencyKey(db, userId, key);
    if (previous) {
      const order = await store.findOrder(db, previous.order_id);
      return { orderId: previous.order_id, totalMinor: order?.total_minor ?? 0, replayed: true };
    }
    const now = this.#o.now();
    const order = await this.#reserve(db, userId, lines, now, expiresAt);
    await store.insertIdempotencyKey(db, {
      user_id: userId,
      key,
      request_hash: requestHash({ lines }),
      order_id: order.id,
      status: 201,
      response: JSON.stringify(await this.viewOf(order.id, db)),
      created_at: now,
    });
    return { orderId: order.id, totalMinor: order.total_minor, replayed: false };
  }

  /** Cancels an unpaid order inside the caller's transaction (its devices return to stock); false if not unpaid. */
  async cancelIn(db: Queryable, orderId: string): Promise<boolean> {
    const now = this.#o.now();
    if (!(await store.transition(db, { id: orderId, from: 'reserved', to: 'cancelled', at: now })))
      return false;
    await store.releaseUnits(db, { orderId, at: now, reason: 'cancelled' });
    return true;
  }

  async order(caller: Identity, orderId: string): Promise<OrderView> {
    await this.visibleOrder(this.#o.store, caller, orderId);
    return this.viewOf(orderId);
  }

  /** Newest first; a user sees only their own. */
  async list(caller: Identity, page: PageRequest): Promise<Page<OrderView>> {
    if (caller.kind === 'partner') throw new HubError('FORBIDDEN', 'partners see sales in their ledger');
    const userId = caller.kind === 'user' ? caller.userId : undefined;
    const rows = await store.listOrders(this.#o.store, { userId }, page);
    const views = new Map<string, OrderView>();
    for (const o of rows.slice(0, page.limit)) views.set(o.id, await this.viewOf(o.id));
    return pageOf(
      rows,
      page.limit,
      (o) => [o.created_at, o.id],
      (o) => views.get(o.id) as OrderView,
    );
  }

  /** True while an unpaid order holds the device (`db`: the registry's claim reads it in its transaction). */
  isReserved(deviceId: string, db: Queryable = this.#o.store): Promise<boolean> {
    return store.isReserved(db, deviceId);
  }

  /** The buyer (or the operator) gives up an unpaid order: its stock returns at once. */
  async cancel(caller: Identity, orderId: string): Promise<OrderView> {
    const now = this.#o.now();
    await this.#o.store.transaction(
      async (tx) => {
        const order = await this.visibleOrder(tx, caller, orderId);
        if (!(await store.transition(tx, { id: orderId, from: 'reserved', to: 'cancelled', at: now }))) {
          throw new HubError(
            'INVALID_STATE',
            `order is ${order.status}: only an unpaid order can be cancelled`,
          );
        }
        await store.releaseUnits(tx, { orderId, at: now, reason: 'cancelled' });
      },
      { durable: true },
    );
    this.#o.log.info({ orderId }, 'order cancelled, stock released');
    return this.viewOf(orderId);
  }

  /**
   * The timer's work: releases the stock of every order whose payment window has passed, and moves
   * newly provisioned batches into stock (so the first order after a big batch does not pay for it).
   */
  async sweep(): Promise<number> {
    const now = this.#o.now();
    const { expired, stocked } = await this.#o.store.transaction(
      async (tx) => ({ expired: await this.#expire(tx, now), stocked: await stockNewBatches(tx, now) }),
      { durable: true, retries: 3 },
    );
    if (expired > 0) this.#o.log.info({ orders: expired }, 'unpaid orders expired, stock released');
    if (stocked > 0) this.#o.log.info({ devices: stocked }, 'provisioned devices entered stock');
    return expired;
  }

  /** The order if the caller may see it: its buyer or the operator; anyone else gets NOT_FOUND. */
  async visibleOrder(db: Queryable, caller: Identity, orderId: string): Promise<store.OrderRow> {
    if (caller.kind === 'partner') throw new HubError('FORBIDDEN', 'partners see sales in their ledger');
    const order = await store.findOrderForUpdate(db, orderId);
    if (!order || (caller.kind === 'user' && order.user_id !== caller.userId)) {
      throw new HubError('NOT_FOUND', 'order not found');
    }
    return order;
  }

  async #expire(db: Queryable, now: number): Promise<number> {
    let count = 0;
    for (const id of await store.expiredReservations(db, now, 10_000)) {
      if (await store.transition(db, { id, from: 'reserved', to: 'expired', at: now })) {
        await store.releaseUnits(db, { orderId: id, at: now, reason: 'expired' });
        count++;
      }
    }
    return count;
  }

  async #reserve(
    db: Queryable,
    userId: string,
    lines: readonly OrderLineInput[],
    now: number,
    expiresAt: number,
  ): Promise<store.OrderRow> {
    const seen = new Map<string, number>();
    const skus: catalog.SkuRow[] = [];
    for (const [i, line] of lines.entries()) {
      const path = `/lines/${i}/skuId`;
      if (seen.has(line.skuId)) {
        throw invalid('VALIDATION_FAILED', [
          { path, message: `repeats line ${seen.get(line.skuId)}; order it once with the total quantity` },
        ]);
      }
      seen.set(line.skuId, i);
      const sku = await catalog.findSku(db, line.skuId);
      if (!sku || sku.deactivated_at !== null)
        throw invalid('NOT_FOUND', [{ path, message: 'no active SKU with this id' }]);
      skus.push(sku);
    }
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
      expires_at: expiresAt,
      paid_at: null,
      payment_event_id: null,
      ended_at: null,
    };
    await store.insertOrder(db, order);
    for (const [i, line] of lines.entries()) {
      const sku = skus[i];
      if (!sku) continue;
      await store.insertLine(db, {
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
      const held = await store.holdDevices(db, {
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
    }
    return order;
  }

  async viewOf(orderId: string, db: Queryable = this.#o.store): Promise<OrderView> {
    const order = await store.findOrder(db, orderId);
    if (!order) throw new HubError('NOT_FOUND', 'order not found');
    return orderView(order, await store.linesOf(db, orderId), await store.heldUnits(db, orderId));
  }
}
