import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { hashSecret, newId } from '../identity/secrets.js';
import { type Engine, isDatabaseError, type Transaction } from '../store/engine.js';
import type { Page, PageRequest } from '../store/page.js';
import { normalizeCode } from './flash-sales.js';
import * as store from './flash-store.js';
import { type PurchaseView, purchaseView } from './flash-views.js';
import { requestHash } from './idempotency.js';
import { lineAmount } from './money.js';

export interface PurchaseInput {
  readonly quantity: number;
  /** A priority code: one unit, no registration needed. */
  readonly code?: string | undefined;
}

/** A purchase answer, stored with its Idempotency-Key and replayed byte for byte. */
export interface PurchaseAnswer {
  readonly status: number;
  readonly body: string;
  readonly replayed: boolean;
}

export interface FlashPurchasesOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
}

type Outcome =
  | { kind: 'reserved'; purchase: store.PurchaseRow; currency: string }
  | { kind: 'waitlisted'; position: number };

function answerBody(saleId: string, o: Outcome): { status: number; body: string } {
  if (o.kind === 'reserved') {
    return {
      status: 201,
      body: JSON.stringify({ outcome: 'reserved', purchase: purchaseView(o.purchase, o.currency) }),
    };
  }
  return { status: 202, body: JSON.stringify({ outcome: 'waitlisted', saleId, position: o.position }) };
}

/**
 * Whose purchases or pre-orders a list shows: a user's own (undefined saleId allowed), or one sale's
 * for its partner or an operator (the sale must exist and be theirs). Answers the user id to filter by.
 */
export async function listScope(
  engine: Engine,
  caller: Identity,
  saleId: string | undefined,
): Promise<string | undefined> {
  if (caller.kind === 'user') return caller.userId;
  if (saleId === undefined) {
    throw new HubError('VALIDATION_FAILED', 'querystring: /saleId is required for a partner or an operator', {
      errors: [{ path: '/saleId', message: 'is required for a partner or an operator' }],
    });
  }
  const sale = await store.findSale(engine, saleId);
  if (!sale || (caller.kind === 'partner' && sale.partner_id !== caller.partnerId)) {
    throw new HubError('NOT_FOUND', 'flash sale not found');
  }
  return undefined;
}

/**
 * Purchases in a flash sale. Each attempt is one durable transaction: the Idempotency-Key lookup, the
 * cap (`taken + n <= cap`), the per-user limit, the one-active-reservation rule, the purchase and the
 * stored answer commit together or not at all.
 */
export class FlashPurchases {
  readonly #o: FlashPurchasesOptions;

  constructor(options: FlashPurchasesOptions) {
    this.#o = options;
  }

