import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import type { DepositTotals } from '../partners/statements.js';
import type { Engine, Queryable, Transaction } from '../store/engine.js';
import type { Page, PageRequest } from '../store/page.js';
import { type PreorderView, preorderView } from './flash-preorder-views.js';
import { listScope } from './flash-purchases.js';
import * as store from './flash-store.js';

/** How pre-orders reach orders, payments and the ledger (wired in the hub through their services). */
export interface PreorderLinks {
  /** Places (inside tx) a store order holding the devices until `expiresAt`; idempotent by key. */
  place(
    tx: Queryable,
    p: { userId: string; key: string; skuId: string; quantity: number; expiresAt: number },
  ): Promise<{ orderId: string; totalMinor: number }>;
  /** Cancels (inside tx) an unpaid held order: its devices return to stock. */
  cancel(tx: Queryable, orderId: string): Promise<void>;
  /** Pays a held order in full (its own transaction; the sale entry at the rate in force); idempotent by event id. */
  pay(p: { eventId: string; orderId: string; amountMinor: number; currency: string }): Promise<void>;
  /** The statement month open now (LedgerService.openMonth). */
  openMonth(tx: Queryable, now: number): Promise<string>;
  /** Books (inside tx) a forfeited deposit as the partner's revenue, commission at the rate in force. */
  bookForfeit(
    tx: Queryable,
    p: { partnerId: string; purchaseId: string; currency: string; amountMinor: number; now: number },
  ): Promise<void>;
}

export interface FlashPreordersOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly links: PreorderLinks;
}

export interface BalanceEvent {
  readonly id: string;
  readonly purchaseId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/** After the balance window the held order lives this much longer, so a balance paid at the last moment completes. */
const ORDER_GRACE_MS = 60 * 60_000;
const BATCH = 500;

function mismatch(path: string, message: string): HubError {
  return new HubError('VALIDATION_FAILED', `${path} ${message}`, { errors: [{ path, message }] });
}

/**
 * Pre-orders of deposit sales: a paid deposit holds a place; a released production batch gives its
 * units to waiting pre-orders in deposit order (a store order holds the devices); the balance,
 * paid in its window, pays that order (devices claimable, commission on the full price at the rate
 * then); a missed balance forfeits or refunds the deposit by the sale's rule. Deposits move only
 * through the append-only deposit ledger, in the same transaction as the state they follow.
 */
export class FlashPreorders {
  readonly #o: FlashPreordersOptions;

  constructor(options: FlashPreordersOptions) {
    this.#o = options;
  }

  /** In the deposit payment's transaction: the pre-order and its deposit entry. */
  async depositPaid(tx: Transaction, p: store.PurchaseRow, sale: store.SaleRow, now: number): Promise<void> {
    if (sale.payment !== 'deposit' || sale.deposit_minor === null) return;
    const total = sale.price_minor * p.quantity;
    const created = await store.insertPreorder(tx, {
      purchase_id: p.id,
      sale_id: sale.id,
      user_id: p.user_id,
      partner_id: sale.partner_id,
      model_id: sale.model_id,
      sku_id: sale.sku_id,
      currency: sale.currency,
      quantity: p.quantity,
      price_minor: total,
      deposit_minor: p.amount_minor,
      balance_minor: total - p.amount_minor,
      missed_balance: sale.missed_balance ?? 'refund',
      balance_window_ms: sale.balance_window_ms ?? 7 * 86_400_000,
      deposit_paid_at: now,
    });
    if (created) await this.#entry(tx, p.id, sale.partner_id, sale.currency, 'deposit', p.amount_minor, now);
  }

