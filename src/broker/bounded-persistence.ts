import type { Client } from 'aedes';

/**
 * The bound on what aedes keeps for one persistent session (cleanSession=0), which its persistence
 * holds without limit: QoS 1 messages queued per client id. Sessions per user: PersistentSessions.
 */
export interface PersistenceBounds {
  /** QoS 1 messages kept for one persistent session (unacknowledged or queued while offline). */
  readonly maxQueuedPerClient: number;
  /** A message was not queued for a client whose queue is full. */
  readonly onDropped?: (clientId: string) => void;
}

interface Sub {
  readonly clientId: string;
}
interface QueuedPacket {
  readonly messageId?: number;
}
/** The part of an aedes persistence this wrapper counts; everything else passes through. */
interface Persistence {
  outgoingEnqueue(sub: Sub, packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: Sub[], packet: unknown): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<unknown>;
  outgoingStream(client: { id: string }): AsyncIterable<QueuedPacket> | Iterable<QueuedPacket>;
  cleanSubscriptions(client: { id: string }): Promise<void>;
}

const NOTHING_QUEUED: readonly QueuedPacket[] = Object.freeze([]);

/**
 * Counts what each persistent session has queued and refuses more past the bound. aedes enqueues
 * every QoS 1 message for a cleanSession=0 subscriber (online or not) and clears it on PUBACK, so
 * the count is enqueued minus cleared: a session that stops acknowledging stops growing (an online
 * one is disconnected by aedes when its packet is missing; an offline one simply misses messages,
 * as mosquitto's max_queued_messages does).
 */
export class QueueBounds {
  readonly #queued = new Map<string, number>();
  readonly #o: PersistenceBounds;

  constructor(options: PersistenceBounds) {
    this.#o = options;
  }

  queued(clientId: string): number {
    return this.#queued.get(clientId) ?? 0;
  }

  /** Clients with something queued (a gauge). */
  get clients(): number {
    return this.#queued.size;
  }

  /** Wraps `inner` so its queues are bounded; `inner` stays the object aedes' other calls reach. */
  wrap<P extends object>(inner: P): P {
    const p = inner as unknown as Persistence;
    const admit = (subs: readonly Sub[]): Sub[] =>
      subs.filter((sub) => {
        const n = this.queued(sub.clientId);
        if (n >= this.#o.maxQueuedPerClient) {
          this.#o.onDropped?.(sub.clientId);
          return false;
        }
        this.#queued.set(sub.clientId, n + 1);
        return true;
      });
    const overrides: Partial<Persistence> = {
      outgoingEnqueue: async (sub, packet) => {
        if (admit([sub]).length === 1) await p.outgoingEnqueue(sub, packet);
      },
      outgoingEnqueueCombi: async (subs, packet) => {
        const admitted = admit(subs);
        if (admitted.length > 0) await p.outgoingEnqueueCombi(admitted, packet);
      },
      outgoingClearMessageId: async (client, packet) => {
        const cleared = await p.outgoingClearMessageId(client, packet);
        if (cleared !== undefined) this.#release(client.id);
        return cleared;
      },
      // aedes reads a client's queue after every CONNACK, clean sessions included (its connect
      // step `emptyQueue` pipes it through a Transform with stream.pipeline). The count above is
      // never below what the persistence holds (it rises before a message is stored and falls
      // after it is cleared), so zero means empty: an empty list then, not a Readable over a copy
      // of the persistence's empty queue (pipeline takes any iterable).
      outgoingStream: (client) => (this.queued(client.id) === 0 ? NOTHING_QUEUED : p.outgoingStream(client)),
    };
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof Persistence];
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Forgets a session whose queue was emptied by `purge`. */
  forget(clientId: string): void {
    this.#queued.delete(clientId);
  }

  #release(clientId: string): void {
    const n = this.queued(clientId) - 1;
    if (n > 0) this.#queued.set(clientId, n);
    else this.#queued.delete(clientId);
  }
}

/**
 * Which persistent sessions each user keeps. A phone connecting with cleanSession=0 under a label the
 * user has not kept before is refused once the user keeps the maximum; connecting with
 * cleanSession=1 under a kept label ends that session and frees its place.
 */
export class PersistentSessions {
  readonly #byUser = new Map<string, Set<string>>();
  readonly #max: number;

  constructor(maxPerUser: number) {
    this.#max = maxPerUser;
  }

  /** Undefined when the connection may go on; otherwise why not. */
  admit(userId: string, clientId: string, clean: boolean): string | undefined {
    const kept = this.#byUser.get(userId);
    if (clean) {
      kept?.delete(clientId);
      if (kept?.size === 0) this.#byUser.delete(userId);
      return undefined;
    }
    if (kept?.has(clientId)) return undefined;
    if ((kept?.size ?? 0) >= this.#max)
      return `more than ${this.#max} persistent sessions (cleanSession=0) for one user: reuse a label, or connect once with cleanSession=1 to end one`;
    const set = kept ?? new Set<string>();
    set.add(clientId);
    this.#byUser.set(userId, set);
    return undefined;
  }

  /** The user's kept sessions, removed (account deleted): the caller purges them. */
  take(userId: string): string[] {
    const kept = [...(this.#byUser.get(userId) ?? [])];
    this.#byUser.delete(userId);
    return kept;
  }

  count(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }
}

/** Removes a persistent session's subscriptions and queued messages from the persistence. */
export async function purgeSession(persistence: object, clientId: string): Promise<void> {
  const p = persistence as unknown as Persistence;
  const client = { id: clientId } as unknown as Client & { id: string };
  await p.cleanSubscriptions(client);
  for await (const packet of p.outgoingStream(client)) await p.outgoingClearMessageId(client, packet);
}

/** The parts of aedes' persistence a clean CONNECT reads and clears. */
export interface SessionStore {
  cleanSubscriptions(client: Client): Promise<unknown>;
  outgoingStream(client: Client): unknown;
}

/**
 * Cluster mode: a clean CONNECT makes aedes read the client's stored subscriptions (to clear a
 * persistent session it had) before CONNACK and its offline queue after it: two Redis round trips
 * per connect. When the claim found no stored session and no connection that could still store one
 * (`sessionFree`), there is nothing to read: both answer empty without asking Redis.
 */
export function skipFreeSessions(store: SessionStore, free: (client: Client) => boolean): object {
  const clean = store.cleanSubscriptions.bind(store);
  const outgoing = store.outgoingStream.bind(store);
  store.cleanSubscriptions = (client) => (free(client) ? Promise.resolve() : clean(client));
  store.outgoingStream = (client) => (free(client) ? NOTHING_QUEUED : outgoing(client));
  return store;
}
