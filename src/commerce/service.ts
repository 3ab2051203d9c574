import type { Logger } from 'pino';
import type { CommerceSettings } from '../config.js';
import { HubError } from '../errors.js';
import type { LedgerService } from '../partners/ledger.js';
import type { Engine, Queryable, Transaction } from '../store/engine.js';
import { ActivationRecorder } from './activations.js';
import { CatalogService } from './catalog.js';
import { OrderService } from './orders.js';
import { PaymentService } from './payments.js';
import { RefundService } from './refunds.js';
import { type Verification, verifyWebhook } from './signature.js';

export interface CommerceOptions {
  /** Commerce writes are durable transactions: fsynced at commit on SQLite too (docs/commerce.md). */
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly settings: CommerceSettings;
  readonly ledger: LedgerService;
  readonly rateAt: (partnerId: string, atMs: number, db: Queryable) => Promise<number>;
  /** The webhook HMAC key; undefined = payments are not configured (the webhook answers 503). */
  readonly webhookSecret: string | undefined;
}

/**
 * The hub's sales channel: catalog and BOM, orders with reserved stock, payments, refunds and
 * activations. Owns the sweep timer that returns expired reservations to stock; `close()` stops it.
 */
export class CommerceService {
  readonly catalog: CatalogService;
  readonly orders: OrderService;
  readonly refunds: RefundService;
  readonly payments: PaymentService;
  readonly activations: ActivationRecorder;
  readonly #webhookSecret: string | undefined;
  readonly #now: () => number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;

  constructor(o: CommerceOptions) {
    const base = { store: o.store, now: o.now };
    this.#log = o.log;
    this.#webhookSecret = o.webhookSecret;
    this.#now = o.now;
    this.catalog = new CatalogService({ ...base, log: o.log.child({ part: 'catalog' }) });
    this.orders = new OrderService({
      ...base,
      log: o.log.child({ part: 'orders' }),
      paymentWindowMs: o.settings.paymentWindowMs,
    });
    this.refunds = new RefundService({
      ...base,
      log: o.log.child({ part: 'refunds' }),
      ledger: o.ledger,
      orders: this.orders,
      returnWindowMs: o.settings.returnWindowMs,
    });
    this.payments = new PaymentService({
      ...base,
      log: o.log.child({ part: 'payments' }),
      ledger: o.ledger,
      refunds: this.refunds,
      rateAt: o.rateAt,
    });
    this.activations = new ActivationRecorder({ ...base, ledger: o.ledger });
    this.#timer = setInterval(() => this.#sweep(), o.settings.sweepIntervalMs);
    this.#timer.unref();
  }

  /** User id of the paid, not refunded order a device was sold on (for claiming without a pairing code). */
  buyerOf(deviceId: string, db?: Queryable): Promise<string | undefined> {
    return this.activations.buyerOf(deviceId, db);
  }

  /** The first claim of a sold device activates it; recorded in the claim's transaction (`tx`). */
  activate(tx: Transaction, claim: { deviceId: string; userId: string; at: number }): Promise<boolean> {
    return this.activations.record(tx, claim);
  }

  /**
   * True while an unpaid order holds the device: it may not be claimed then. Read inside the
   * claim's transaction (`db`); the database itself refuses a claim and a reservation of the same
   * device racing each other (migration 0070's triggers), so the two never both succeed.
   */
  isReserved(deviceId: string, db?: Queryable): Promise<boolean> {
    return this.orders.isReserved(deviceId, db);
  }

  /**
   * Checks a webhook's signature and timestamp against the secret and the hub clock. Throws
   * UNAVAILABLE when no secret is configured: without one no event can be trusted.
   */
  verifyWebhook(
    headers: { timestamp: string | undefined; signature: string | undefined },
    raw: Buffer,
  ): Verification {
    if (this.#webhookSecret === undefined) {
      throw new HubError('UNAVAILABLE', 'payments are not configured (set ECOHUB_PAYMENT_WEBHOOK_SECRET)');
    }
    return verifyWebhook({ secret: this.#webhookSecret, ...headers, raw, now: this.#now() });
  }

  /** Stops the sweep timer and waits for a sweep in flight (before the engine closes). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }

  #sweep(): void {
    if (this.#sweeping) return;
    this.#sweeping = this.orders
      .sweep()
      .catch((err: unknown) => this.#log.error({ err }, 'sweeping expired reservations failed'))
      .finally(() => {
        this.#sweeping = undefined;
      });
  }
}
