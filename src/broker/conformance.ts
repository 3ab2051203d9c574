import { isUtf8 } from 'node:buffer';
import type { Client } from 'aedes';

/**
 * MQTT 3.1.1 rules that aedes 1.2.0 and mqtt-packet 9 do not enforce, checked while a packet is
 * parsed (where the raw bytes still exist). A violation closes the connection, as the clauses cited
 * below require; an unsupported protocol level is first answered with CONNACK 0x01.
 */
interface BufferList {
  readonly length: number;
  readUInt8(offset: number): number;
  readUInt16BE(offset: number): number;
  slice(start: number, end: number): Buffer;
  toString(encoding: 'utf8', start: number, end: number): string;
}

interface ParserInternals {
  _list: BufferList;
  _pos: number;
  error: Error | null;
  packet: {
    cmd: string;
    length: number;
    messageId?: number;
    subscriptions?: unknown[];
    unsubscriptions?: unknown[];
  };
  parse: (buf: Buffer) => number;
  _parseString: () => string | null;
  _parseConnect: () => unknown;
  _parseMessageId: () => boolean;
  _parseSubscribe: () => unknown;
  _parseUnsubscribe: () => unknown;
  _emitError: (err: Error) => unknown;
}

/** CONNACK with return code 0x01, unacceptable protocol level (MQTT 3.1.1 format). */
const CONNACK_BAD_LEVEL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

/** Protocol name and level pairs served: MQTT 3.1.1, and MQTT 3.1 (which aedes also speaks). */
const SUPPORTED: ReadonlyMap<string, number> = new Map([
  ['MQTT', 4],
  ['MQIsdp', 3],
]);

export function enforceConformance(client: Client, onRefused: (reason: string) => void): void {
  const parser = (client as unknown as { _parser?: ParserInternals })._parser;
  const methods = [
    '_parseString',
    '_parseConnect',
    '_parseMessageId',
    '_parseSubscribe',
    '_parseUnsubscribe',
  ];
  if (
    !parser ||
    methods.some((m) => typeof (parser as unknown as Record<string, unknown>)[m] !== 'function')
  ) {
    throw new Error('mqtt-packet internals changed: cannot install the conformance checks');
  }
  const { _parseString, _parseConnect, _parseMessageId, _parseSubscribe, _parseUnsubscribe, _emitError } =
    parser;

  // One error per packet: a check that fails makes the caller fail too ("Cannot parse topic").
  parser._emitError = function emitOnce(this: ParserInternals, err: Error) {
    if (this.error) return undefined;
    return _emitError.call(this, err);
  };

  parser._parseString = function checkedString(this: ParserInternals): string | null {
    const list = this._list;
    if (list.length - this._pos >= 2) {
      const start = this._pos + 2;
      const end = start + list.readUInt16BE(this._pos);
      if (end <= list.length && end <= this.packet.length) {
        const raw = list.slice(start, end);
        // [MQTT-1.5.3-1] ill-formed UTF-8 (overlong forms and surrogates included) closes the connection.
        if (!isUtf8(raw)) {
          this._emitError(new Error('ill-formed UTF-8 in a string [MQTT-1.5.3-1]'));
          return null;
        }
        // [MQTT-1.5.3-2] a string must not contain U+0000.
        if (raw.includes(0)) {
          this._emitError(new Error('U+0000 in a string [MQTT-1.5.3-2]'));
          return null;
        }
      }
    }
    return _parseString.call(this);
  };

  parser._parseConnect = function checkedConnect(this: ParserInternals): unknown {
    const list = this._list;
    if (list.length < 2) return _parseConnect.call(this);
    const nameEnd = 2 + list.readUInt16BE(0);
    if (list.length <= nameEnd) return _parseConnect.call(this);
    const name = list.toString('utf8', 2, nameEnd);
    const level = list.readUInt8(nameEnd) & 0x7f; // the high bit marks a bridge
    const expected = SUPPORTED.get(name);
    if (expected === undefined || expected === level) return _parseConnect.call(this);
    if (name === 'MQIsdp' && level === 4) {
      // [MQTT-3.1.2-1] the protocol name is wrong for MQTT 3.1.1: the server may disconnect.
      this._emitError(new Error('protocol name MQIsdp with level 4 [MQTT-3.1.2-1]'));
      return undefined;
    }
    // [MQTT-3.1.2-2] an unsupported level gets CONNACK 0x01 and then the connection is closed. The
    // rest of the packet may follow another version's layout, so it is not parsed: parsing stops here.
    this.error = new Error(`unsupported protocol level ${level}`);
    this.parse = () => 0;
    onRefused(`protocol ${name} level ${level} is not supported (CONNACK 1)`);
    const conn = (client as unknown as { conn: { write(b: Buffer, cb: () => void): void } }).conn;
    conn.write(CONNACK_BAD_LEVEL, () => client.close());
    return undefined;
  };

  parser._parseMessageId = function checkedMessageId(this: ParserInternals): boolean {
    if (!_parseMessageId.call(this)) return false;
    const { cmd, messageId } = this.packet;
    // [MQTT-2.3.1-1] PUBLISH (QoS > 0), SUBSCRIBE and UNSUBSCRIBE carry a non-zero packet identifier.
    if (messageId === 0 && (cmd === 'publish' || cmd === 'subscribe' || cmd === 'unsubscribe')) {
      this._emitError(new Error(`packet identifier 0 in ${cmd.toUpperCase()} [MQTT-2.3.1-1]`));
      return false;
    }
    return true;
  };

  parser._parseSubscribe = function checkedSubscribe(this: ParserInternals): unknown {
    const out = _parseSubscribe.call(this);
    // [MQTT-3.8.3-3] a SUBSCRIBE carries at least one topic filter.
    if (!this.error && this.packet.subscriptions?.length === 0) {
      this._emitError(new Error('SUBSCRIBE without a topic filter [MQTT-3.8.3-3]'));
    }
    return out;
  };

  parser._parseUnsubscribe = function checkedUnsubscribe(this: ParserInternals): unknown {
    const out = _parseUnsubscribe.call(this);
    // [MQTT-3.10.3-2] an UNSUBSCRIBE carries at least one topic filter.
    if (!this.error && this.packet.unsubscriptions?.length === 0) {
      this._emitError(new Error('UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]'));
    }
    return out;
  };
}
