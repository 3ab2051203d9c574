import type { Server as HttpServer, IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { BrokerPolicy, ConnectRefusal, MqttSession } from '../registry/broker-policy.js';
import { type AdmissionLimits, ConnectionAdmission, sourceKey } from './admission.js';
import { enforceConformance } from './conformance.js';
import { limitPacketSize } from './packet-guard.js';

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
  /** Path of the MQTT-over-WebSocket endpoint on the HTTP server. */
  readonly wsPath: string;
  /** Called for each message delivered to a subscriber (metrics). */
  readonly onDelivered?: () => void;
}

const refusalCodes: Record<ConnectRefusal, 2 | 4 | 5> = {
  'identifier-rejected': 2,
  'bad-credentials': 4,
  'not-authorized': 5,
};

type Transport = 'tcp' | 'ws';
const EMPTY_ID_PERSISTENT = Symbol('emptyIdPersistent');
const EMPTY_ID = Symbol('emptyId');
const ID_TOO_LONG = Symbol('idTooLong');
/**
 * Longest client id accepted, in bytes. [MQTT-3.1.3-5] lets a server allow more than 23 characters;
 * the longest valid id here is a phone's `app/{uid}/{label}` (85 bytes). Past it: CONNACK 2.
 */
export const MAX_CLIENT_ID_BYTES = 128;
const WILL_TOPIC = Symbol('willTopic');

type Marked = Record<symbol, unknown>;

