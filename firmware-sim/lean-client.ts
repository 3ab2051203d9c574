import net from 'node:net';
import { generate, type IConnackPacket, type IPublishPacket, type Packet, parser } from 'mqtt-packet';

/**
 * A small MQTT 3.1.1 client on `net` + `mqtt-packet`, for thousands of connections in one process
 * (fleets, benchmarks): no streams layered on the socket, no store, no timer of its own once
 * connected. Keepalive runs from `tick(now)`, which the owner calls from one shared interval (see
 * `Ticker`) for every client it holds. QoS 0 and 1 only; clean sessions; no automatic reconnect
 * (the owner decides how to back off).
 */

export interface LeanClientOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string | Buffer;
  /** Seconds; 0 disables keepalive. Default 30. */
  readonly keepalive?: number;
  /** Default true: the hub keeps no session for us. */
  readonly clean?: boolean;
  /** Source address to bind, e.g. 127.0.0.2, when one address would run out of ephemeral ports. */
  readonly localAddress?: string;
  /** Default true: without it a request/reply pair waits on Nagle + delayed ACK. */
  readonly noDelay?: boolean;
  /** From socket open to CONNACK. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly onMessage?: (topic: string, payload: Buffer, packet: IPublishPacket) => void;
  /** Called once when the connection is gone, with the reason when it was not `end()`. */
  readonly onClose?: (error: Error | undefined) => void;
}

/** The broker answered CONNECT with a non-zero return code ([MQTT-3.2.2-5]). */
export class ConnackError extends Error {
  override readonly name = 'ConnackError';
  constructor(readonly returnCode: number) {
    super(`connection refused by the broker: CONNACK return code ${returnCode}`);
  }
}

interface Pending {
  resolve(value: number[]): void;
  reject(error: Error): void;
}

const NO_GRANTS: number[] = [];

export class LeanMqttClient {
  readonly #o: LeanClientOptions;
  readonly #keepaliveMs: number;
  #socket: net.Socket | undefined;
  #connected = false;
  #closed = false;
  #ending = false;
  #lastSentAt = 0;
  #lastReceivedAt = 0;
  #pingSentAt = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(options: LeanClientOptions) {
    this.#o = options;
    this.#keepaliveMs = (options.keepalive ?? 30) * 1000;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** QoS 1 publishes and subscriptions still waiting for their acknowledgement. */
  get inflight(): number {
    return this.#pending.size;
  }

  /** Bytes written but not yet handed to the kernel (backpressure). */
  get bufferedBytes(): number {
    return this.#socket?.writableLength ?? 0;
  }

