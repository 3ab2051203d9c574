import type { AuthenticateError, Client, ConnectPacket } from 'aedes';

/**
 * Longest client id accepted, in bytes. [MQTT-3.1.3-5] lets a server allow more than 23 characters;
 * the longest valid id here is a phone's `app/{uid}/{label}` (85 bytes). Past it: CONNACK 2.
 */
export const MAX_CLIENT_ID_BYTES = 128;

/** What authenticate() must know of a CONNECT; aedes shows the whole packet only to preConnect. */
export interface ConnectNotes {
  /** The client sent an empty id (aedes then invents one before authenticate). */
  readonly emptyId: boolean;
  /** The will's topic: the policy checks it like a publish. */
  readonly willTopic: string | undefined;
  /** Refused for the client id itself, whatever the credentials (CONNACK 2). */
  readonly idRefusal: string | undefined;
  /** cleanSession=1: nothing is kept after the connection. */
  readonly clean: boolean;
}

const notes = new WeakMap<Client, ConnectNotes>();

export function noteConnect(client: Client, packet: ConnectPacket): void {
  const clientId = packet.clientId;
  let idRefusal: string | undefined;
  // [MQTT-3.1.3-8] a zero-byte ClientId with CleanSession=0 must be refused with return code 2;
  // aedes 1.2.0 accepts it and invents an id.
  if (clientId === '' && !packet.clean) idRefusal = 'empty clientId with cleanSession=0';
  // [MQTT-3.1.3-9] a client id the server rejects gets CONNACK 2.
  else if (Buffer.byteLength(clientId) > MAX_CLIENT_ID_BYTES)
    idRefusal = `clientId longer than ${MAX_CLIENT_ID_BYTES} bytes`;
  notes.set(client, {
    emptyId: clientId === '',
    willTopic: packet.will?.topic,
    idRefusal,
    clean: packet.clean !== false,
  });
}

/** What aedes' MQTT parser keeps of the CONNECT packet (mqtt-packet's Parser#settings). */
interface ParserSettings {
  protocolVersion?: number | undefined;
  bridgeMode?: boolean | undefined;
}

/**
 * Drops what the connection no longer needs once its CONNECT was authenticated. mqtt-packet's
 * parser keeps the whole CONNECT packet as its `settings` for the life of the connection (the
 * password Buffer included: a device's secret or a user's token in memory for hours); it reads only
 * the protocol version and bridge mode from it afterwards, so those are all it keeps. The notes
 * above are read only while CONNECT is being handled.
 */
export function forgetConnect(client: Client): void {
  notes.delete(client);
  const parser = (client as unknown as { _parser?: { settings?: ParserSettings } })._parser;
  const settings = parser?.settings;
  if (parser === undefined || settings === undefined) return;
  parser.settings = { protocolVersion: settings.protocolVersion, bridgeMode: settings.bridgeMode };
}

export function connectNotes(client: Client): ConnectNotes {
  return notes.get(client) ?? { emptyId: false, willTopic: undefined, idRefusal: undefined, clean: true };
}

export function authError(code: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}
