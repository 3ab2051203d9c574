import { type Db, inTransaction, prepared } from '../../store/database.js';
import * as store from './store.js';

export interface DesiredView {
  /** Values set and not yet reflected by the device, with when they were set. */
  readonly desired: Record<string, { value: unknown; setAt: string }>;
  /** The last value of each property the device refused, and why (its error code and message). */
  readonly refused: Record<string, { value: unknown; code: string; message: string; refusedAt: string }>;
}

/**
 * Desired state, as in an AWS IoT shadow: what a user set that the device has not reflected yet.
 * Kept until a report carries exactly that value, the device refuses it, a user clears it, or the
 * user who set it loses the device; on reconnect the device gets the delta (desired values that
 * differ from what it last reported), never an empty set.
 */
export class DesiredState {
  readonly #db: Db;
  readonly #now: () => number;
  /** Devices with at least one desired value: reports of all other devices skip the check entirely. */
  readonly #devices = new Set<string>();

  constructor(db: Db, now: () => number) {
    this.#db = db;
    this.#now = now;
    const rows = prepared(db, 'SELECT DISTINCT device_id FROM device_desired').all() as Array<{
      device_id: string;
    }>;
    for (const r of rows) this.#devices.add(r.device_id);
  }

  set(deviceId: string, props: Record<string, unknown>, userId: string): void {
    const at = this.#now();
    inTransaction(this.#db, () => {
      for (const [property, value] of Object.entries(props)) {
        store.upsertDesired(this.#db, deviceId, property, JSON.stringify(value), at, userId);
        store.deleteRefusal(this.#db, deviceId, property);
      }
    });
    this.#devices.add(deviceId);
  }

  /** A hint: false means no desired value for sure; true means look (values() may still be empty). */
  has(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  values(deviceId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of store.readDesired(this.#db, deviceId)) out[row.property] = JSON.parse(row.value);
    return out;
  }

  view(deviceId: string): DesiredView['desired'] {
    const out: DesiredView['desired'] = {};
    for (const row of store.readDesired(this.#db, deviceId)) {
      out[row.property] = { value: JSON.parse(row.value), setAt: new Date(row.set_at).toISOString() };
    }
    return out;
  }

  /** Desired values and refusals, for the device's users (REST and MQTT). */
  fullView(deviceId: string): DesiredView {
    const refused: DesiredView['refused'] = {};
    for (const r of store.readRefusals(this.#db, deviceId)) {
      refused[r.property] = {
        value: JSON.parse(r.value),
        code: r.code,
        message: r.message,
        refusedAt: new Date(r.refused_at).toISOString(),
      };
    }
    return { desired: this.view(deviceId), refused };
  }

  /**
   * What the device should still be told: the desired values that differ from what it last
   * reported (`reported` maps property to the stored JSON). Desired values it already reports are
   * satisfied and cleared here.
   */
  delta(deviceId: string, reported: ReadonlyMap<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    inTransaction(this.#db, () => {
      for (const row of store.readDesired(this.#db, deviceId)) {
        if (reported.get(row.property) === row.value) {
          store.clearDesiredIfReported(this.#db, deviceId, row.property, row.value);
        } else {
          out[row.property] = JSON.parse(row.value);
        }
      }
    });
    if (Object.keys(out).length === 0) this.#devices.delete(deviceId);
    return out;
  }

  /** A report was stored: clear each desired value it now matches. */
  reported(deviceId: string, props: Record<string, unknown>): void {
    if (!this.#devices.has(deviceId)) return;
    for (const [property, value] of Object.entries(props)) {
      store.clearDesiredIfReported(this.#db, deviceId, property, JSON.stringify(value));
    }
    this.#recheck(deviceId);
  }

  /**
   * The device answered a set with an error: each value it was sent that is still the desired one
   * stops being desired (it would be refused again on every reconnect), and the refusal is kept.
   */
  refused(deviceId: string, sent: Record<string, unknown>, reason: { code: string; message: string }): void {
    if (!this.#devices.has(deviceId)) return;
    const at = this.#now();
    inTransaction(this.#db, () => {
      const current = new Map(store.readDesired(this.#db, deviceId).map((r) => [r.property, r]));
      for (const [property, value] of Object.entries(sent)) {
        const row = current.get(property);
        const json = JSON.stringify(value);
        if (row?.value !== json) continue; // set again since: the newer value stays desired
        store.clearDesiredIfReported(this.#db, deviceId, property, json);
        store.upsertRefusal(this.#db, deviceId, {
          property,
          value: json,
          code: reason.code.slice(0, 64),
          message: reason.message.slice(0, 1024),
          refused_at: at,
          set_by: row.set_by,
        });
      }
    });
    this.#recheck(deviceId);
  }

  /** A user cleared desired values (all, or some properties); refusals of those go too. */
  clear(deviceId: string, properties?: readonly string[]): void {
    inTransaction(this.#db, () => {
      if (properties === undefined) store.deleteDesired(this.#db, deviceId);
      else for (const p of properties) store.deleteDesired(this.#db, deviceId, p);
    });
    this.#recheck(deviceId);
  }

  /** Users lost devices: drop what they left desired on devices they may no longer control. */
  accessChanged(userIds: readonly string[]): void {
    for (const userId of userIds) {
      for (const deviceId of store.deleteDesiredWithoutAccess(this.#db, userId)) this.#recheck(deviceId);
    }
  }

  /** Every binding of the device went (removed by its owner): so did its desired state. */
  forget(deviceId: string): void {
    this.#devices.delete(deviceId);
  }

  #recheck(deviceId: string): void {
    if (!store.hasDesired(this.#db, deviceId)) this.#devices.delete(deviceId);
  }
}
