import type { Server as HttpServer } from 'node:http';
import { Aedes, type Client } from 'aedes';
import memoryPersistence from 'aedes-persistence';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { LogBudget } from '../log-budget.js';
import { clip, LogThrottle } from '../log-throttle.js';
import type { BrokerPolicy, MqttSession } from '../registry/broker-policy.js';
import type { AdmissionLimits } from './admission.js';
import { ConnectAuthentication } from './authentication.js';
import { authorizationHooks } from './authorization.js';
import {
  PersistentSessions,
  purgeSession,
  QueueBounds,
  type SessionStore,
  skipFreeSessions,
} from './bounded-persistence.js';
import { noteConnect } from './connect.js';
import { ConnectGate } from './connect-gate.js';
import { type Connection, MqttListeners } from './listeners.js';
import { SessionTable } from './sessions.js';
import { WatchedTopics } from './watchers.js';

export { MAX_CLIENT_ID_BYTES } from './connect.js';

/** aedes' own default persistence (CommonJS: the default import is its factory at run time). */
const createMemoryPersistence = memoryPersistence as unknown as () => object;

export interface BrokerOptions {
  readonly log: Logger;
  readonly policy: BrokerPolicy;
  /** Largest MQTT packet accepted, fixed header excluded. */
  readonly maxPacketBytes: number;
  /** A socket that has not sent CONNECT by then is closed. */
  readonly connectTimeoutMs: number;
  /** TCP and WebSocket connections together; past it new sockets are closed at once. */
  readonly maxConnections: number;
  /** Per source address: unauthenticated connections held, and connect rate. */
  readonly admission: AdmissionLimits;
  /** Take a WebSocket client's address from X-Forwarded-For (behind a proxy). */
  readonly trustProxy?: boolean;
  /** Topic filters one session may hold; past it SUBACK 0x80. */
  readonly maxSubscriptionsPerSession: number;
  /** QoS 1 messages kept for one persistent session; past it new ones are dropped. */
  readonly maxQueuedPerSession: number;
  /** Persistent sessions (cleanSession=0) one user may keep; past it CONNACK 2 for a new label. */
  readonly maxPersistentSessionsPerUser: number;
  /** A QoS 1 message was dropped for a persistent session whose queue is full (metrics). */
  readonly onQueueDropped?: () => void;
  /** Path of the MQTT-over-WebSocket endpoint on the HTTP server. */
  readonly wsPath: string;
  /** Called for each message delivered to a subscriber (metrics). */
  readonly onDelivered?: () => void;
  /** Cluster mode (docs/scaling.md): fan-out and sessions on Redis, one session per client id. */
  readonly cluster?: BrokerCluster;
}

/** What the broker needs of the cluster; src/cluster implements it. */
export interface BrokerCluster {
  readonly nodeId: string;
  /** aedes' emitter and persistence on Redis. */
  readonly mq: unknown;
  readonly persistence: unknown;
  /** aedes announces this node to the others this often (dead nodes' wills fire after 3 misses). */
  readonly heartbeatMs: number;
  /**
   * Takes the client id for this node (closing it on the node that held it); its epoch, and
   * `sessionFree` when the session store holds nothing of the id and no connection of it can still
   * add to it (CONNECT of a clean session then skips reading and clearing it).
   */
  claim(clientId: string, isDevice: boolean): Promise<{ epoch: number; sessionFree?: boolean }>;
  /** The session of this epoch ended here. */
  release(clientId: string, epoch: number, isDevice: boolean): void;
}