  /**
   * Gives released batch units of a model to waiting pre-orders in deposit order, inside tx. Stops at
   * the first pre-order that does not fit (no overtaking). Returns how many pre-orders got units.
   */
  async allocate(tx: Transaction, modelId: string, now: number): Promise<number> {
    let given = 0;
    for (const batch of await store.batchesWithUnits(tx, modelId)) {
      let left = batch.units - batch.allocated;
      for (;;) {
        const [next] = await store.waitingPreorders(tx, modelId, 1);
        if (!next) return given;
        if (next.quantity > left) break;
        const free = await store.freeDeviceCount(tx, next.partner_id, modelId);
        if (free < next.quantity) return given;
        if (!(await store.allocateUnits(tx, batch.batch_id, next.quantity))) break;
        const dueAt = now + next.balance_window_ms;
        const { orderId } = await this.#o.links.place(tx, {
          userId: next.user_id,
          key: `preorder:${next.purchase_id}`,
          skuId: next.sku_id,
          quantity: next.quantity,
          expiresAt: dueAt + ORDER_GRACE_MS,
        });
        await store.markAllocated(tx, next.purchase_id, { batchId: batch.batch_id, orderId, at: now, dueAt });
        left -= next.quantity;
        given++;
      }
    }
    return given;
  }

  /** A verified balance payment: applies once, then pays the held store order. */
  async payBalance(event: BalanceEvent): Promise<PreorderView> {
    const now = this.#o.now();
    const row = await this.#o.store.transaction(
      async (tx) => {
        const p = await store.findPreorder(tx, event.purchaseId);
        if (!p) throw new HubError('NOT_FOUND', 'pre-order not found');
        const fresh = await store.insertPaymentEvent(tx, {
          id: event.id,
          purchase_id: p.purchase_id,
          amount_minor: event.amountMinor,
          currency: event.currency,
          received_at: now,
        });
        if (!fresh) throw new HubError('ALREADY_EXISTS', `event ${event.id} was already processed`);
        if (event.currency !== p.currency)
          throw mismatch('/currency', `is ${event.currency}, the pre-order is in ${p.currency}`);
        if (event.amountMinor !== p.balance_minor)
          throw mismatch('/amountMinor', `is ${event.amountMinor}, the balance is ${p.balance_minor}`);
        if (!(await store.markBalancePaid(tx, p.purchase_id, event.id, now))) {
          throw new HubError(
            'INVALID_STATE',
            p.status === 'allocated'
              ? 'the balance window has closed'
              : p.status === 'waiting'
                ? 'no unit is built for this pre-order yet: the balance is due when its batch is'
                : `the pre-order is ${p.status}`,
          );
        }
        await this.#entry(tx, p.purchase_id, p.partner_id, p.currency, 'applied', -p.deposit_minor, now);
        return p;
      },
      { durable: true },
    );
    this.#o.log.info({ purchaseId: row.purchase_id, eventId: event.id }, 'pre-order balance paid');
    await this.complete(row.purchase_id).catch(() => undefined);
    return this.#view(row.purchase_id);
  }

  /** Pays the held order of a pre-order whose balance is paid; retried by the sweep until it succeeds. */
  async complete(purchaseId: string): Promise<void> {
    const p = await store.findPreorder(this.#o.store, purchaseId);
    if (p?.status !== 'balance_paid' || p.order_id === null) return;
    try {
      await this.#o.links.pay({
        eventId: `preorder:${p.purchase_id}`,
        orderId: p.order_id,
        amountMinor: p.price_minor,
        currency: p.currency,
      });
      const now = this.#o.now();
      const orderId = p.order_id;
      await this.#o.store.transaction(
        async (tx) => {
          if (await store.markCompleted(tx, p.purchase_id, now)) {
            await store.markFulfilled(tx, p.purchase_id, orderId, now);
          }
        },
        { durable: true },
      );
    } catch (err) {
      this.#o.log.error({ err, purchaseId }, 'paying the order of a pre-order failed; the sweep retries it');
      throw err;
    }
  }

  /** The buyer (or an operator) gives up: waiting = deposit refunded; allocated = the sale's missed-balance rule. */
  async cancel(caller: Identity, purchaseId: string): Promise<PreorderView> {
    const now = this.#o.now();
    const modelId = await this.#o.store.transaction(
      async (tx) => {
        const p = await store.findPreorder(tx, purchaseId);
        const allowed =
          caller.kind === 'operator' || (caller.kind === 'user' && p?.user_id === caller.userId);
        if (!p || !allowed) throw new HubError('NOT_FOUND', 'pre-order not found');
        if (p.status === 'waiting') {
          if (!(await store.endPreorder(tx, p.purchase_id, 'waiting', 'refunded', now)))
            throw new HubError('INVALID_STATE', 'the pre-order changed: try again');
          await this.#entry(tx, p.purchase_id, p.partner_id, p.currency, 'refunded', -p.deposit_minor, now);
          return undefined;
        }
        if (p.status !== 'allocated' || !(await this.#missed(tx, p, now)))
          throw new HubError('INVALID_STATE', `the pre-order is ${p.status}`);
        return p.model_id;
      },
      { durable: true },
    );
    if (modelId !== undefined) await this.#reallocate(modelId);
    this.#o.log.info({ purchaseId }, 'pre-order cancelled');
    return this.#view(purchaseId);
  }

  /** Missed balances, balances paid but not yet applied to their order, and units waiting for pre-orders. */
  async sweep(): Promise<void> {
    const now = this.#o.now();
    const models = new Set<string>();
    for (const p of await store.overduePreorders(this.#o.store, now, BATCH)) {
      const ended = await this.#o.store.transaction((tx) => this.#missed(tx, p, now), { durable: true });
      if (ended) models.add(p.model_id);
    }
    for (const p of await store.balancePaidPreorders(this.#o.store, BATCH)) {
      await this.complete(p.purchase_id).catch(() => undefined);
    }
    for (const m of await store.modelsWaiting(this.#o.store)) models.add(m);
    for (const m of models) await this.#reallocate(m);
  }

  async view(caller: Identity, purchaseId: string): Promise<PreorderView> {
    const p = await store.findPreorder(this.#o.store, purchaseId);
    const visible =
      p !== undefined &&
      (caller.kind === 'operator' ||
        (caller.kind === 'partner' && p.partner_id === caller.partnerId) ||
        (caller.kind === 'user' && p.user_id === caller.userId));
    if (!visible) throw new HubError('NOT_FOUND', 'pre-order not found');
    return this.#view(purchaseId);
  }

  /** A user's own pre-orders, or (partner, operator) a sale's. */
  async list(
    caller: Identity,
    q: { saleId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<PreorderView>> {
    const userId = await listScope(this.#o.store, caller, q.saleId);
    const rows = await store.preordersOf(this.#o.store, {
      ...(userId !== undefined ? { userId } : {}),
      ...(q.saleId !== undefined ? { saleId: q.saleId } : {}),
      after: page.after as readonly [number, string] | undefined,
      limit: page.limit,
    });
    const shown = rows.slice(0, page.limit);
    const items: PreorderView[] = [];
    for (const r of shown)
      items.push(preorderView(r, await store.depositEntriesOf(this.#o.store, r.purchase_id)));
    const last = shown.at(-1);
    return {
      items,
      next: rows.length > page.limit && last ? [last.deposit_paid_at, last.purchase_id] : null,
    };
  }

  /** A partner's deposit movements in a statement month (StatementService's DepositSource). */
  async depositTotals(partnerId: string, month: string): Promise<DepositTotals[]> {
    const rows = await store.depositTotals(this.#o.store, partnerId, month);
    return rows.map((r) => ({
      currency: r.currency,
      receivedMinor: Number(r.received),
      appliedMinor: Number(r.applied),
      forfeitedMinor: Number(r.forfeited),
      refundedMinor: Number(r.refunded),
      entries: Number(r.entries),
    }));
  }

  partnersWithDeposits(month: string): Promise<string[]> {
    return store.partnersWithDeposits(this.#o.store, month);
  }

  /** Ends an allocated pre-order whose balance did not come: forfeit or refund, the held order cancelled. */
  async #missed(tx: Transaction, p: store.PreorderRow, now: number): Promise<boolean> {
    const to = p.missed_balance === 'forfeit' ? 'forfeited' : 'refunded';
    if (!(await store.endPreorder(tx, p.purchase_id, 'allocated', to, now))) return false;
    if (p.order_id !== null) await this.#o.links.cancel(tx, p.order_id);
    if (p.batch_id !== null) await store.returnUnits(tx, p.batch_id, p.quantity);
    await this.#entry(tx, p.purchase_id, p.partner_id, p.currency, to, -p.deposit_minor, now);
    if (to === 'forfeited') {
      await this.#o.links.bookForfeit(tx, {
        partnerId: p.partner_id,
        purchaseId: p.purchase_id,
        currency: p.currency,
        amountMinor: p.deposit_minor,
        now,
      });
    }
    this.#o.log.info({ purchaseId: p.purchase_id, outcome: to }, 'pre-order balance missed');
    return true;
  }

  async #reallocate(modelId: string): Promise<void> {
    const now = this.#o.now();
    const given = await this.#o.store.transaction((tx) => this.allocate(tx, modelId, now), { durable: true });
    if (given > 0) this.#o.log.info({ modelId, preorders: given }, 'batch units given to pre-orders');
  }

  async #entry(
    tx: Queryable,
    purchaseId: string,
    partnerId: string,
    currency: string,
    kind: store.DepositKind,
    amountMinor: number,
    now: number,
  ): Promise<void> {
    await store.insertDepositEntry(tx, {
      id: newId(),
      partner_id: partnerId,
      purchase_id: purchaseId,
      kind,
      statement_month: await this.#o.links.openMonth(tx, now),
      currency,
      amount_minor: amountMinor,
      created_at: now,
    });
  }

  async #view(purchaseId: string): Promise<PreorderView> {
    const p = await store.findPreorder(this.#o.store, purchaseId);
    if (!p) throw new HubError('NOT_FOUND', 'pre-order not found');
    return preorderView(p, await store.depositEntriesOf(this.#o.store, purchaseId));
  }
}