function authError(code: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

export class MqttBroker {
  readonly aedes: Aedes;
  readonly #o: BrokerOptions;
  readonly #log: Logger;
  readonly #sessions = new WeakMap<Client, MqttSession>();
  readonly #transports = new WeakMap<Client, { transport: Transport; remote: string }>();
  /** Sessions announced to the policy (sessionStarted), and those whose end was announced too. */
  readonly #started = new WeakSet<Client>();
  readonly #ended = new WeakSet<Client>();
  /** Filters granted to each session (the cap counts these; aedes adds them only after SUBACK). */
  readonly #filters = new WeakMap<Client, Set<string>>();
  /** Authenticated user connections by user id, so revoking a token closes its sessions at once. */
  readonly #byUser = new Map<string, Set<Client>>();
  readonly #sockets = new Set<Duplex>();
  readonly #admission: ConnectionAdmission;
  /** Ends a connection's pending state (CONNACK 0 or close), once. */
  readonly #settlers = new WeakMap<Client, () => void>();
  #tcp: net.Server | undefined;
  #wss: WebSocketServer | undefined;
  #closing = false;

  constructor(options: BrokerOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#admission = new ConnectionAdmission(options.admission);
    this.aedes = new Aedes({
      connectTimeout: options.connectTimeoutMs,
      preConnect: (client, packet, done) => {
        // [MQTT-3.1.3-8] a zero-byte ClientId with CleanSession=0 must be refused with return code 2;
        // aedes 1.2.0 accepts it and invents an id, so we mark it here and refuse in authenticate,
        // which is where aedes lets us choose the CONNACK code.
        if (packet.clientId === '' && !packet.clean) {
          (client as unknown as Marked)[EMPTY_ID_PERSISTENT] = true;
        }
        // aedes invents an id for an empty one before authenticate; the policy needs to know it was empty.
        if (packet.clientId === '') (client as unknown as Marked)[EMPTY_ID] = true;
        if (Buffer.byteLength(packet.clientId) > MAX_CLIENT_ID_BYTES)
          (client as unknown as Marked)[ID_TOO_LONG] = true;
        // authenticate() does not see the will; the policy checks its topic like a publish.
        if (packet.will) (client as unknown as Marked)[WILL_TOPIC] = packet.will.topic;
        done(null, true);
      },
      authenticate: (client, username, password, done) =>
        this.#authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => {
        if (!client) {
          done(null); // the hub's own publishes
          return;
        }
        // Only the hub retains (presence): a client's retained message would be kept in memory for
        // every later subscriber, unbounded and unvalidated (docs/protocol.md). Wills pass here too.
        packet.retain = false;
        const session = this.#sessions.get(client);
        const admission = session
          ? this.#o.policy.admitPublish(session, packet.topic, packet.payload as Buffer)
          : 'no session';
        if (admission === undefined) {
          done(null);
        } else if (typeof admission === 'string') {
          this.#log.warn({ clientId: client.id, topic: packet.topic, reason: admission }, 'publish refused');
          done(new Error(admission));
        } else {
          admission.then(
            () => done(null),
            (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
          );
        }
      },
      authorizeSubscribe: (client, sub, done) => {
        const session = this.#sessions.get(client);
        let filters = this.#filters.get(client);
        if (!filters) {
          filters = new Set();
          this.#filters.set(client, filters);
        }
        const full = !filters.has(sub.topic) && filters.size >= this.#o.maxSubscriptionsPerSession;
        const denied = !session
          ? 'no session'
          : full
            ? `more than ${this.#o.maxSubscriptionsPerSession} subscriptions`
            : this.#o.policy.subscribeDenied(session, sub.topic);
        if (denied) {
          this.#log.info({ clientId: client.id, topic: sub.topic, reason: denied }, 'subscribe refused');
          // [MQTT-3.9.3-2] a refused filter gets return code 0x80 in SUBACK; aedes sends that for a null subscription.
          return done(null, null);
        }
        filters.add(sub.topic);
        done(null, sub);
      },
      authorizeForward: (client, packet) => {
        // A revoked session is closed synchronously; deliveries already queued for it stop here.
        if ((client as unknown as { closed?: boolean }).closed) return null;
        const session = this.#sessions.get(client);
        if (!session || !this.#o.policy.mayReceive(session, packet.topic)) return null;
        this.#o.onDelivered?.();
        return packet;
      },
    });
    this.aedes.on('clientReady', (client) => {
      // A socket can close between registration and this event (its disconnect may already have
      // been reported): announcing it now would leave a ghost session, so it never starts.
      if ((client as unknown as { closed?: boolean }).closed) {
        this.#ended.add(client);
        return;
      }
      const session = this.#sessions.get(client);
      if (!session || this.#ended.has(client)) return;
      this.#started.add(client);
      this.#o.policy.sessionStarted(session);
    });
    // Ended once per started session, whichever comes first: aedes' clientDisconnect is skipped for a
    // client whose id a newer connection already holds, and emitted for clients never announced.
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
      const filters = this.#filters.get(client);
      for (const topic of topics) filters?.delete(topic);
    });
    this.aedes.on('keepaliveTimeout', (client) => {
      this.#log.info({ clientId: client.id }, 'keepalive expired');
    });
    this.aedes.on('clientError', (client, err) => {
      this.#log.debug({ clientId: client.id, err: err.message }, 'client error');
    });
    this.aedes.on('connectionError', (client, err) => {
      this.#log.info({ clientId: client.id, err: err.message }, 'connection error');
    });
  }

  sessionOf(client: Client): MqttSession | undefined {
    return this.#sessions.get(client);
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  get listening(): boolean {
    return this.#tcp?.listening === true && this.#wss !== undefined && !this.#closing;
  }

  async listen(host: string, port: number): Promise<number> {
    // aedes 1.x sets up its persistence and heartbeat here; without it CONNECT never gets a CONNACK.
    await this.aedes.listen();
    // noDelay: without it every request/response pair waits ~40 ms on Nagle + delayed ACK.
    const tcp = net.createServer({ noDelay: true }, (socket) =>
      this.#accept(socket, 'tcp', socket.remoteAddress),
    );
    this.#tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host, port }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    const address = tcp.address();
    if (address === null || typeof address === 'string') throw new Error('MQTT listener has no port');
    return address.port;
  }

  /** Serves MQTT over WebSocket on the HTTP server's upgrade requests to `wsPath`. */
  attachWebSocket(server: HttpServer): void {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#o.maxPacketBytes + 5,
      // MQTT over WebSocket uses the "mqtt" subprotocol; older clients ask for "mqttv3.1".
      handleProtocols: (protocols) =>
        protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false,
    });
    this.#wss = wss;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== this.#o.wsPath || this.#closing) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      (socket as net.Socket).setNoDelay?.(true);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => stream.destroy());
        this.#accept(stream, 'ws', this.#clientAddress(req), req);
      });
    });
  }

  #clientAddress(req: IncomingMessage): string | undefined {
    const forwarded = this.#o.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    return first || req.socket.remoteAddress;
  }

  #accept(conn: Duplex, transport: Transport, remote: string | undefined, req?: IncomingMessage): void {
    if (this.#closing || this.#sockets.size >= this.#o.maxConnections) {
      this.#log.warn({ transport, remote, open: this.#sockets.size }, 'connection refused: limit reached');
      conn.destroy();
      return;
    }
    // Before anything is read: one source may not hold every slot with sockets that never
    // authenticate, nor take the connect path for itself (docs/operations.md, "Limits").
    const source = sourceKey(remote);
    const admission = this.#admission.admit(source);
    if (admission !== 'admitted') {
      this.#log.warn({ transport, remote, reason: admission }, 'connection refused');
      conn.destroy();
      return;
    }
    let pending = true;
    const settle = () => {
      if (!pending) return;
      pending = false;
      this.#admission.settle(source);
    };
    this.#sockets.add(conn);
    const client = this.aedes.handle(conn, req);
    this.#settlers.set(client, settle);
    conn.once('close', () => {
      this.#sockets.delete(conn);
      settle();
      this.#end(client);
    });
    limitPacketSize(client, this.#o.maxPacketBytes);
    enforceConformance(client, (reason) =>
      this.#log.info({ transport, remote, outcome: 'refused', reason }, 'mqtt connect'),
    );
    this.#transports.set(client, { transport, remote: remote ?? 'unknown' });
  }

  #end(client: Client): void {
    if (this.#ended.has(client)) return;
    this.#ended.add(client);
    const session = this.#sessions.get(client);
    if (session?.kind === 'user') {
      const clients = this.#byUser.get(session.userId);
      clients?.delete(client);
      if (clients?.size === 0) this.#byUser.delete(session.userId);
    }
    if (session && this.#started.has(client)) this.#o.policy.sessionEnded(session);
  }

  #authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const where = this.#transports.get(client);
    const base = { clientId: client.id, username, transport: where?.transport, remote: where?.remote };
    const marks = client as unknown as Marked;
    if (marks[EMPTY_ID_PERSISTENT] === true) {
      this.#log.info(
        { ...base, outcome: 'refused', reason: 'empty clientId with cleanSession=0' },
        'mqtt connect',
      );
      done(authError(2, 'identifier rejected'), false);
      return;
    }
    if (marks[ID_TOO_LONG] === true) {
      // [MQTT-3.1.3-9] a rejected client id gets CONNACK 2, then the connection is closed.
      this.#log.info({ ...base, outcome: 'refused', reason: 'clientId too long' }, 'mqtt connect');
      done(authError(2, 'identifier rejected'), false);
      return;
    }
    const willTopic = typeof marks[WILL_TOPIC] === 'string' ? (marks[WILL_TOPIC] as string) : undefined;
    const clientId = marks[EMPTY_ID] === true ? '' : client.id;
    const decision = this.#o.policy.authenticate({ clientId, username, password, willTopic });
    if (!decision.ok) {
      this.#log.info({ ...base, outcome: 'refused', reason: decision.reason }, 'mqtt connect');
      done(authError(refusalCodes[decision.refusal], decision.reason), false);
      return;
    }
    this.#sessions.set(client, decision.session);
    this.#settlers.get(client)?.();
    if (decision.session.kind === 'user') {
      const clients = this.#byUser.get(decision.session.userId) ?? new Set<Client>();
      clients.add(client);
      this.#byUser.set(decision.session.userId, clients);
    }
    this.#log.info({ ...base, outcome: 'accepted', kind: decision.session.kind }, 'mqtt connect');
    done(null, true);
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

  /** Closes the connection of a client id now (a blocked device, a rotated secret). */
  disconnect(clientId: string): boolean {
    const client = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[
      clientId
    ];
    if (!client) return false;
    client.close();
    return true;
  }

  /** Topics with a retained message (only the hub's presence topics, by design). */
  async retainedTopics(): Promise<string[]> {
    const topics: string[] = [];
    const { persistence } = this.aedes as unknown as {
      persistence: { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> };
    };
    for await (const packet of persistence.createRetainedStream('#')) {
      topics.push(packet.topic);
    }
    return topics.sort();
  }

  /** Closes a user's connections now: those of one token, or all (account deleted). Returns how many. */
  disconnectUser(userId: string, tokenId?: string): number {
    let closed = 0;
    for (const client of [...(this.#byUser.get(userId) ?? [])]) {
      const session = this.#sessions.get(client);
      if (session?.kind !== 'user' || (tokenId !== undefined && session.tokenId !== tokenId)) continue;
      client.close();
      closed++;
    }
    return closed;
  }

  /** Closes every MQTT connection, then the listeners. */
  async close(): Promise<void> {
    this.#closing = true;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    const tcp = this.#tcp;
    if (tcp?.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const wss = this.#wss;
    if (wss) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  }
}
