import type { Logger } from 'pino';
import type { LedgerService } from '../partners/ledger.js';
import type { ActivationSource } from '../partners/statements.js';
import { type Db, inTransaction } from '../store/database.js';
import * as store from './store-payments.js';

export interface ActivationOptions {
  readonly db: Db;
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

  /** User id of the paid, not refunded order the device was sold on; undefined if none. */
  buyerOf(deviceId: string): string | undefined {
    return store.saleOfDevice(this.#o.db, deviceId)?.user_id;
  }

  /** Records the first claim of a sold device; false for a device not sold here or already activated. */
  record(claim: { deviceId: string; userId: string; at: number }): boolean {
    const recorded = inTransaction(this.#o.db, () => {
      const sale = store.saleOfDevice(this.#o.db, claim.deviceId);
      if (!sale) return false;
      return store.insertActivation(this.#o.db, {
        device_id: claim.deviceId,
        order_id: sale.order_id,
        line_no: sale.line_no,
        partner_id: sale.partner_id,
        user_id: claim.userId,
        currency: sale.currency,
        activated_at: claim.at,
        statement_month: this.#o.ledger.openMonth(this.#o.now()),
      });
    });
    if (recorded) this.#o.log.info({ deviceId: claim.deviceId }, 'sold device activated');
    return recorded;
  }

  unitsActivated(partnerId: string, month: string): ReadonlyMap<string, number> {
    return new Map(store.activationCounts(this.#o.db, partnerId, month).map((r) => [r.currency, r.units]));
  }

  partnersWithActivations(month: string): readonly string[] {
    return store.partnersWithActivations(this.#o.db, month);
  }
}