export class MqttBroker {
  readonly aedes: Aedes;
  /** CONNACKs withheld on purpose (certification's reconnect test). */
  readonly connectGate = new ConnectGate();
  readonly #o: BrokerOptions;
  /** Every line a client can cause goes through here: bounded per source and reason. */
  readonly #log: LogThrottle;
  /** Accepted connects, across every client: a reconnect storm writes a few lines a second and a count. */
  readonly #connectLines: LogBudget;
  readonly #sessions = new SessionTable();
  readonly #connections = new WeakMap<Client, Connection>();
  readonly #listeners: MqttListeners;
  readonly #queues: QueueBounds;
  readonly #persistent: PersistentSessions;
  readonly #persistence: object;
  /** Cluster mode: the epoch each connection claimed its client id at. */
  readonly #epochs = new WeakMap<Client, number>();
  /** Cluster mode: clean connects whose claim found no stored session (until CONNECT is done). */
  readonly #sessionFree = new WeakSet<Client>();
  /** Cluster mode: callbacks waiting for a connection closed by a takeover to have ended. */
  readonly #endWaiters = new WeakMap<Client, () => void>();
  readonly #watched = new WatchedTopics();

  constructor(options: BrokerOptions) {
    this.#o = options;
    // mqtt-packet (which aedes writes with) builds 65,536 two-byte Buffers, about 7 MB, at its first
    // write, to save one small allocation per packet id written: not worth 7 MB of a hub's memory
    // (docs/benchmarks.md, "Memory per idle connection").
    mqttPacket.writeToStream.cacheNumbers = false;
    this.#log = new LogThrottle(options.log, { now: options.admission.now });
    this.#connectLines = new LogBudget(options.log, { what: 'mqtt connect', now: options.admission.now });
    this.#queues = new QueueBounds({
      maxQueuedPerClient: options.maxQueuedPerSession,
      onDropped: (clientId) => {
        options.onQueueDropped?.();
        this.#log.warn(
          clientId,
          'queue full',
          { clientId: clip(clientId) },
          'message dropped: persistent session queue full',
        );
      },
    });
    this.#persistent = new PersistentSessions(options.maxPersistentSessionsPerUser);
    const cluster = options.cluster;
    // One node: aedes' memory persistence, bounded, its persistent subscriptions tracked for
    // `watched`. A cluster: Redis, bounded by its own wrapper (and every topic counts as watched).
    this.#persistence = cluster
      ? skipFreeSessions(cluster.persistence as SessionStore, (client) => this.#sessionFree.has(client))
      : this.#watched.trackPersistent(this.#queues.wrap(createMemoryPersistence()));
    const authentication = new ConnectAuthentication({
      policy: options.policy,
      cluster,
      log: this.#log,
      connectLines: this.#connectLines,
      sessions: this.#sessions,
      persistent: this.#persistent,
      epochs: this.#epochs,
      sessionFree: this.#sessionFree,
      source: (client) => this.#source(client),
      where: (client) => this.#where(client),
      accepted: (client) => this.#connections.get(client)?.settle(),
    });
    this.aedes = new Aedes({
      persistence: this.#persistence as never,
      ...(cluster
        ? {
            id: cluster.nodeId,
            mq: cluster.mq,
            heartbeatInterval: cluster.heartbeatMs,
          }
        : {}),
      connectTimeout: options.connectTimeoutMs,
      preConnect: (client, packet, done) => {
        noteConnect(client, packet);
        if (this.connectGate.size > 0 && !this.connectGate.admit(packet.clientId, Date.now())) {
          // Closed without CONNACK: the client must time out or see the close, and retry with backoff.
          done(new Error('CONNACK withheld (certification reconnect test)'), false);
          return;
        }
        done(null, true);
      },
      authenticate: (client, username, password, done) =>
        authentication.authenticate(client, username, password, done),
      ...authorizationHooks({
        policy: options.policy,
        cluster,
        sessions: this.#sessions,
        log: this.#log,
        source: (client) => this.#source(client),
        maxSubscriptionsPerSession: options.maxSubscriptionsPerSession,
        ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
      }),
    });
    // aedes reports failures of its background work (sweeping dead nodes' wills) here.
    (this.aedes as unknown as NodeJS.EventEmitter).on('error', (err: Error) => {
      this.#o.log.warn({ err: clip(err.message) }, 'broker background error');
    });
    this.#watched.trackLive(this.aedes as never);
    this.aedes.on('clientReady', (client) => {
      this.#sessionFree.delete(client);
      const session = this.#sessions.start(client);
      if (session) this.#o.policy.sessionStarted(session);
    });
    this.aedes.on('clientDisconnect', (client) => this.#end(client));
    this.aedes.on('subscribe', (subscriptions, client) => {
      const session = this.#sessions.get(client);
      if (session)
        this.#o.policy.sessionSubscribed(
          session,
          subscriptions.map((s) => s.topic),
        );
    });
    this.aedes.on('unsubscribe', (topics, client) => {
      const filters = this.#sessions.filters(client);
      for (const topic of topics) filters.delete(topic);
    });
    this.aedes.on('keepaliveTimeout', (client) => {
      this.#log.info(
        this.#source(client),
        'keepalive expired',
        { clientId: clip(client.id) },
        'keepalive expired',
      );
    });
    this.aedes.on('clientError', (client, err) => {
      this.#log.debug(
        this.#source(client),
        'client error',
        { clientId: clip(client.id), err: clip(err.message) },
        'client error',
      );
    });
    this.aedes.on('connectionError', (client, err) => {
      this.#log.info(
        this.#source(client),
        'connection error',
        { ...this.#where(client), err: clip(err.message) },
        'connection error',
      );
    });
    this.#listeners = new MqttListeners({
      aedes: this.aedes,
      log: this.#log,
      maxConnections: options.maxConnections,
      maxPacketBytes: options.maxPacketBytes,
      admission: options.admission,
      trustProxy: options.trustProxy ?? false,
      wsPath: options.wsPath,
      opened: (client, connection) => this.#connections.set(client, connection),
      closed: (client) => this.#end(client),
    });
  }

  sessionOf(client: Client): MqttSession | undefined {
    return this.#sessions.get(client);
  }

  get connectionCount(): number {
    return this.#listeners.count;
  }

  get listening(): boolean {
    return this.#listeners.listening;
  }

  async listen(host: string, port: number): Promise<number> {
    // aedes 1.x sets up its persistence and heartbeat here; without it CONNECT never gets a CONNACK.
    await this.aedes.listen();
    return this.#listeners.listen(host, port);
  }

  /** Serves MQTT over WebSocket on the HTTP server's upgrade requests to the WebSocket path. */
  attachWebSocket(server: HttpServer): void {
    this.#listeners.attachWebSocket(server);
  }

  /** Publishes as the hub (no client: the ACL hooks do not apply to it; delivery is still checked per subscriber). */
  publish(
    topic: string,
    payload: string | Buffer,
    options: { retain?: boolean; qos?: 0 | 1 } = {},
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: options.qos ?? 0,
          retain: options.retain ?? false,
          dup: false,
        },
        (err?: Error) => (err ? reject(err) : resolve()),
      );
    });
  }

  /**
   * Sets the retained message of `topic` (the hub's presence) for later subscribers, delivering it
   * (QoS 1) only when some session would receive it now: otherwise only the retained store is
   * written, and a reconnect storm of unwatched devices routes nothing.
   */
  retain(topic: string, payload: string): Promise<void> {
    if (this.watched(topic)) return this.publish(topic, payload, { qos: 1, retain: true });
    const { persistence } = this.aedes as unknown as {
      persistence: { storeRetained(packet: object): Promise<void> };
    };
    return persistence.storeRetained({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payload),
      qos: 1,
      retain: true,
      dup: false,
    });
  }

  /**
   * Whether a publish to `topic` would reach anyone: a connected session, or a persistent one that
   * would have it queued. The hub skips building and routing what nobody receives.
   */
  watched(topic: string): boolean {
    // A cluster node cannot see the other nodes' sessions: everything is routed (Redis fans out).
    return this.#o.cluster !== undefined || this.#watched.watched(topic);
  }

  /** Whether a client id is connected to this node (not another node of a cluster). */
  hasClient(clientId: string): boolean {
    return this.#client(clientId) !== undefined;
  }

  /** Closes the connection of a client id now (a blocked device, a rotated secret). */
  disconnect(clientId: string): boolean {
    const client = this.#client(clientId);
    if (!client) return false;
    client.close();
    return true;
  }

  /**
   * Closes a user's connections now: those of one token, or all (account deleted, which also ends
   * the persistent sessions the user's phones kept, with their queued messages). Returns how many.
   */
  disconnectUser(userId: string, tokenId?: string): number {
    const clients = this.#sessions.userClients(userId, tokenId);
    for (const client of clients) client.close();
    if (tokenId === undefined) {
      for (const clientId of this.#persistent.take(userId)) {
        purgeSession(this.#persistence, clientId).then(
          () => this.#queues.forget(clientId),
          (err: unknown) =>
            this.#o.log.warn({ err, clientId: clip(clientId) }, 'persistent session purge failed'),
        );
      }
    }
    return clients.length;
  }

  /** Closes every connection whose session matches (a revoked partner key); how many. Rare: scans. */
  disconnectSessions(match: (session: MqttSession) => boolean): number {
    const { clients } = this.aedes as unknown as { clients: Record<string, Client | undefined> };
    const closing = Object.values(clients).filter((client): client is Client => {
      const session = client && this.#sessions.get(client);
      return session !== undefined && match(session);
    });
    for (const client of closing) client.close();
    return closing.length;
  }

  /** Messages queued for a persistent session (tests, metrics). */
  queuedFor(clientId: string): number {
    return this.#queues.queued(clientId);
  }

  /** Topics with a retained message (only the hub's presence topics, by design). */
  async retainedTopics(): Promise<string[]> {
    const topics: string[] = [];
    const { persistence } = this.aedes as unknown as {
      persistence: { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> };
    };
    for await (const packet of persistence.createRetainedStream('#')) topics.push(packet.topic);
    return topics.sort();
  }

  /** Closes every MQTT connection, then the listeners. */
  async close(): Promise<void> {
    this.#listeners.stopAccepting();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await this.#listeners.close();
    this.#log.close();
    this.#connectLines.flush();
  }

  /** Whose log budget a line counts against: the identity once authenticated, else the source address. */
  #source(client: Client): string {
    return this.#sessions.identity(client) ?? this.#connections.get(client)?.source ?? 'unknown';
  }

  #where(client: Client) {
    const where = this.#connections.get(client);
    return { transport: where?.transport, remote: clip(where?.remote) };
  }

  #end(client: Client): void {
    const session = this.#sessions.end(client);
    if (session) this.#o.policy.sessionEnded(session);
    const waiter = this.#endWaiters.get(client);
    if (waiter) {
      this.#endWaiters.delete(client);
      waiter();
    }
    const epoch = this.#epochs.get(client);
    if (epoch !== undefined && this.#o.cluster) {
      this.#epochs.delete(client);
      this.#o.cluster.release(client.id, epoch, session?.kind === 'device');
    }
  }

  /**
   * Cluster mode: closes this node's connection of a client id if it is older than `epoch`.
   * Resolves true once its session ended here (presence written), false when there was none.
   */
  closeOlder(clientId: string, epoch: number): Promise<boolean> {
    const client = this.#client(clientId);
    if (!client) return Promise.resolve(false);
    const held = this.#epochs.get(client);
    if (held === undefined || held >= epoch) return Promise.resolve(false);
    const ended = new Promise<boolean>((resolve) => this.#endWaiters.set(client, () => resolve(true)));
    client.close();
    return ended;
  }

  /** Cluster mode: the client ids connected here and the epoch each holds. */
  localEpochs(): Map<string, number> {
    const { clients } = this.aedes as unknown as { clients: Record<string, Client | undefined> };
    const epochs = new Map<string, number>();
    for (const [id, client] of Object.entries(clients)) {
      const epoch = client ? this.#epochs.get(client) : undefined;
      if (epoch !== undefined) epochs.set(id, epoch);
    }
    return epochs;
  }

  #client(clientId: string): Client | undefined {
    return (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
  }
}
