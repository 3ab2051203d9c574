import net from 'node:net';
import mqttPacket from 'mqtt-packet';

/** What a raw socket saw: the packets the hub sent, and whether (and when) it closed. */
export interface RawOutcome {
  readonly packets: mqttPacket.Packet[];
  readonly closed: boolean;
}

/** One length-prefixed UTF-8 field as MQTT encodes strings, or raw bytes as given. */
export function field(value: string | Buffer): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** Fixed header + remaining length (variable byte integer) + body. */
export function packet(firstByte: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([firstByte, ...len]), body]);
}

/**
 * A CONNECT written by hand, so tests can send what MQTT.js refuses to produce: any protocol name
 * and level, client ids as raw bytes (ill-formed UTF-8, U+0000), any length.
 */
export function connectPacket(o: {
  clientId: string | Buffer;
  username?: string;
  password?: string;
  protocolName?: string;
  level?: number;
  clean?: boolean;
  keepalive?: number;
}): Buffer {
  let flags = o.clean === false ? 0 : 0x02;
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive ?? 30);
  const parts = [
    field(o.protocolName ?? 'MQTT'),
    Buffer.from([o.level ?? 4, flags]),
    keepalive,
    field(o.clientId),
  ];
  if (o.username !== undefined) parts.push(field(o.username));
  if (o.password !== undefined) parts.push(field(o.password));
  return packet(0x10, Buffer.concat(parts));
}

export interface RawClient {
  readonly socket: net.Socket;
  readonly packets: mqttPacket.Packet[];
  /** Resolves with the first packet the hub sends that matches, or undefined when the socket closes first. */
  next(match?: (p: mqttPacket.Packet) => boolean, timeoutMs?: number): Promise<mqttPacket.Packet | undefined>;
  /** Resolves once the hub closed the socket. */
  closed(timeoutMs?: number): Promise<void>;
  readonly isClosed: boolean;
  write(bytes: Buffer): void;
  destroy(): void;
}

/** A raw TCP socket to the hub's MQTT port (optionally from a given 127.0.0.x source address). */
export function rawClient(port: number, localAddress?: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    const parser = mqttPacket.parser();
    const packets: mqttPacket.Packet[] = [];
    let isClosed = false;
    const listeners = new Set<() => void>();
    const notify = () => {
      for (const l of [...listeners]) l();
    };
    parser.on('packet', (p) => {
      packets.push(p);
      notify();
    });
    parser.on('error', () => undefined);
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      isClosed = true;
      notify();
    });
    socket.once('error', (err) => {
      if (!socket.remoteAddress) reject(err);
    });
    const wait = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
      new Promise((res, rej) => {
        const tryNow = () => {
          const v = check();
          if (v === undefined) return false;
          clearTimeout(timer);
          listeners.delete(listener);
          res(v);
          return true;
        };
        const listener = () => void tryNow();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          rej(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        listeners.add(listener);
        tryNow();
      });
    socket.once('connect', () =>
      resolve({
        socket,
        packets,
        get isClosed() {
          return isClosed;
        },
        next(match = () => true, timeoutMs = 5000) {
          let seen = 0;
          return wait<{ p: mqttPacket.Packet | undefined }>(
            () => {
              for (; seen < packets.length; seen++) {
                const p = packets[seen] as mqttPacket.Packet;
                if (match(p)) return { p };
              }
              return isClosed ? { p: undefined } : undefined;
            },
            'a packet',
            timeoutMs,
          ).then((r) => r.p);
        },
        closed(timeoutMs = 5000) {
          return wait(() => (isClosed ? true : undefined), 'close', timeoutMs).then(() => undefined);
        },
        write(bytes: Buffer) {
          socket.write(bytes);
        },
        destroy() {
          socket.destroy();
        },
      }),
    );
  });
}

/** Polls `check` (a cheap in-process read) until it holds, bounded: for state with no event to wait on. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
