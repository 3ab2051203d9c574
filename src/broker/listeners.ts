import type { Server as HttpServer, IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes, Client } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { clip, type LogThrottle } from '../log-throttle.js';
import { type AdmissionLimits, ConnectionAdmission, sourceKey } from './admission.js';
import { enforceConformance } from './conformance.js';
import { limitPacketSize } from './packet-guard.js';

export type Transport = 'tcp' | 'ws';

/** Where a connection comes from, and how to end its pending (unauthenticated) state. */
export interface Connection {
  readonly transport: Transport;
  readonly remote: string;
  /** The address its per-source limits count against (docs/operations.md, "Limits"). */
  readonly source: string;
  /** The connection was accepted (CONNACK 0): it no longer counts as pending. Idempotent. */
  settle(): void;
}

export interface ListenerOptions {
  readonly aedes: Aedes;
  readonly log: LogThrottle;
  readonly maxConnections: number;
  readonly maxPacketBytes: number;
  readonly admission: AdmissionLimits;
  readonly trustProxy: boolean;
  readonly wsPath: string;
  /** A socket was handed to aedes. */
  readonly opened: (client: Client, connection: Connection) => void;
  /** Its socket closed (whatever aedes reported before). */
  readonly closed: (client: Client) => void;
}

/**
 * The MQTT listeners, TCP and WebSocket: each new socket is admitted (global and per-source limits)
 * before aedes reads a byte of it, then gets the packet size limit and the conformance checks.
 */
export class MqttListeners {
  readonly #o: ListenerOptions;
  readonly #admission: ConnectionAdmission;
  readonly #sockets = new Set<Duplex>();
  #tcp: net.Server | undefined;
  #wss: WebSocketServer | undefined;
  #closing = false;

  constructor(options: ListenerOptions) {
    this.#o = options;
    this.#admission = new ConnectionAdmission(options.admission);
  }

  get count(): number {
    return this.#sockets.size;
  }

  get listening(): boolean {
    return this.#tcp?.listening === true && this.#wss !== undefined && !this.#closing;
  }

  async listen(host: string, port: number): Promise<number> {
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

  /** Stops accepting new sockets (the broker then closes its clients, then `close` the rest). */
  stopAccepting(): void {
    this.#closing = true;
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const socket of this.#sockets) socket.destroy();
    const tcp = this.#tcp;
    if (tcp?.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const wss = this.#wss;
    if (wss) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  }

  #clientAddress(req: IncomingMessage): string | undefined {
    const forwarded = this.#o.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    return first || req.socket.remoteAddress;
  }

  #accept(conn: Duplex, transport: Transport, remote: string | undefined, req?: IncomingMessage): void {
    const source = sourceKey(remote);
    const log = this.#o.log;
    if (this.#closing || this.#sockets.size >= this.#o.maxConnections) {
      const fields = { transport, remote: clip(remote), open: this.#sockets.size };
      log.warn('all', 'connection limit', fields, 'connection refused: limit reached');
      conn.destroy();
      return;
    }
    // Before anything is read: one source may not hold every slot with sockets that never
    // authenticate, nor take the connect path for itself.
    const admission = this.#admission.admit(source);
    if (admission !== 'admitted') {
      log.warn(
        source,
        admission,
        { transport, remote: clip(remote), reason: admission },
        'connection refused',
      );
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
    const client = this.#o.aedes.handle(conn, req);
    this.#o.opened(client, { transport, remote: remote ?? 'unknown', source, settle });
    conn.once('close', () => {
      this.#sockets.delete(conn);
      settle();
      this.#o.closed(client);
    });
    limitPacketSize(client, this.#o.maxPacketBytes);
    enforceConformance(client, (reason) => {
      const fields = { transport, remote: clip(remote), outcome: 'refused', reason };
      log.info(source, 'protocol refused', fields, 'mqtt connect');
    });
  }
}
