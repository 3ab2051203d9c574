import type { Client } from 'aedes';

/**
 * aedes 1.2.0 builds its mqtt-packet parser without a size limit, and the parser buffers a whole
 * packet before decoding it, so one CONNECT or PUBLISH announcing 256 MiB would be held in memory.
 * We refuse a packet as soon as its fixed header announces a remaining length over the limit:
 * the parser errors and aedes closes the connection ([MQTT-4.8.0-1] lets a server close on a
 * protocol violation it will not process).
 */
interface ParserInternals {
  packet: { length: number };
  _parseLength: () => boolean;
  _emitError: (err: Error) => boolean;
}

export function limitPacketSize(client: Client, maxBytes: number): void {
  const parser = (client as unknown as { _parser?: ParserInternals })._parser;
  if (!parser || typeof parser._parseLength !== 'function') {
    throw new Error('aedes internals changed: cannot install the packet size limit');
  }
  const parseLength = parser._parseLength;
  parser._parseLength = function guardedParseLength(this: ParserInternals): boolean {
    const done = parseLength.call(this);
    if (done && this.packet.length > maxBytes) {
      this._emitError(new Error(`packet of ${this.packet.length} bytes exceeds the limit of ${maxBytes}`));
      return false;
    }
    return done;
  };
}
