import type { HubContext } from '../hub-context.js';
import type { Limits } from '../limits.js';
import type { HubMetrics } from '../metrics.js';
import { LedgerService } from '../partners/ledger.js';
import type { PartnerService } from '../partners/service.js';
import { StatementService } from '../partners/statements.js';
import type { Queryable } from '../store/engine.js';
import { fulfilThroughOrders, preorderLinksThroughOrders } from './flash-fulfil.js';
import { FlashService } from './flash-service.js';
import { CommerceService } from './service.js';

/** What the hub hands commerce beside its context: partners' contracts, metrics, abuse limits. */
export interface CommerceWiring extends HubContext {
  readonly partners: PartnerService;
  readonly metrics: HubMetrics;
  readonly limits: Limits;
}

/** The money side of the hub: what the REST API serves of it, and what the hub closes on stop. */
export interface CommerceServices {
  /** The sales channel: catalog, orders, payments, refunds, activations (docs/commerce.md). */
  readonly commerce: CommerceService;
  /** Flash sales, registrations, priority codes, the waitlist (docs/flash-sales.md). */
  readonly flash: FlashService;
  /** The partners' commission ledger, append-only (docs/commerce.md). */
  readonly ledger: LedgerService;
  /** The partners' monthly statements, derived from the ledger and flash deposits. */
  readonly statements: StatementService;
}

/**
 * Builds the sales channel, flash sales and the partners' ledger and statements. Commerce and ledger
 * writes are durable transactions (fsynced at commit on SQLite too): a paid order and its ledger
 * entries survive power loss, not only a crash (docs/commerce.md, "Durability").
 */
export function wireCommerce(wiring: CommerceWiring): CommerceServices {
  const { store, log, options, partners, started } = wiring;
  const rateAt = (partnerId: string, atMs: number, tx: Queryable) => partners.rateAt(partnerId, atMs, tx);
  const ledger = new LedgerService({
    store,
    log: log.child({ module: 'ledger' }),
    now: options.now,
  });
  const commerce = new CommerceService({
    store,
    log: log.child({ module: 'commerce' }),
    now: options.now,
    settings: options.commerce,
    ledger,
    rateAt,
    webhookSecret: options.paymentWebhookSecret,
  });
  started.push(() => commerce.close());
  const flash = new FlashService({
    store,
    log: log.child({ module: 'flash' }),
    now: options.now,
    settings: options.flash,
    skuOf: (caller, skuId) => commerce.catalog.sku(caller, skuId),
    fulfil: fulfilThroughOrders({ ...commerce, now: options.now }),
    preorderLinks: preorderLinksThroughOrders({
      ...commerce,
      ledger,
      rateAt,
      now: options.now,
    }),
    rateAt,
    registry: wiring.metrics.registry,
    limits: wiring.limits,
  });
  started.push(() => flash.close());
  const statements = new StatementService({
    store,
    log: log.child({ module: 'statements' }),
    now: options.now,
    activations: commerce.activations,
    deposits: {
      depositTotals: (partnerId, month) => flash.preorders.depositTotals(partnerId, month),
      partnersWithDeposits: (month) => flash.preorders.partnersWithDeposits(month),
    },
  });
  return { commerce, flash, ledger, statements };
}
