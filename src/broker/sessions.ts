import type { Client } from 'aedes';
import type { MqttSession } from '../registry/broker-policy.js';

/**
 * What the broker knows of each connection: the session its CONNECT authenticated, whether that
 * session was announced to the policy (started) and ended, the filters it was granted, and the
 * user connections by user id. Keyed by aedes client objects, so nothing outlives a connection but
 * the user index, which `end` cleans.
 */
export class SessionTable {
  readonly #sessions = new WeakMap<Client, MqttSession>();
  readonly #started = new WeakSet<Client>();
  readonly #ended = new WeakSet<Client>();
  /** Filters granted to each session (the cap counts these; aedes adds them only after SUBACK). */
  readonly #filters = new WeakMap<Client, Set<string>>();
  /** Authenticated user connections by user id, so revoking a token closes its sessions at once. */
  readonly #byUser = new Map<string, Set<Client>>();

  get(client: Client): MqttSession | undefined {
    return this.#sessions.get(client);
  }

  authenticated(client: Client, session: MqttSession): void {
    this.#sessions.set(client, session);
    if (session.kind !== 'user') return;
    const clients = this.#byUser.get(session.userId) ?? new Set<Client>();
    clients.add(client);
    this.#byUser.set(session.userId, clients);
  }

  /**
   * CONNACK was sent: the session to announce as started. A socket can close between registration
   * and this (its end may already have been handled): then it never starts, so no ghost remains.
   */
  start(client: Client): MqttSession | undefined {
    const session = this.#sessions.get(client);
    if ((client as unknown as { closed?: boolean }).closed) this.#ended.add(client);
    if (!session || this.#ended.has(client)) return undefined;
    this.#started.add(client);
    return session;
  }

  /**
   * The connection ended (called on aedes' clientDisconnect and on socket close: aedes skips the
   * former for a client whose id a newer connection holds, and emits it for clients never started).
   * Returns the session to announce as ended: only a started one, only once.
   */
  end(client: Client): MqttSession | undefined {
    if (this.#ended.has(client)) return undefined;
    this.#ended.add(client);
    const session = this.#sessions.get(client);
    if (session?.kind === 'user') {
      const clients = this.#byUser.get(session.userId);
      clients?.delete(client);
      if (clients?.size === 0) this.#byUser.delete(session.userId);
    }
    return session && this.#started.has(client) ? session : undefined;
  }

  filters(client: Client): Set<string> {
    let filters = this.#filters.get(client);
    if (!filters) {
      filters = new Set();
      this.#filters.set(client, filters);
    }
    return filters;
  }

  /** The user's live connections, optionally only those opened with one token. */
  userClients(userId: string, tokenId?: string): Client[] {
    return [...(this.#byUser.get(userId) ?? [])].filter((client) => {
      const session = this.#sessions.get(client);
      return session?.kind === 'user' && (tokenId === undefined || session.tokenId === tokenId);
    });
  }

  /** A name for log lines and log budgets: the identity, once authenticated. */
  identity(client: Client): string | undefined {
    const session = this.#sessions.get(client);
    if (!session) return undefined;
    if (session.kind === 'partner') return `partner:${session.partnerId}`;
    return session.kind === 'user' ? `user:${session.userId}` : `device:${session.deviceId}`;
  }
}