  /** Opens the socket and sends CONNECT; resolves on CONNACK 0, rejects on a refusal or a network error. */
  connect(): Promise<IConnackPacket> {
    if (this.#socket !== undefined) return Promise.reject(new Error('connect() may be called once'));
    const o = this.#o;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.destroy(error);
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`no CONNACK within ${o.connectTimeoutMs ?? 10_000} ms`)),
        o.connectTimeoutMs ?? 10_000,
      );
      timer.unref();
      const socket = net.connect({
        host: o.host,
        port: o.port,
        noDelay: o.noDelay ?? true,
        ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      });
      this.#socket = socket;
      const input = parser({ protocolVersion: 4 });
      input.on('packet', (packet: Packet) => {
        this.#lastReceivedAt = Date.now();
        if (packet.cmd === 'connack' && !settled) {
          settled = true;
          clearTimeout(timer);
          const code = packet.returnCode ?? 0;
          if (code !== 0) {
            const error = new ConnackError(code);
            this.destroy(error);
            reject(error);
            return;
          }
          this.#connected = true;
          resolve(packet);
          return;
        }
        this.#receive(packet);
      });
      input.on('error', (error: unknown) =>
        this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      socket.on('data', (chunk: Buffer) => {
        // Acknowledgements for every packet in this chunk leave in one write.
        socket.cork();
        input.parse(chunk);
        socket.uncork();
      });
      let lastError: Error | undefined;
      socket.on('error', (error) => {
        lastError = error;
        fail(error);
      });
      socket.on('close', () => {
        fail(lastError ?? new Error('connection closed before CONNACK'));
        this.#finish(this.#ending ? undefined : (lastError ?? new Error('connection closed by the broker')));
      });
      socket.once('connect', () => {
        this.#send({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: o.clientId,
          clean: o.clean ?? true,
          keepalive: this.#keepaliveMs / 1000,
          ...(o.username !== undefined ? { username: o.username } : {}),
          ...(o.password !== undefined
            ? { password: typeof o.password === 'string' ? Buffer.from(o.password) : o.password }
            : {}),
        });
      });
    });
  }

  /** QoS 0 resolves once written; QoS 1 once the PUBACK arrives. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 0): Promise<void> {
    if (!this.#connected) return Promise.reject(new Error('not connected'));
    if (qos === 0) {
      this.#send({ cmd: 'publish', topic, payload, qos: 0, dup: false, retain: false });
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const messageId = this.#allocateId({ resolve: () => resolve(), reject });
      this.#send({ cmd: 'publish', topic, payload, qos: 1, dup: false, retain: false, messageId });
    });
  }

  /** Resolves with the SUBACK return codes: the granted QoS, or 128 for a refused filter. */
  subscribe(subscriptions: ReadonlyArray<{ topic: string; qos: 0 | 1 }>): Promise<number[]> {
    if (!this.#connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      const messageId = this.#allocateId({ resolve, reject });
      this.#send({ cmd: 'subscribe', messageId, subscriptions: subscriptions.map((s) => ({ ...s })) });
    });
  }

  ping(): void {
    if (!this.#connected) return;
    this.#pingSentAt = Date.now();
    this.#send({ cmd: 'pingreq' });
  }

  /**
   * Keepalive from a shared timer: [MQTT-3.1.2-23] the client must send something within each
   * keepalive period, so it pings after three quarters of it without sending (leaving room for the
   * tick interval); a ping unanswered for a whole period means the link is dead.
   */
  tick(now: number = Date.now()): void {
    if (!this.#connected || this.#keepaliveMs === 0) return;
    if (
      this.#pingSentAt > 0 &&
      this.#lastReceivedAt < this.#pingSentAt &&
      now - this.#pingSentAt > this.#keepaliveMs
    ) {
      this.destroy(new Error('no PINGRESP within the keepalive period'));
      return;
    }
    if (now - this.#lastSentAt >= this.#keepaliveMs * 0.75) this.ping();
  }

  /** Sends DISCONNECT and closes the socket; resolves once it is closed. */
  end(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || this.#closed) return Promise.resolve();
    this.#ending = true;
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (this.#connected) {
        this.#connected = false;
        this.#send({ cmd: 'disconnect' });
      }
      socket.end();
      // A peer that never closes its side must not keep us waiting.
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  /** Drops the connection at once, without DISCONNECT (the broker then sends the will, if any). */
  destroy(error?: Error): void {
    this.#socket?.destroy();
    this.#finish(error);
  }

  #receive(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish':
        // [MQTT-4.3.2-2] acknowledge QoS 1 deliveries; QoS 2 is not granted by our subscriptions.
        if (packet.qos === 1 && packet.messageId !== undefined) {
          this.#send({ cmd: 'puback', messageId: packet.messageId });
        }
        this.#o.onMessage?.(
          packet.topic,
          typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
          packet,
        );
        return;
      case 'puback':
        this.#settle(packet.messageId, NO_GRANTS);
        return;
      case 'suback':
        this.#settle(
          packet.messageId,
          packet.granted.map((g) => (typeof g === 'number' ? g : 128)),
        );
        return;
      case 'pingresp':
        this.#pingSentAt = 0;
        return;
      default:
        return;
    }
  }

  #settle(messageId: number | undefined, value: number[]): void {
    if (messageId === undefined) return;
    const pending = this.#pending.get(messageId);
    if (pending === undefined) return;
    this.#pending.delete(messageId);
    pending.resolve(value);
  }

  #allocateId(pending: Pending): number {
    // [MQTT-2.3.1-1] non-zero, unique among the packets still in flight.
    for (let tries = 0; tries < 65_535; tries++) {
      const id = this.#nextId;
      this.#nextId = id >= 65_535 ? 1 : id + 1;
      if (!this.#pending.has(id)) {
        this.#pending.set(id, pending);
        return id;
      }
    }
    throw new Error('65535 packets in flight: no packet identifier left');
  }

  #send(packet: Packet): void {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    this.#lastSentAt = Date.now();
    socket.write(generate(packet));
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    const reason = error ?? new Error('connection closed');
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
    this.#o.onClose?.(error);
  }
}
