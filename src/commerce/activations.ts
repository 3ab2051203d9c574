import type { Logger } from 'pino';
import type { LedgerService } from '../partners/ledger.js';
import type { ActivationSource } from '../partners/statements.js';
import type { Engine, Queryable } from '../store/engine.js';
import * as store from './store-payments.js';

export interface ActivationOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly ledger: LedgerService;
}

/**
 * Sale -> device -> activation. A sold device is activated when a user first claims it (the
 * registry's `claimed` event); the activation is dated in the statement month open at that moment.
 */
export class ActivationRecorder implements ActivationSource {
  readonly #o: ActivationOptions;

  constructor(options: ActivationOptions) {
    this.#o = options;
  }

  /** User id of the paid, not refunded order the device was sold on; undefined if none (`db`: the claim's transaction). */
  async buyerOf(deviceId: string, db: Queryable = this.#o.store): Promise<string | undefined> {
    return (await store.saleOfDevice(db, deviceId))?.user_id;
  }

  /** Records the first claim of a sold device; false for a device not sold here or already activated. */
  async record(claim: { deviceId: string; userId: string; at: number }): Promise<boolean> {
    const recorded = await this.#o.store.transaction(
      async (tx) => {
        const sale = await store.saleOfDevice(tx, claim.deviceId);
        if (!sale) return false;
        return store.insertActivation(tx, {
          device_id: claim.deviceId,
          order_id: sale.order_id,
          line_no: sale.line_no,
          partner_id: sale.partner_id,
          user_id: claim.userId,
          currency: sale.currency,
          activated_at: claim.at,
          statement_month: await this.#o.ledger.openMonth(tx, this.#o.now()),
        });
      },
      { durable: true },
    );
    if (recorded) this.#o.log.info({ deviceId: claim.deviceId }, 'sold device activated');
    return recorded;
  }

  async unitsActivated(partnerId: string, month: string): Promise<ReadonlyMap<string, number>> {
    const rows = await store.activationCounts(this.#o.store, partnerId, month);
    return new Map(rows.map((r) => [r.currency, r.units]));
  }

  partnersWithActivations(month: string): Promise<readonly string[]> {
    return store.partnersWithActivations(this.#o.store, month);
  }
}
