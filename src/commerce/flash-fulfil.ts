import { HubError, isHubError } from '../errors.js';
import type { Fulfil } from './flash-payments.js';
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
    const placed = deps.orders.place(buyer, `flash:${p.purchaseId}`, [
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
      deps.payments.apply(
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
