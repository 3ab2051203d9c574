import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Engine, Queryable, Subscription } from '../../store/engine.js';
import type { RegistryBus } from '../events.js';
import { ACCESS_CHANGED, accessibleDevices, type BindingRole, notifyAccess } from './store.js';

/** Users whose entries stay cached without a live MQTT session (REST callers), least recently used first out. */
export const DEFAULT_ACCESS_CACHE = 10_000;

type Roles = ReadonlyMap<string, BindingRole>;
const NONE: Roles = new Map();

/**
 * Which devices each user may watch and control, in memory: the broker's subscribe and forward
 * hooks ask it (synchronously, `peek`) for every message. A user's entry is loaded when its MQTT
 * session authenticates and kept while a session lives (`retain`/`release`); other entries (REST
 * callers) are a bounded LRU.
 *
 * Every change of who sees what goes through the writer's transaction (`notify`, sent at COMMIT)
 * and then `changed()`: the writer reloads the entries here and only then answers, so the next
 * message after a revoke's answer is checked against the new rights. Other hub processes on the
 * same database get the notification: they stop delivering that user's device topics at once and
 * reload (fail closed for the few milliseconds of the reload). A lost notification connection
 * (`reset`) does the same for every entry.
 */
export class AccessIndex {
  /** Names this process in its own notifications, which it has acted on already. */
  readonly origin = randomUUID();
  readonly #store: Engine;
  readonly #bus: RegistryBus;
  readonly #capacity: number;
  readonly #entries = new Map<string, Roles>();
  /** Entries that may be out of date: device topics are refused until their reload lands. */
  readonly #stale = new Set<string>();
  /** Live MQTT sessions per user: their entries are never evicted. */
  readonly #pins = new Map<string, number>();
  readonly #loading = new Map<string, Promise<Roles>>();
  /** Bumped per user on every invalidation: a load started before one is not kept. */
  readonly #generation = new Map<string, number>();
  #subscription: Subscription | undefined;
  #log: Logger | undefined;
  /** True while this index emits `access` itself, so its own listener does not reload twice. */
  #emitting = false;
  /** What must follow an access change before it is answered (desired values of users who lost devices). */
  readonly #followers: Array<(userIds: readonly string[]) => Promise<void>> = [];

  constructor(store: Engine, bus: RegistryBus, capacity = DEFAULT_ACCESS_CACHE) {
    this.#store = store;
    this.#bus = bus;
    this.#capacity = Math.max(1, capacity);
    // Access changes announced on the bus by someone else (the cluster relay of another node).
    bus.on('access', ({ userIds }) => {
      if (this.#emitting) return;
      this.#invalidate(userIds, true);
      this.#follow(userIds).catch((err: unknown) =>
        this.#log?.error({ err }, 'following an access change failed'),
      );
    });
  }

  /** Starts listening for changes made by other hub processes; call before the broker accepts connections. */
  async start(log: Logger): Promise<void> {
    this.#log = log;
    this.#subscription = await this.#store.listen(ACCESS_CHANGED, {
      message: (payload) => {
        const space = payload.indexOf(' ');
        if (space < 0 || payload.slice(0, space) === this.origin) return;
        this.#remote(payload.slice(space + 1));
      },
      reset: () => {
        log.warn({ cached: this.#entries.size }, 'access change notifications were interrupted: reloading');
        this.#invalidate([...this.#entries.keys()], true);
      },
    });
  }

  async close(): Promise<void> {
    await this.#subscription?.close();
    this.#subscription = undefined;
  }

  /**
   * The user's role on the device from memory, for the broker's hooks: undefined when the user may
   * not see it, and also while the user's entry is not loaded or is being reloaded after a change
   * elsewhere (deny by default; the load is started here).
   */
  peek(userId: string, deviceId: string): BindingRole | undefined {
    const roles = this.#entries.get(userId);
    if (roles === undefined || this.#stale.has(userId)) {
      this.#fresh(userId).catch((err: unknown) => this.#log?.error({ err, userId }, 'loading access failed'));
      return undefined;
    }
    return roles.get(deviceId);
  }

