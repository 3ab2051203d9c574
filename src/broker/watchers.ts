/**
 * Which topic filters some session holds, so that the hub publishes a device's shadow and events
 * only when a session will receive them (a fleet reporting with no phone watching costs no routing).
 * Two sources, both fed by aedes itself rather than by the policy, so nothing a session can hold
 * is missed:
 * - live subscriptions: every filter a connected client holds goes through `aedes.subscribe` and
 *   leaves through `aedes.unsubscribe` (also on disconnect);
 * - persistent sessions (cleanSession=0): their QoS 1 filters stay in the persistence while the
 *   phone is offline, and messages are queued for them; the persistence's add/remove/clean calls
 *   keep this index in step (aedes-persistence keeps only QoS > 0 filters for offline queueing).
 */
export class WatchedTopics {
  /** Filter -> live subscriptions holding it. */
  readonly #live = new Map<string, number>();
  /** Persistent client id -> its QoS 1 filters; and filter -> how many such clients hold it. */
  readonly #persistentByClient = new Map<string, Set<string>>();
  readonly #persistent = new Map<string, number>();
  /**
   * Topic -> watched, for the filters held now: a report asks twice (shadow, events) and a fleet
   * asks for the same topics over and over while subscriptions rarely change. Emptied whenever a
   * filter appears or disappears (so never stale), and when it reaches its bound.
   */
  readonly #answers = new Map<string, boolean>();

  /** Whether any session, connected or persistent, holds a filter matching `topic`. */
  watched(topic: string): boolean {
    if (this.#live.size === 0 && this.#persistent.size === 0) return false;
    const levels = topic.split('/');
    // Topics the hub publishes have 3 levels; past 6, enumerating filters costs more than routing.
    if (levels.length > 6) return true;
    const known = this.#answers.get(topic);
    if (known !== undefined) return known;
    const answer = this.#anyFilter(levels, 0, '');
    if (this.#answers.size >= MAX_ANSWERS) this.#answers.clear();
    this.#answers.set(topic, answer);
    return answer;
  }

  /** Wraps aedes' subscribe/unsubscribe (the only path a live filter takes in or out of its router). */
  trackLive(aedes: {
    subscribe(topic: string, func: unknown, done?: (err?: Error) => void): void;
    unsubscribe(topic: string, func: unknown, done?: (err?: Error) => void): void;
  }): void {
    const subscribe = aedes.subscribe.bind(aedes);
    const unsubscribe = aedes.unsubscribe.bind(aedes);
    // Counted before the router adds it (synchronously), uncounted after it removed it: the
    // index may say "watched" a moment too long, never too short.
    aedes.subscribe = (topic, func, done) => {
      this.#bump(this.#live, topic, 1);
      subscribe(topic, func, (err) => {
        if (err) this.#bump(this.#live, topic, -1);
        done?.(err);
      });
    };
    aedes.unsubscribe = (topic, func, done) => {
      unsubscribe(topic, func, (err) => {
        if (!err) this.#bump(this.#live, topic, -1);
        done?.(err);
      });
    };
  }

  /** Wraps a persistence so that persistent sessions' filters are counted; the rest passes through. */
  trackPersistent<P extends object>(inner: P): P {
    const p = inner as unknown as PersistenceSubscriptions;
    const overrides: PersistenceSubscriptions = {
      addSubscriptions: async (client, subs) => {
        await p.addSubscriptions(client, subs);
        for (const sub of subs) {
          if (sub.qos > 0) this.#holdPersistent(client.id, sub.topic);
          else this.#dropPersistent(client.id, sub.topic);
        }
      },
      removeSubscriptions: async (client, topics) => {
        await p.removeSubscriptions(client, topics);
        for (const topic of topics) this.#dropPersistent(client.id, topic);
      },
      cleanSubscriptions: async (client) => {
        await p.cleanSubscriptions(client);
        for (const topic of this.#persistentByClient.get(client.id) ?? [])
          this.#dropPersistent(client.id, topic);
      },
    };
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && Object.hasOwn(overrides, prop))
          return overrides[prop as keyof PersistenceSubscriptions];
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Filters held (live subscriptions, persistent ones): tests and metrics. */
  get size(): { live: number; persistent: number } {
    return { live: this.#live.size, persistent: this.#persistent.size };
  }

  /**
   * Every filter matching `levels`, depth first: each level literal or `+`, or `#` for the rest
   * ([MQTT-4.7.1-2]: `a/#` also matches `a`). Topics starting with `$` match no wildcard at the
   * first level ([MQTT-4.7.2-1]).
   */
  #anyFilter(levels: readonly string[], i: number, prefix: string): boolean {
    const sep = i === 0 ? '' : '/';
    const dollar = i === 0 && levels[0]?.startsWith('$') === true;
    if (!dollar && this.#held(`${prefix}${sep}#`)) return true;
    const level = levels[i];
    if (level === undefined) return this.#held(prefix);
    if (this.#anyFilter(levels, i + 1, `${prefix}${sep}${level}`)) return true;
    return !dollar && this.#anyFilter(levels, i + 1, `${prefix}${sep}+`);
  }

  #bump(counts: Map<string, number>, key: string, by: 1 | -1): void {
    if (bump(counts, key, by)) this.#answers.clear();
  }

  #held(filter: string): boolean {
    return this.#live.has(filter) || this.#persistent.has(filter);
  }

  #holdPersistent(clientId: string, filter: string): void {
    let filters = this.#persistentByClient.get(clientId);
    if (!filters) {
      filters = new Set();
      this.#persistentByClient.set(clientId, filters);
    }
    if (filters.has(filter)) return;
    filters.add(filter);
    this.#bump(this.#persistent, filter, 1);
  }

  #dropPersistent(clientId: string, filter: string): void {
    const filters = this.#persistentByClient.get(clientId);
    if (!filters?.delete(filter)) return;
    if (filters.size === 0) this.#persistentByClient.delete(clientId);
    this.#bump(this.#persistent, filter, -1);
  }
}

interface PersistenceSubscriptions {
  addSubscriptions(
    client: { id: string },
    subs: ReadonlyArray<{ topic: string; qos: number }>,
  ): Promise<void>;
  removeSubscriptions(client: { id: string }, topics: readonly string[]): Promise<void>;
  cleanSubscriptions(client: { id: string }): Promise<void>;
}

const MAX_ANSWERS = 10_000;

/** Counts `key` up or down; true when it appeared or disappeared. */
function bump(counts: Map<string, number>, key: string, by: 1 | -1): boolean {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
  return n === (by === 1 ? 1 : 0);
}
