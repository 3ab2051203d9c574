import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import { newId } from '../identity/secrets.js';
import type { Engine, Transaction } from '../store/engine.js';
import type { Page, PageRequest } from '../store/page.js';
import { drawOrder } from './flash-draw.js';
import * as store from './flash-store.js';
import { saleView } from './flash-views.js';

export interface DrawTicket {
  readonly number: number;
  readonly ticket: string;
  readonly won: boolean;
}

export interface FlashDrawsOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
}

/** Sales remembered as needing no draw (a cache: past it, every sale is read again once). */
const SETTLED_SALES = 10_000;

/**
 * The committed draw of a draw-mode sale (docs/flash-sales.md, "Fair allocation"): run once at the
 * opening, in order of SHA-256(seed:ticket); winners get a reservation, the others the waitlist.
 */
export class FlashDraws {
  readonly #o: FlashDrawsOptions;
  /** Sales that need no draw now or ever (first come, or drawn): bounded, forgotten wholesale. */
  readonly #noDrawDue = new Set<string>();

  constructor(options: FlashDrawsOptions) {
    this.#o = options;
  }

  /**
   * Runs the draw of a draw-mode sale once it has opened; true when this call ran it. Every purchase
   * asks first, so the answer for a sale that needs no draw (first come, or drawn already: both
   * final) is kept in memory, and a committed read decides whether to open a transaction at all.
   */
  async runDrawIfDue(saleId: string): Promise<boolean> {
    if (this.#noDrawDue.has(saleId)) return false;
    const now = this.#o.now();
    const seen = await store.findSale(this.#o.store, saleId);
    if (seen?.mode !== 'draw' || seen.drawn_at !== null) {
      if (seen) this.#settle(saleId);
      return false;
    }
    if (now < seen.opens_at) return false;
    const ran = await this.#o.store.transaction(
      async (tx) => {
        const sale = await store.findSale(tx, saleId);
        if (sale?.mode !== 'draw' || sale.drawn_at !== null || now < sale.opens_at) return false;
        if (!(await store.markDrawn(tx, saleId, now))) return false;
        await this.#draw(tx, sale, now);
        return true;
      },
      { durable: true, isolation: 'serializable' },
    );
    if (ran) this.#o.log.info({ saleId }, 'flash sale draw made');
    this.#settle(saleId);
    return ran;
  }

  #settle(saleId: string): void {
    if (this.#noDrawDue.size >= SETTLED_SALES) this.#noDrawDue.clear();
    this.#noDrawDue.add(saleId);
  }

  async #draw(tx: Transaction, sale: store.SaleRow, now: number): Promise<void> {
    const registrations = await store.registrationsOf(tx, sale.id);
    const byTicket = new Map(registrations.map((r) => [r.ticket, r]));
    let free = sale.cap - sale.taken;
    for (const ticket of drawOrder(sale.seed, [...byTicket.keys()])) {
      const r = byTicket.get(ticket);
      if (!r) continue;
      const eligible = free > 0 && !(await store.activePurchase(tx, sale.id, r.user_id));
      if (eligible && (await store.addUserUnits(tx, sale.id, r.user_id, 1, sale.per_user_limit))) {
        await store.takeUnits(tx, sale.id, 1);
        await store.insertPurchase(tx, {
          id: newId(),
          sale_id: sale.id,
          user_id: r.user_id,
          quantity: 1,
          amount_minor: sale.price_minor,
          source: 'draw',
          created_at: now,
          expires_at: now + sale.payment_window_ms,
        });
        free--;
      } else if (!(await store.findWaitlisted(tx, sale.id, r.user_id))) {
        await store.joinWaitlist(tx, sale.id, r.user_id, now);
      }
    }
  }

  /** The draw, recomputable: tickets in registration order, which won, the seed hash and (after close) the seed. */
  async draw(
    saleId: string,
    page: PageRequest,
  ): Promise<
    Page<DrawTicket> & { saleId: string; seedHash: string; seed: string | null; drawnAt: string | null }
  > {
    const sale = await store.findSale(this.#o.store, saleId);
    if (sale?.mode !== 'draw') throw new HubError('NOT_FOUND', 'no draw for this sale');
    const view = saleView(sale, this.#o.now());
    const head = { saleId, seedHash: sale.seed_hash, seed: view.seed, drawnAt: view.drawnAt };
    if (sale.drawn_at === null) return { ...head, items: [], next: null };
    const after = (page.after?.[0] as number | undefined) ?? 0;
    const rows = await store.drawTickets(this.#o.store, saleId, after, page.limit);
    const shown = rows.slice(0, page.limit);
    return {
      ...head,
      items: shown.map((r) => ({ number: r.seq, ticket: r.ticket, won: r.won })),
      next: rows.length > page.limit && shown.length > 0 ? [shown[shown.length - 1]?.seq ?? 0] : null,
    };
  }
}