  async purchase(
    caller: Identity,
    saleId: string,
    key: string,
    input: PurchaseInput,
  ): Promise<PurchaseAnswer> {
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'only a user buys in a flash sale');
    const userId = caller.userId;
    const fingerprint = requestHash({ saleId, quantity: input.quantity, code: input.code ?? null });
    const attempt = () =>
      this.#o.store.transaction(
        async (tx): Promise<PurchaseAnswer> => {
          const sale = await store.findSale(tx, saleId);
          if (!sale) throw new HubError('NOT_FOUND', 'flash sale not found');
          await store.lockBuyer(tx, saleId, userId);
          const previous = await store.findIdempotency(tx, userId, key);
          if (previous) {
            if (previous.request_hash !== fingerprint) {
              throw new HubError(
                'IDEMPOTENCY_KEY_REUSED',
                'this Idempotency-Key was used for a different purchase; use a new key for a new purchase',
              );
            }
            return { status: previous.status, body: previous.response, replayed: true };
          }
          const now = this.#o.now();
          const outcome = await this.#attempt(tx, sale, userId, input, now);
          const answer = answerBody(saleId, outcome);
          await store.insertIdempotency(tx, {
            user_id: userId,
            key,
            sale_id: saleId,
            request_hash: fingerprint,
            status: answer.status,
            response: answer.body,
            created_at: now,
          });
          return { status: answer.status, body: answer.body, replayed: false };
        },
        { durable: true },
      );
    try {
      return await attempt();
    } catch (err) {
      // PostgreSQL: the same key raced in another transaction; its answer is committed now.
      if (isDatabaseError(err, 'unique')) return attempt();
      throw err;
    }
  }

  async #attempt(
    tx: Transaction,
    sale: store.SaleRow,
    userId: string,
    input: PurchaseInput,
    now: number,
  ): Promise<Outcome> {
    if (now >= sale.closes_at) throw new HubError('INVALID_STATE', 'the sale has closed');
    if (input.code !== undefined) return this.#redeem(tx, sale, userId, input.code, now);
    if (now < sale.opens_at) {
      throw new HubError('INVALID_STATE', `the sale opens at ${new Date(sale.opens_at).toISOString()}`);
    }
    if (input.quantity > sale.per_user_limit) {
      throw quantityError(`must be at most the sale's per-user limit of ${sale.per_user_limit}`);
    }
    if (!(await store.findRegistration(tx, sale.id, userId))) {
      throw new HubError(
        'INVALID_STATE',
        'only users who registered before the opening may buy in this sale',
      );
    }
    const active = await store.activePurchase(tx, sale.id, userId);
    if (active) return { kind: 'reserved', purchase: active, currency: sale.currency };
    const waiting = await store.findWaitlisted(tx, sale.id, userId);
    if (waiting?.status === 'waiting') {
      return { kind: 'waitlisted', position: await store.waitlistPosition(tx, sale.id, waiting.seq) };
    }
    // In a draw, the units went to the winners at the opening: the others wait.
    // `sale` is a committed state read at the start: when it was sold out then, the answer is sold out
    // (or the waitlist) without queueing on the sale's row; otherwise the conditional update decides.
    const soldByDraw = sale.mode === 'draw';
    const mayHaveUnits = sale.taken + input.quantity <= sale.cap;
    if (!soldByDraw && mayHaveUnits && (await store.takeUnits(tx, sale.id, input.quantity))) {
      if (!(await store.addUserUnits(tx, sale.id, userId, input.quantity, sale.per_user_limit))) {
        throw quantityError(`would pass the sale's per-user limit of ${sale.per_user_limit}`);
      }
      return this.#reserve(tx, sale, userId, input.quantity, 'open', now);
    }
    if (waiting === undefined && sale.waitlist_seq < sale.waitlist_cap) {
      const seq = await store.joinWaitlist(tx, sale.id, userId, now);
      if (seq !== undefined)
        return { kind: 'waitlisted', position: await store.waitlistPosition(tx, sale.id, seq) };
    }
    throw new HubError('OUT_OF_STOCK', 'sold out: every unit is taken and the waitlist is full');
  }

  async #redeem(
    tx: Transaction,
    sale: store.SaleRow,
    userId: string,
    code: string,
    now: number,
  ): Promise<Outcome> {
    const row = await store.findCodeByHash(tx, hashSecret(normalizeCode(code)));
    if (!row || row.sale_id !== sale.id) {
      throw new HubError('NOT_FOUND', '/code is not a priority code of this sale', {
        errors: [{ path: '/code', message: 'is not a priority code of this sale' }],
      });
    }
    if (row.redeemed_by !== null)
      throw new HubError('INVALID_STATE', 'this priority code was already redeemed');
    if (await store.activePurchase(tx, sale.id, userId)) {
      throw new HubError(
        'INVALID_STATE',
        'you already hold an unpaid reservation in this sale: pay or cancel it first',
      );
    }
    if (!(await store.addUserUnits(tx, sale.id, userId, 1, sale.per_user_limit))) {
      throw quantityError(`would pass the sale's per-user limit of ${sale.per_user_limit}`);
    }
    // The code's unit is already counted in `taken`: redeeming moves it from the code to the purchase.
    const outcome = await this.#reserve(tx, sale, userId, 1, 'code', now);
    if (!(await store.redeemCode(tx, row.id, userId, outcome.purchase.id, now))) {
      throw new HubError('INVALID_STATE', 'this priority code was already redeemed');
    }
    await store.codeRedeemed(tx, sale.id);
    return outcome;
  }

  async #reserve(
    tx: Transaction,
    sale: store.SaleRow,
    userId: string,
    quantity: number,
    source: store.PurchaseSource,
    now: number,
  ): Promise<Outcome & { kind: 'reserved' }> {
    const holdMs = source === 'waitlist' ? sale.offer_hold_ms : sale.payment_window_ms;
    const row = {
      id: newId(),
      sale_id: sale.id,
      user_id: userId,
      quantity,
      // A deposit sale's purchase pays the deposit now; the balance comes with the batch.
      amount_minor: lineAmount(sale.deposit_minor ?? sale.price_minor, quantity, '/quantity'),
      source,
      created_at: now,
      expires_at: now + holdMs,
    };
    await store.insertPurchase(tx, row);
    const purchase = await store.findPurchase(tx, row.id);
    if (!purchase) throw new HubError('INTERNAL', 'the purchase just written is missing');
    return { kind: 'reserved', purchase, currency: sale.currency };
  }

  async view(caller: Identity, purchaseId: string): Promise<PurchaseView> {
    const p = await store.findPurchase(this.#o.store, purchaseId);
    const sale = p ? await store.findSale(this.#o.store, p.sale_id) : undefined;
    if (!p || !sale || !canSee(caller, p, sale)) throw new HubError('NOT_FOUND', 'purchase not found');
    return purchaseView(p, sale.currency);
  }

  /** A user's own purchases, or (partner, operator) a sale's. */
  async list(
    caller: Identity,
    q: { saleId?: string | undefined },
    page: PageRequest,
  ): Promise<Page<PurchaseView>> {
    const userId = await listScope(this.#o.store, caller, q.saleId);
    const rows = await store.purchasesOf(this.#o.store, {
      ...(q.saleId !== undefined ? { saleId: q.saleId } : {}),
      ...(userId !== undefined ? { userId } : {}),
      after: page.after as readonly [number, string] | undefined,
      limit: page.limit,
    });
    const shown = rows.slice(0, page.limit);
    const currencies = new Map<string, string>();
    for (const r of shown) {
      if (!currencies.has(r.sale_id)) {
        currencies.set(r.sale_id, (await store.findSale(this.#o.store, r.sale_id))?.currency ?? '');
      }
    }
    const last = shown.at(-1);
    return {
      items: shown.map((r) => purchaseView(r, currencies.get(r.sale_id) ?? '')),
      next: rows.length > page.limit && last ? [last.created_at, last.id] : null,
    };
  }

  /** The buyer (or an operator) gives an unpaid reservation back: its units go to the waitlist at once. */
  async cancel(caller: Identity, purchaseId: string): Promise<PurchaseView> {
    const now = this.#o.now();
    await this.#o.store.transaction(
      async (tx) => {
        const p = await store.findPurchase(tx, purchaseId);
        const sale = p ? await store.findSale(tx, p.sale_id) : undefined;
        const allowed =
          caller.kind === 'operator' || (caller.kind === 'user' && p?.user_id === caller.userId);
        if (!p || !sale || !allowed) throw new HubError('NOT_FOUND', 'purchase not found');
        if (!(await this.release(tx, p, 'cancelled', now))) {
          throw new HubError('INVALID_STATE', `the purchase is ${p.status}, not awaiting payment`);
        }
        await this.offer(tx, sale.id, now);
      },
      { durable: true },
    );
    return this.view(caller, purchaseId);
  }

  /** Ends an unpaid reservation and gives its units back to the cap; false if it was not reserved. */
  async release(
    tx: Transaction,
    p: store.PurchaseRow,
    to: 'expired' | 'cancelled',
    now: number,
  ): Promise<boolean> {
    if (!(await store.endPurchase(tx, p.id, to, now))) return false;
    await store.releaseUnits(tx, p.sale_id, p.quantity);
    await store.subtractUserUnits(tx, p.sale_id, p.user_id, p.quantity);
    if (p.source === 'waitlist') await store.setWaitlistStatus(tx, p.sale_id, p.user_id, 'lapsed', null);
    return true;
  }

  /** Offers free units to the waitlist in order, one unit each, each held for the sale's offer time. */
  async offer(tx: Transaction, saleId: string, now: number): Promise<number> {
    let offered = 0;
    for (;;) {
      const sale = await store.findSale(tx, saleId);
      if (!sale || now >= sale.closes_at || sale.taken >= sale.cap) return offered;
      const [next] = await store.nextWaiting(tx, saleId, 1);
      if (!next) return offered;
      const eligible =
        !(await store.activePurchase(tx, saleId, next.user_id)) &&
        (await store.addUserUnits(tx, saleId, next.user_id, 1, sale.per_user_limit));
      if (!eligible) {
        await store.setWaitlistStatus(tx, saleId, next.user_id, 'lapsed', null);
        continue;
      }
      await store.takeUnits(tx, saleId, 1);
      const { purchase } = await this.#reserve(tx, sale, next.user_id, 1, 'waitlist', now);
      await store.setWaitlistStatus(tx, saleId, next.user_id, 'offered', purchase.id);
      offered++;
    }
  }
}

function canSee(caller: Identity, p: store.PurchaseRow, sale: store.SaleRow): boolean {
  if (caller.kind === 'operator') return true;
  if (caller.kind === 'partner') return sale.partner_id === caller.partnerId;
  return p.user_id === caller.userId;
}

function quantityError(message: string): HubError {
  return new HubError('INVALID_STATE', `/quantity ${message}`, { errors: [{ path: '/quantity', message }] });
}