  /** The user's role on the device, up to date (REST, commands). */
  async role(userId: string, deviceId: string): Promise<BindingRole | undefined> {
    return (await this.#fresh(userId)).get(deviceId);
  }

  /** Every device the user may see, with its role, up to date. */
  devices(userId: string): Promise<Roles> {
    return this.#fresh(userId);
  }

  /** True while the user's entry is missing or being reloaded (peek would deny meanwhile). */
  reloading(userId: string): boolean {
    return !this.#entries.has(userId) || this.#stale.has(userId);
  }

  /** Loads the user's entry (an MQTT session is authenticating). */
  async load(userId: string): Promise<void> {
    await this.#fresh(userId);
  }

  /** A session of the user started: its entry stays while the session lives. */
  retain(userId: string): void {
    this.#pins.set(userId, (this.#pins.get(userId) ?? 0) + 1);
  }

  release(userId: string): void {
    const pins = (this.#pins.get(userId) ?? 0) - 1;
    if (pins > 0) this.#pins.set(userId, pins);
    else this.#pins.delete(userId);
    this.#evict();
  }

  /** Inside the writer's transaction: tells every hub process (at COMMIT) that these users' access changed. */
  notify(tx: Queryable, userIds: Iterable<string>): Promise<void> {
    return notifyAccess(tx, this.origin, userIds);
  }

  /**
   * After the writer's COMMIT: reloads these users' entries (the old ones answer meanwhile: the
   * change is not acknowledged yet), then announces the change on the bus.
   */
  async changed(userIds: Iterable<string>): Promise<void> {
    const users = [...new Set(userIds)];
    if (users.length === 0) return;
    const cached = users.filter((u) => this.#entries.has(u) || this.#loading.has(u));
    this.#invalidate(cached, false);
    await Promise.all(cached.map((u) => this.#fresh(u)));
    await this.#follow(users);
    this.#announce(users);
  }

  /**
   * Another hub process changed the user's access: refuse its device topics until the reload
   * lands, then announce it here too (pending commands, desired state and community follow).
   */
  #remote(userId: string): void {
    this.#invalidate([userId], true);
    const loading = this.#loading.get(userId) ?? Promise.resolve(NONE);
    loading
      .then(() => this.#follow([userId]))
      .then(() => this.#announce([userId]))
      .catch((err: unknown) => this.#log?.error({ err, userId }, 'following an access change failed'));
  }

  #announce(userIds: string[]): void {
    this.#emitting = true;
    try {
      this.#bus.emit('access', { userIds });
    } finally {
      this.#emitting = false;
    }
  }

  /** Runs `fn` after every access change, before the change is answered or announced. */
  onChanged(fn: (userIds: readonly string[]) => Promise<void>): void {
    this.#followers.push(fn);
  }

  async #follow(userIds: readonly string[]): Promise<void> {
    for (const fn of this.#followers) await fn(userIds);
  }

  /** Drops a user's entry; the next lookup reloads it. */
  forget(userId: string): void {
    if (!this.#entries.has(userId) && !this.#loading.has(userId)) return;
    this.#bump(userId);
    this.#entries.delete(userId);
    this.#stale.delete(userId);
  }

  #bump(userId: string): number {
    const generation = (this.#generation.get(userId) ?? 0) + 1;
    this.#generation.set(userId, generation);
    this.#loading.delete(userId);
    return generation;
  }

  #invalidate(userIds: readonly string[], failClosed: boolean): void {
    for (const userId of userIds) {
      if (!this.#entries.has(userId) && !this.#loading.has(userId)) continue;
      const generation = this.#bump(userId);
      if (failClosed && !this.#pins.has(userId)) {
        // Nobody is connected as this user here: the next lookup loads it.
        this.#entries.delete(userId);
        this.#stale.delete(userId);
        continue;
      }
      if (failClosed) this.#stale.add(userId);
      const loading = this.#read(userId, generation);
      loading.catch((err: unknown) => this.#log?.error({ err, userId }, 'reloading access failed'));
      this.#loading.set(userId, loading);
    }
  }

  /** The current entry, loading it when missing, stale or invalidated since its load began. */
  async #fresh(userId: string): Promise<Roles> {
    for (;;) {
      const cached = this.#entries.get(userId);
      const generation = this.#generation.get(userId) ?? 0;
      if (cached !== undefined && !this.#stale.has(userId) && !this.#loading.has(userId)) {
        this.#touch(userId, cached);
        return cached;
      }
      let loading = this.#loading.get(userId);
      if (!loading) {
        loading = this.#read(userId, generation);
        this.#loading.set(userId, loading);
      }
      const roles = await loading;
      if ((this.#generation.get(userId) ?? 0) === generation) return roles;
    }
  }

  async #read(userId: string, generation: number): Promise<Roles> {
    try {
      const rows = await accessibleDevices(this.#store, userId);
      const roles: Roles = rows.length === 0 ? NONE : new Map(rows.map((r) => [r.device_id, r.role]));
      if ((this.#generation.get(userId) ?? 0) === generation) {
        this.#loading.delete(userId);
        this.#stale.delete(userId);
        this.#touch(userId, roles);
        this.#evict();
      }
      return roles;
    } catch (err) {
      if ((this.#generation.get(userId) ?? 0) === generation) this.#loading.delete(userId);
      throw err;
    }
  }

  #touch(userId: string, roles: Roles): void {
    this.#entries.delete(userId);
    this.#entries.set(userId, roles);
  }

  /** Unpinned entries beyond the capacity go, least recently used first. */
  #evict(): void {
    let excess = this.#entries.size - this.#pins.size - this.#capacity;
    if (excess <= 0) return;
    for (const userId of this.#entries.keys()) {
      if (excess <= 0) break;
      if (this.#pins.has(userId) || this.#loading.has(userId)) continue;
      this.#entries.delete(userId);
      this.#stale.delete(userId);
      this.#generation.delete(userId);
      excess--;
    }
  }
}
