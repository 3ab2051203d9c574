import { generate } from 'mqtt-packet';

/**
 * The few MQTT 3.1.1 packets a load generator sends and receives, encoded and decoded by hand:
 * a generator that allocates one object per packet (mqtt-packet's parser) saturates before the
 * broker does. CONNECT and SUBSCRIBE are rare and go through mqtt-packet's `generate`.
 */

export const PacketType = {
  connack: 2,
  publish: 3,
  puback: 4,
  suback: 9,
  pingresp: 13,
} as const;

/** [MQTT-2.2.3] remaining length: 7 bits per byte, high bit = more bytes follow; at most 4 bytes. */
function remainingLengthSize(length: number): number {
  if (length < 128) return 1;
  if (length < 16_384) return 2;
  if (length < 2_097_152) return 3;
  return 4;
}

function writeRemainingLength(buf: Buffer, offset: number, length: number): number {
  let n = length;
  let at = offset;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    buf[at++] = byte;
  } while (n > 0);
  return at;
}

/**
 * A PUBLISH with an ASCII/latin1 payload written straight into the packet buffer (no intermediate
 * payload Buffer). `topic` is pre-encoded once per client. QoS 0 ignores `messageId`.
 */
export function encodePublish(topic: Buffer, payload: string, qos: 0 | 1, messageId: number): Buffer {
  const payloadBytes = Buffer.byteLength(payload, 'latin1');
  const length = 2 + topic.length + (qos > 0 ? 2 : 0) + payloadBytes;
  const buf = Buffer.allocUnsafe(1 + remainingLengthSize(length) + length);
  buf[0] = 0x30 | (qos << 1);
  let at = writeRemainingLength(buf, 1, length);
  at = buf.writeUInt16BE(topic.length, at);
  at += topic.copy(buf, at);
  if (qos > 0) at = buf.writeUInt16BE(messageId, at);
  buf.write(payload, at, 'latin1');
  return buf;
}

/** [MQTT-3.4] PUBACK: fixed header 0x40, remaining length 2, packet identifier. */
export function encodePuback(messageId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = 0x40;
  buf[1] = 2;
  buf.writeUInt16BE(messageId, 2);
  return buf;
}

export interface ConnectFields {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Seconds; 0 = no keepalive (the generator holds connections for minutes at most). */
  readonly keepalive: number;
}

export function encodeConnect(fields: ConnectFields): Buffer {
  return generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: fields.clientId,
    keepalive: fields.keepalive,
    ...(fields.username !== undefined ? { username: fields.username } : {}),
    ...(fields.password !== undefined ? { password: Buffer.from(fields.password) } : {}),
  });
}

export function encodeSubscribe(messageId: number, filters: readonly string[]): Buffer {
  return generate({
    cmd: 'subscribe',
    messageId,
    subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })),
  });
}

export interface Frame {
  /** Packet type (high nibble of the first byte). */
  readonly type: number;
  /** Flags (low nibble of the first byte): for PUBLISH, DUP/QoS/RETAIN. */
  readonly flags: number;
  /** The variable header and payload. */
  readonly body: Buffer;
}

/**
 * Splits a byte stream into MQTT frames. Holds at most one partial frame between chunks.
 * Throws on a malformed remaining length (the caller drops the connection).
 */
export class FrameReader {
  #pending: Buffer | undefined;

  push(chunk: Buffer, onFrame: (type: number, flags: number, body: Buffer) => void): void {
    const buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let at = 0;
    while (buf.length - at >= 2) {
      let length = 0;
      let multiplier = 1;
      let header = at + 1;
      let complete = false;
      for (let i = 0; i < 4 && header < buf.length; i++) {
        const byte = buf[header++] ?? 0;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        if (i === 3) throw new Error('malformed remaining length');
      }
      if (!complete || buf.length - header < length) break;
      const first = buf[at] ?? 0;
      onFrame(first >> 4, first & 0x0f, buf.subarray(header, header + length));
      at = header + length;
    }
    if (at < buf.length) this.#pending = buf.subarray(at);
  }
}

export interface PublishView {
  readonly topic: string;
  readonly qos: number;
  readonly messageId: number;
  readonly payload: Buffer;
}

/** [MQTT-3.3.2] topic name, then the packet identifier when QoS > 0, then the payload. */
export function readPublish(flags: number, body: Buffer): PublishView {
  const qos = (flags >> 1) & 0x03;
  const topicLength = body.readUInt16BE(0);
  let at = 2 + topicLength;
  const topic = body.toString('utf8', 2, at);
  let messageId = 0;
  if (qos > 0) {
    messageId = body.readUInt16BE(at);
    at += 2;
  }
  return { topic, qos, messageId, payload: body.subarray(at) };
}
