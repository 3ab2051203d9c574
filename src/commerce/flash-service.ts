import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { type Limits, localLimits, type RateLimit } from '../limits.js';
import type { Engine, Queryable } from '../store/engine.js';
import { FlashBatches } from './flash-batches.js';
import { FlashMargins } from './flash-margins.js';
import { FlashPayments, type Fulfil } from './flash-payments.js';
import { FlashPreorders, type PreorderLinks } from './flash-preorders.js';
import { FlashPurchases, type PurchaseAnswer, type PurchaseInput } from './flash-purchases.js';
import { FlashSales, type SkuFacts } from './flash-sales.js';
import type { FlashSettings } from './flash-settings.js';
import * as store from './flash-store.js';

export interface FlashServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly settings: FlashSettings;
  readonly skuOf: (caller: Identity, skuId: string) => Promise<SkuFacts>;
  readonly fulfil: Fulfil;
  /** Pre-orders' links to orders, payments and the ledger (flash-fulfil.ts). */
  readonly preorderLinks: PreorderLinks;
  /** Commission rate (bp) in force for a partner at a time (PartnerService.rateAt). */
  readonly rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
  /** Where the module's metrics go (the hub's registry). */
  readonly registry?: Registry;
  /** Where the per-user and per-address limits count (Redis in a cluster); this process by default. */
  readonly limits?: Limits;
}

const SWEEP_BATCH = 500;

/**
 * Flash sales as the API sees them: the sales and purchases services, the abuse limits in front of
 * purchases (per user, per address, a bound on purchases in flight answered with a queue position),
 * and the sweep that expires reservations, makes waitlist offers, runs due draws and retries
 * fulfilment. `close()` stops the sweep.
 */
export class FlashService {
  readonly sales: FlashSales;
  readonly purchases: FlashPurchases;
  readonly payments: FlashPayments;
  readonly preorders: FlashPreorders;
  readonly batches: FlashBatches;
  readonly margins: FlashMargins;
  readonly #o: FlashServiceOptions;
  readonly #perUser: RateLimit;
  readonly #perAddress: RateLimit;
  readonly #answers: Counter<'outcome'>;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(o: FlashServiceOptions) {
    this.#o = o;
    const s = o.settings;
    this.sales = new FlashSales({
      store: o.store,
      log: o.log.child({ part: 'sales' }),
      now: o.now,
      paymentWindowMs: s.paymentWindowMs,
      offerHoldMs: s.offerHoldMs,
      skuOf: o.skuOf,
    });
    this.purchases = new FlashPurchases({
      store: o.store,
      log: o.log.child({ part: 'purchases' }),
      now: o.now,
    });
    const registers = o.registry ? [o.registry] : [];
    this.preorders = new FlashPreorders({
      store: o.store,
      log: o.log.child({ part: 'preorders' }),
      now: o.now,
      links: o.preorderLinks,
    });
    this.payments = new FlashPayments({
      store: o.store,
      log: o.log.child({ part: 'payments' }),
      now: o.now,
      fulfil: o.fulfil,
      depositPaid: (tx, p, sale, now) => this.preorders.depositPaid(tx, p, sale, now),
    });
    const releases = new Counter({
      name: 'ecohub_flash_batch_releases_total',
      help: 'Production batches released, by reason (not_held, margin, partner)',
      labelNames: ['reason'],
      registers,
    });
    this.batches = new FlashBatches({
      store: o.store,
      log: o.log.child({ part: 'batches' }),
      now: o.now,
      rateAt: o.rateAt,
      allocate: (tx, modelId, now) => this.preorders.allocate(tx, modelId, now),
      onRelease: (reason) => releases.inc({ reason }),
    });
    this.margins = new FlashMargins({ store: o.store, now: o.now, rateAt: o.rateAt, batches: this.batches });
    const limits = o.limits ?? localLimits(o.now);
    this.#perUser = limits.rate('flash-user', { ratePerSec: s.userRatePerSec, burst: s.userBurst });
    this.#perAddress = limits.rate('flash-address', {
      ratePerSec: s.addressRatePerSec,
      burst: s.addressBurst,
    });
    this.#answers = new Counter({
      name: 'ecohub_flash_purchase_answers_total',
      help: 'Flash-sale purchase attempts by answer (reserved, waitlisted, replayed, queued, limited, refused)',
      labelNames: ['outcome'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'ecohub_flash_purchases_in_flight',
      help: 'Flash-sale purchases being processed now',
      registers,
      collect() {
        this.set(self.#inFlight);
      },
    });
    this.#timer = setInterval(() => void this.sweep(), s.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Takes one token of a caller's budget; RATE_LIMITED with Retry-After when it is spent. */
  async limit(kind: 'user' | 'address', key: string): Promise<void> {
    const waitMs = await (kind === 'user' ? this.#perUser : this.#perAddress).take(key);
    if (waitMs > 0) {
      this.#answers.inc({ outcome: 'limited' });
      const seconds = Math.ceil(waitMs / 1000);
      throw new HubError('RATE_LIMITED', `too many attempts from this ${kind}: retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
  }

  /**
   * A purchase attempt through the abuse limits. When the hub is saturated the answer is a queue
   * position (202 `queued`, nothing created): retry with the same Idempotency-Key after Retry-After.
   */
  async buy(
    caller: Identity,
    address: string,
    saleId: string,
    key: string,
    input: PurchaseInput,
  ): Promise<PurchaseAnswer & { retryAfter?: number }> {
    await this.limit('address', address);
    if (caller.kind === 'user') await this.limit('user', caller.userId);
    const max = this.#o.settings.maxInFlight;
    if (this.#inFlight >= max) {
      this.#answers.inc({ outcome: 'queued' });
      const position = this.#inFlight - max + 1;
      const retryAfter = Math.max(1, Math.ceil(position / max));
      return {
        status: 202,
        body: JSON.stringify({ outcome: 'queued', saleId, position, retryAfterMs: retryAfter * 1000 }),
        replayed: false,
        retryAfter,
      };
    }
    this.#inFlight++;
    try {
      await this.sales.runDrawIfDue(saleId);
      const answer = await this.purchases.purchase(caller, saleId, key, input);
      this.#answers.inc({
        outcome: answer.replayed ? 'replayed' : answer.status === 201 ? 'reserved' : 'waitlisted',
      });
      return answer;
    } catch (err) {
      this.#answers.inc({ outcome: 'refused' });
      throw err;
    } finally {
      this.#inFlight--;
    }
  }

  /** One pass of the sweep; concurrent calls share the running pass. */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    const { store: engine, log, now } = this.#o;
    try {
      for (const { id } of await store.dueDraws(engine, now())) await this.sales.runDrawIfDue(id);
      for (;;) {
        const at = now();
        const expired = await store.expiredPurchases(engine, at, SWEEP_BATCH);
        for (const p of expired) {
          await engine.transaction(
            async (tx) => {
              if (await this.purchases.release(tx, p, 'expired', at))
                await this.purchases.offer(tx, p.sale_id, at);
            },
            { durable: true },
          );
        }
        if (expired.length < SWEEP_BATCH) break;
      }
      for (const p of await store.unfulfilled(engine, SWEEP_BATCH)) {
        const sale = await store.findSale(engine, p.sale_id);
        if (sale) await this.payments.fulfilOne(p, sale).catch(() => undefined);
      }
      await this.batches.releaseDue();
      await this.preorders.sweep();
    } catch (err) {
      log.error({ err }, 'the flash-sale sweep failed');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }
}
