import net from 'node:net';
import {
  encodeConnect,
  encodePuback,
  encodePublish,
  encodeSubscribe,
  FrameReader,
  PacketType,
  type PublishView,
  readPublish,
} from './wire.js';

/**
 * A minimal MQTT 3.1.1 client for load generation (firmware-sim's LeanMqttClient keeps a promise
 * and a `generate()` call per publish, which costs more than the broker's side of the work here).
 * QoS 1 acknowledgements are reported through one callback per client instead of one promise per
 * message, and everything a client sends in answer to one socket read leaves in one write (cork).
 */

export interface ClientCredentials {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
}

export interface BenchClientOptions extends ClientCredentials {
  readonly host: string;
  readonly port: number;
  /** Source address (127.0.0.2, ...): one address has only ~28k ephemeral ports. */
  readonly localAddress?: string;
  /** From opening the socket to CONNACK. */
  readonly connectTimeoutMs: number;
  /** A QoS 1 publish of ours was acknowledged. */
  readonly onPuback?: (messageId: number) => void;
  /** A message for us; QoS 1 deliveries are acknowledged before this runs. */
  readonly onPublish?: (message: PublishView) => void;
  /** The connection is gone (after a successful connect). */
  readonly onClose?: () => void;
}

/** The broker refused CONNECT ([MQTT-3.2.2-5]). */
export class ConnackRefused extends Error {
  constructor(readonly returnCode: number) {
    super(`CONNACK return code ${returnCode}`);
  }
}

export class BenchClient {
  readonly #o: BenchClientOptions;
  readonly #reader = new FrameReader();
  #socket: net.Socket | undefined;
  #connected = false;
  #nextId = 1;
  #subscribed: ((granted: number[]) => void) | undefined;

  constructor(options: BenchClientOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  connect(): Promise<void> {
    const o = this.#o;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined) {
          resolve();
          return;
        }
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => settle(new Error(`no CONNACK within ${o.connectTimeoutMs} ms`)),
        o.connectTimeoutMs,
      );
      const socket = net.connect({
        host: o.host,
        port: o.port,
        noDelay: true,
        ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      });
      this.#socket = socket;
      socket.once('connect', () => {
        socket.write(
          encodeConnect({
            clientId: o.clientId,
            keepalive: 0,
            ...(o.username !== undefined ? { username: o.username } : {}),
            ...(o.password !== undefined ? { password: o.password } : {}),
          }),
        );
      });
      socket.on('data', (chunk: Buffer) => {
        socket.cork();
        try {
          this.#reader.push(chunk, (type, flags, body) => {
            if (type === PacketType.connack && !settled) {
              const code = body[1] ?? 255;
              if (code === 0) {
                this.#connected = true;
                settle(undefined);
              } else settle(new ConnackRefused(code));
              return;
            }
            this.#receive(type, flags, body);
          });
        } catch (error) {
          socket.destroy(error instanceof Error ? error : new Error(String(error)));
        } finally {
          socket.uncork();
        }
      });
      socket.on('error', (error) => settle(error));
      socket.on('close', () => {
        settle(new Error('connection closed before CONNACK'));
        const was = this.#connected;
        this.#connected = false;
        if (was) o.onClose?.();
      });
    });
  }

  /** QoS 1 publish; returns its packet identifier (acknowledged through `onPuback`). */
  publish1(topic: Buffer, payload: string): number {
    const id = this.#nextId;
    // [MQTT-2.3.1-1] non-zero; sequential ids cannot collide while fewer than 65,535 are in flight.
    this.#nextId = id >= 65_535 ? 1 : id + 1;
    this.#socket?.write(encodePublish(topic, payload, 1, id));
    return id;
  }

  /** Subscribes at QoS 1; resolves with the SUBACK return codes. */
  subscribe(filters: readonly string[]): Promise<number[]> {
    const socket = this.#socket;
    if (!this.#connected || socket === undefined) return Promise.reject(new Error('not connected'));
    return new Promise((resolve) => {
      this.#subscribed = resolve;
      socket.write(encodeSubscribe(0xffff, filters));
    });
  }

  /**
   * Drops the connection at once (no DISCONNECT), as a device losing power would. The socket is
   * reset (RST) rather than closed: a closing side keeps a TIME_WAIT entry for 60 s, and tens of
   * thousands of them make the kernel's search for a free source port cost milliseconds per
   * connect, which would make the generator, not the server, the limit of a reconnect storm.
   */
  destroy(): void {
    this.#connected = false;
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    if (socket.readyState === 'open') socket.resetAndDestroy();
    else socket.destroy();
  }

  /** Waits until the socket is fully closed, bounded. */
  closed(timeoutMs = 2000): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #receive(type: number, flags: number, body: Buffer): void {
    switch (type) {
      case PacketType.puback:
        this.#o.onPuback?.(body.readUInt16BE(0));
        return;
      case PacketType.publish: {
        const message = readPublish(flags, body);
        // [MQTT-4.3.2-2] acknowledge a QoS 1 delivery.
        if (message.qos === 1) this.#socket?.write(encodePuback(message.messageId));
        this.#o.onPublish?.(message);
        return;
      }
      case PacketType.suback: {
        const done = this.#subscribed;
        this.#subscribed = undefined;
        done?.([...body.subarray(2)]);
        return;
      }
      default:
        return;
    }
  }
}
