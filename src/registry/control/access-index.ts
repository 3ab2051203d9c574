import type { Db } from '../../store/database.js';
import type { RegistryBus } from '../events.js';
import { accessibleDevices, type BindingRole } from './store.js';

/**
 * Which devices each connected user may watch and control, in memory: the broker's subscribe and
 * forward hooks ask it for every message. Entries load on first use and reload at once when the
 * registry announces an access change, so a revoked share stops delivery on the next message.
 */
export class AccessIndex {
  readonly #db: Db;
  readonly #byUser = new Map<string, Map<string, BindingRole>>();

  constructor(db: Db, bus: RegistryBus) {
    this.#db = db;
    bus.on('access', ({ userIds }) => {
      for (const userId of userIds) if (this.#byUser.has(userId)) this.#load(userId);
    });
  }

  role(userId: string, deviceId: string): BindingRole | undefined {
    return (this.#byUser.get(userId) ?? this.#load(userId)).get(deviceId);
  }

  devices(userId: string): ReadonlyMap<string, BindingRole> {
    return this.#byUser.get(userId) ?? this.#load(userId);
  }

  /** Drops a user's entry (last session closed); the next lookup reloads it. */
  forget(userId: string): void {
    this.#byUser.delete(userId);
  }

  #load(userId: string): Map<string, BindingRole> {
    const map = new Map<string, BindingRole>();
    for (const row of accessibleDevices(this.#db, userId)) map.set(row.device_id, row.role);
    this.#byUser.set(userId, map);
    return map;
  }
}
