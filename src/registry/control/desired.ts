import { type Db, inTransaction, prepared } from '../../store/database.js';
import * as store from './store.js';

/**
 * Desired state, as in an AWS IoT shadow: what a user set that the device has not reflected yet.
 * Kept until a report carries exactly that value; sent to the device again when it reconnects.
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
      }
    });
    this.#devices.add(deviceId);
  }

  has(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  values(deviceId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of store.readDesired(this.#db, deviceId)) out[row.property] = JSON.parse(row.value);
    return out;
  }

  view(deviceId: string): Record<string, { value: unknown; setAt: string }> {
    const out: Record<string, { value: unknown; setAt: string }> = {};
    for (const row of store.readDesired(this.#db, deviceId)) {
      out[row.property] = { value: JSON.parse(row.value), setAt: new Date(row.set_at).toISOString() };
    }
    return out;
  }

  /** A report was stored: clear each desired value it now matches. */
  reported(deviceId: string, props: Record<string, unknown>): void {
    if (!this.#devices.has(deviceId)) return;
    for (const [property, value] of Object.entries(props)) {
      store.clearDesiredIfReported(this.#db, deviceId, property, JSON.stringify(value));
    }
    if (!store.hasDesired(this.#db, deviceId)) this.#devices.delete(deviceId);
  }

  forget(deviceId: string): void {
    this.#devices.delete(deviceId);
  }
}
