import { HubError, isHubError } from '../errors.js';
import type { LedgerService } from '../partners/ledger.js';
import type { Queryable } from '../store/engine.js';
import type { Fulfil } from './flash-payments.js';
import type { PreorderLinks } from './flash-preorders.js';
import { commissionFor } from './money.js';
import type { OrderService } from './orders.js';
import type { PaymentService } from './payments.js';

/**
 * The one call site from flash sales into orders and payments: a paid flash purchase becomes a paid
 * store order of the sale's SKU, so devices are assigned, the buyer claims them by order (activation)
 * and commission is booked at the rate in force at payment, exactly as for any sale
 * (docs/commerce.md). Idempotent by purchase id: the order is placed under the Idempotency-Key
 * `flash:<purchaseId>` and paid with the event id `flash:<purchaseId>`, so a retry after a crash
 * replays the order and finds the payment applied.
 */
export function fulfilThroughOrders(deps: {
  orders: OrderService;
  payments: PaymentService;
  now: () => number;
}): Fulfil {
  return async (p) => {
    const buyer = {
      kind: 'user' as const,
      userId: p.userId,
      tokenId: 'flash-sale',
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
    const placed = await deps.orders.place(buyer, `flash:${p.purchaseId}`, [
      { skuId: p.skuId, quantity: p.quantity },
    ]);
    const order = JSON.parse(placed.body) as { id: string; totalMinor: number; currency: string };
    if (order.totalMinor !== p.amountMinor || order.currency !== p.currency) {
      throw new HubError(
        'INTERNAL',
        `order ${order.id} does not match purchase ${p.purchaseId}: the SKU changed price`,
      );
    }
    try {
      await deps.payments.apply(
        {
          id: `flash:${p.purchaseId}`,
          type: 'payment.succeeded',
          orderId: order.id,
          amountMinor: order.totalMinor,
          currency: order.currency,
        },
        Math.floor(deps.now() / 1000),
      );
    } catch (err) {
      if (!(isHubError(err) && err.code === 'ALREADY_EXISTS')) throw err;
    }
    return { orderId: order.id };
  };
}

/**
 * Pre-orders' links (flash-preorders.ts): a held store order per allocated pre-order, its payment in
 * full when the balance arrives (event id `preorder:<purchaseId>`: the sale entry at the rate in
 * force then), and a forfeited deposit booked as the partner's revenue in the commission ledger: a
 * `sale` entry of quantity 0 under the order id `preorder:<purchaseId>`, line 0, reason "deposit
 * forfeited" (once per pre-order: the ledger's unique index on order, line and kind).
 */
export function preorderLinksThroughOrders(deps: {
  orders: OrderService;
  payments: PaymentService;
  ledger: LedgerService;
  rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
  now: () => number;
}): PreorderLinks {
  return {
    async place(tx, p) {
      const placed = await deps.orders.placeIn(
        tx,
        p.userId,
        p.key,
        [{ skuId: p.skuId, quantity: p.quantity }],
        p.expiresAt,
      );
      return { orderId: placed.orderId, totalMinor: placed.totalMinor };
    },
    async cancel(tx, orderId) {
      await deps.orders.cancelIn(tx, orderId);
    },
    async pay(p) {
      try {
        await deps.payments.apply(
          {
            id: p.eventId,
            type: 'payment.succeeded',
            orderId: p.orderId,
            amountMinor: p.amountMinor,
            currency: p.currency,
          },
          Math.floor(deps.now() / 1000),
        );
      } catch (err) {
        if (!(isHubError(err) && err.code === 'ALREADY_EXISTS')) throw err;
      }
    },
    openMonth: (tx, now) => deps.ledger.openMonth(tx, now),
    async bookForfeit(tx, p) {
      const rateBp = await deps.rateAt(p.partnerId, p.now, tx);
      await deps.ledger.appendSale(tx, {
        partnerId: p.partnerId,
        orderId: `preorder:${p.purchaseId}`,
        lineNo: 0,
        currency: p.currency,
        amountMinor: p.amountMinor,
        commissionMinor: commissionFor(p.amountMinor, rateBp),
        rateBp,
        quantity: 0,
        by: 'flash:forfeit',
      });
    },
  };
}
