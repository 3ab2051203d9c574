import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import type { LedgerService } from '../partners/ledger.js';
import type { Engine, Queryable } from '../store/engine.js';
import { sumMinor } from './money.js';
import type { OrderService } from './orders.js';
import * as store from './store-orders.js';
import { insertRefund, type RefundRow } from './store-payments.js';
import type { OrderView } from './views.js';

export interface RefundOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly ledger: LedgerService;
  readonly orders: OrderService;
  /** How long after payment the buyer may ask for a refund. */
  readonly returnWindowMs: number;
}

export interface RefundView {
  readonly id: string;
  readonly orderId: string;
  readonly lineNos: number[];
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string | null;
  readonly requestedBy: RefundRow['requested_by'];
  readonly createdAt: string;
}

export interface RefundRequest {
  /** Line numbers to refund; omitted = every line not refunded yet (the whole order). */
  readonly lines?: readonly number[] | undefined;
  readonly reason?: string | undefined;
}

/**
 * Refunds, whole order or per line. Each refunded line returns its devices to stock and gets one
 * reversing ledger entry; a line is refunded at most once (checked and marked in one transaction).
 */
export class RefundService {
  readonly #o: RefundOptions;

  constructor(options: RefundOptions) {
    this.#o = options;
  }

  /** The buyer within the return window, or the operator at any time. */
  async refund(
    caller: Identity,
    orderId: string,
    request: RefundRequest,
  ): Promise<{ refund: RefundView; order: OrderView }> {
    const now = this.#o.now();
    const refund = await this.#o.store.transaction(
      async (tx) => {
        const order = await this.#o.orders.visibleOrder(tx, caller, orderId);
        if (
          caller.kind === 'user' &&
          order.paid_at !== null &&
          now > order.paid_at + this.#o.returnWindowMs
        ) {
          throw new HubError(
            'INVALID_STATE',
            `the return window closed at ${new Date(order.paid_at + this.#o.returnWindowMs).toISOString()}`,
          );
        }
        // visibleOrder already refused partners: the caller is the buyer or the operator.
        const who =
          caller.kind === 'user'
            ? { requestedBy: 'buyer' as const, by: `user:${caller.userId}` }
            : {
                requestedBy: 'operator' as const,
                by: `operator:${caller.kind === 'operator' ? caller.tokenId : '?'}`,
              };
        return this.refundInTransaction(tx, order, request, { ...who, eventId: null });
      },
      { durable: true, retries: 3 },
    );
    this.#o.log.info(
      { orderId, refundId: refund.id, lines: refund.lineNos, amountMinor: refund.amountMinor },
      'order refunded, stock restored',
    );
    return { refund, order: await this.#o.orders.viewOf(orderId) };
  }

  /** The refund itself; the caller holds the transaction and has checked who may ask. */
  async refundInTransaction(
    db: Queryable,
    order: store.OrderRow,
    request: RefundRequest,
    who: { requestedBy: RefundRow['requested_by']; by: string; eventId: string | null },
  ): Promise<RefundView> {
    if (order.status !== 'paid') {
      const hint = order.status === 'reserved' ? ' (cancel an unpaid order instead)' : '';
      throw new HubError(
        'INVALID_STATE',
        `order is ${order.status}: only a paid order can be refunded${hint}`,
      );
    }
    const lines = await store.linesOf(db, order.id);
    const chosen = this.#choose(lines, request.lines);
    const now = this.#o.now();
    for (const line of chosen) {
      if (!(await store.markLineRefunded(db, order.id, line.line_no, now))) {
        throw new HubError('INVALID_STATE', `line ${line.line_no} is already refunded`);
      }
      await store.releaseUnits(db, { orderId: order.id, lineNo: line.line_no, at: now, reason: 'refunded' });
      await this.#o.ledger.appendRefund(db, order.id, line.line_no, request.reason ?? null, who.by);
    }
    if (lines.every((l) => l.refunded_at !== null || chosen.includes(l))) {
      await store.transition(db, { id: order.id, from: 'paid', to: 'refunded', at: now });
    }
    const row: RefundRow = {
      id: newId(),
      order_id: order.id,
      line_nos: JSON.stringify(chosen.map((l) => l.line_no)),
      amount_minor: sumMinor(
        chosen.map((l) => l.amount_minor),
        '/lines',
      ),
      currency: order.currency,
      reason: request.reason ?? null,
      requested_by: who.requestedBy,
      event_id: who.eventId,
      created_at: now,
    };
    await insertRefund(db, row);
    return {
      id: row.id,
      orderId: order.id,
      lineNos: chosen.map((l) => l.line_no),
      amountMinor: row.amount_minor,
      currency: row.currency,
      reason: row.reason,
      requestedBy: row.requested_by,
      createdAt: new Date(now).toISOString(),
    };
  }

  /** What is still refundable on a paid order, in minor units. */
  async refundableMinor(db: Queryable, orderId: string): Promise<number> {
    const open = (await store.linesOf(db, orderId)).filter((l) => l.refunded_at === null);
    return sumMinor(
      open.map((l) => l.amount_minor),
      '/amountMinor',
    );
  }

  #choose(lines: readonly store.LineRow[], requested: readonly number[] | undefined): store.LineRow[] {
    if (requested === undefined) {
      const open = lines.filter((l) => l.refunded_at === null);
      if (open.length === 0) throw new HubError('INVALID_STATE', 'every line is already refunded');
      return open;
    }
    const seen = new Set<number>();
    return requested.map((lineNo, i) => {
      const line = lines.find((l) => l.line_no === lineNo);
      const path = `/lines/${i}`;
      if (!line || seen.has(lineNo)) {
        const message = line ? 'is listed twice' : `the order has no line ${lineNo}`;
        throw new HubError('VALIDATION_FAILED', `${path} ${message}`, { errors: [{ path, message }] });
      }
      if (line.refunded_at !== null)
        throw new HubError('INVALID_STATE', `line ${lineNo} is already refunded`);
      seen.add(lineNo);
      return line;
    });
  }
}
