import type { LedgerService } from '../partners/ledger.js';
import type { ActivationSource } from '../partners/statements.js';
import type { Engine, Queryable, Transaction } from '../store/engine.js';
import * as store from './store-payments.js';

export interface ActivationOptions {
  readonly store: Engine;
  readonly now: () => number;
  readonly ledger: LedgerService;
}

/**
 * Sale -> device -> activation. A sold device is activated when a user first claims it (in the
 * claim's transaction); the activation is dated in the statement month open at that moment.
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

  /**
   * Records the first claim of a sold device, inside the claim's transaction (`tx`): a claim that
   * was answered is counted, and one that was rolled back is not. False for a device not sold here
   * or already activated.
   */
  async record(tx: Transaction, claim: { deviceId: string; userId: string; at: number }): Promise<boolean> {
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
  }

  async unitsActivated(partnerId: string, month: string): Promise<ReadonlyMap<string, number>> {
    const rows = await store.activationCounts(this.#o.store, partnerId, month);
    return new Map(rows.map((r) => [r.currency, r.units]));
  }

  partnersWithActivations(month: string): Promise<readonly string[]> {
    return store.partnersWithActivations(this.#o.store, month);
  }
}
