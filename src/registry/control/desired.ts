import type { Logger } from 'pino';
import type { Engine, Subscription } from '../../store/engine.js';
import * as store from './store-desired.js';

/** Channel naming a device that got desired values: every hub process adds it to its hint set. */
export const DESIRED_SET = 'device_desired';

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
  readonly #db: Engine;
  readonly #now: () => number;
  /**
   * Devices with at least one desired value: reports of all other devices skip the check entirely.
   * A set on any hub process on the database adds its device here (DESIRED_SET).
   */
  readonly #devices = new Set<string>();
  /**
   * Sets and clears of reflected values in progress, at most one chain per device: a read of the
   * device waits for its own, so whoever saw the report (or the command's "ok") never reads a
   * desired value the report already satisfied, nor misses one just set. Entries go when they end.
   */
  readonly #clearing = new Map<string, Promise<void>>();
  /** Bumped by every set: a recheck that raced with one keeps the device. */
  #sets = 0;
  #subscription: Subscription | undefined;

  constructor(db: Engine, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Loads the devices with desired values and listens for sets elsewhere; call before serving. */
  async start(log: Logger): Promise<void> {
    this.#subscription = await this.#db.listen(DESIRED_SET, {
      message: (deviceId) => this.#added(deviceId),
      reset: () => {
        log.warn('desired-state notifications were interrupted: reloading the devices with desired values');
        this.#load().catch((err: unknown) => log.error({ err }, 'reloading desired state failed'));
      },
    });
    await this.#load();
  }

  async close(): Promise<void> {
    await this.#subscription?.close();
    this.#subscription = undefined;
  }

  async #load(): Promise<void> {
    for (const deviceId of await store.devicesWithDesired(this.#db)) this.#added(deviceId);
  }

  #added(deviceId: string): void {
    this.#sets++;
    this.#devices.add(deviceId);
  }

  /**
   * Stores desired values. The device is marked as having desired values at once, and the reports'
   * clears, refusals and reads of the device queued after this wait for the write: a command may be
   * sent to the device while its desired values are being stored (commands.ts), and a report or a
   * refusal that comes back before they are committed still finds them.
   */
  set(deviceId: string, props: Record<string, unknown>, userId: string): Promise<void> {
    const at = this.#now();
    this.#added(deviceId);
    const writing = this.#db.transaction(async (tx) => {
      for (const [property, value] of Object.entries(props)) {
        await store.upsertDesired(tx, deviceId, property, JSON.stringify(value), at, userId);
        await store.deleteRefusal(tx, deviceId, property);
      }
      await tx.notify(DESIRED_SET, deviceId);
    });
    this.#after(deviceId, () => writing);
    return writing;
  }

  /** Runs `step` after the device's writes and clears in progress (one chain per device). */
  #after(deviceId: string, step: () => Promise<void>): Promise<void> {
    const before = this.#clearing.get(deviceId) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(step);
    this.#clearing.set(deviceId, next);
    const done = () => {
      if (this.#clearing.get(deviceId) === next) this.#clearing.delete(deviceId);
    };
    next.then(done, done);
    return next;
  }

  /** A hint: false means no desired value for sure; true means look (values() may still be empty). */
  has(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  async view(deviceId: string): Promise<DesiredView['desired']> {
    await this.#clearing.get(deviceId)?.catch(() => undefined);
    const out: DesiredView['desired'] = {};
    for (const row of await store.readDesired(this.#db, deviceId)) {
      out[row.property] = { value: JSON.parse(row.value), setAt: new Date(row.set_at).toISOString() };
    }
    return out;
  }

  /** Desired values and refusals, for the device's users (REST and MQTT). */
  async fullView(deviceId: string): Promise<DesiredView> {
    const refused: DesiredView['refused'] = {};
    for (const r of await store.readRefusals(this.#db, deviceId)) {
      refused[r.property] = {
        value: JSON.parse(r.value),
        code: r.code,
        message: r.message,
        refusedAt: new Date(r.refused_at).toISOString(),
      };
    }
    return { desired: await this.view(deviceId), refused };
  }

  /**
   * What the device should still be told: the desired values that differ from what it last
   * reported (`reported` maps property to the stored JSON). Desired values it already reports are
   * satisfied and cleared here.
   */
  async delta(deviceId: string, reported: ReadonlyMap<string, string>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    await this.#db.transaction(async (tx) => {
      for (const key of Object.keys(out)) delete out[key]; // a retried transaction starts over
      for (const row of await store.readDesired(tx, deviceId)) {
        if (reported.get(row.property) === row.value) {
          await store.clearDesiredIfReported(tx, deviceId, row.property, row.value);
        } else {
          out[row.property] = JSON.parse(row.value);
        }
      }
    });
    if (Object.keys(out).length === 0) await this.#recheck(deviceId);
    return out;
  }

  /** A report was stored: clear each desired value it now matches (reads of the device wait for it). */
  reported(deviceId: string, props: Record<string, unknown>): Promise<void> {
    if (!this.#devices.has(deviceId)) return Promise.resolve();
    return this.#after(deviceId, () => this.#clearReflected(deviceId, props));
  }

  async #clearReflected(deviceId: string, props: Record<string, unknown>): Promise<void> {
    let cleared = false;
    for (const [property, value] of Object.entries(props)) {
      if (await store.clearDesiredIfReported(this.#db, deviceId, property, JSON.stringify(value)))
        cleared = true;
    }
    if (cleared) await this.#recheck(deviceId);
  }

  /**
   * The device answered a set with an error: each value it was sent that is still the desired one
   * stops being desired (it would be refused again on every reconnect), and the refusal is kept.
   */
  async refused(
    deviceId: string,
    sent: Record<string, unknown>,
    reason: { code: string; message: string },
  ): Promise<void> {
    if (!this.#devices.has(deviceId)) return;
    // The values refused may still be being stored (the command went out while they were).
    await this.#clearing.get(deviceId)?.catch(() => undefined);
    const at = this.#now();
    await this.#db.transaction(async (tx) => {
      const current = new Map((await store.readDesired(tx, deviceId)).map((r) => [r.property, r]));
      for (const [property, value] of Object.entries(sent)) {
        const row = current.get(property);
        const json = JSON.stringify(value);
        if (row?.value !== json) continue; // set again since: the newer value stays desired
        await store.clearDesiredIfReported(tx, deviceId, property, json);
        await store.upsertRefusal(tx, deviceId, {
          property,
          value: json,
          code: reason.code.slice(0, 64),
          message: reason.message.slice(0, 1024),
          refused_at: at,
          set_by: row.set_by,
        });
      }
    });
    await this.#recheck(deviceId);
  }

  /** A user cleared desired values (all, or some properties); refusals of those go too. */
  async clear(deviceId: string, properties?: readonly string[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      if (properties === undefined) await store.deleteDesired(tx, deviceId);
      else for (const p of properties) await store.deleteDesired(tx, deviceId, p);
    });
    await this.#recheck(deviceId);
  }

  /** Users lost devices: drop what they left desired on devices they may no longer control. */
  async accessChanged(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) {
      for (const deviceId of await store.deleteDesiredWithoutAccess(this.#db, userId)) {
        await this.#recheck(deviceId);
      }
    }
  }

  async #recheck(deviceId: string): Promise<void> {
    const sets = this.#sets;
    if (!(await store.hasDesired(this.#db, deviceId)) && sets === this.#sets) this.#devices.delete(deviceId);
  }
}
