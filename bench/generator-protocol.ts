import type { ClientCredentials } from './client.js';

/** Messages between the bench (parent) and a generator process (fork), over the IPC channel. */

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** A device as a generator sees it: MQTT credentials (none against mosquitto) and its id. */
export interface FleetDevice extends ClientCredentials {
  readonly did: string;
}

export interface ConnectOutcome {
  readonly connected: number;
  readonly failed: number;
  /** First failure messages, for the report. */
  readonly errors: string[];
  readonly ms: number;
}

export interface IngestCounts {
  /** QoS 1 publishes sent / acknowledged by the broker since the load started. */
  readonly sent: number;
  readonly acked: number;
  readonly inflight: number;
}

export interface RoundTripParties {
  readonly phone: ClientCredentials;
  readonly device: ClientCredentials;
  /** Where the phone publishes commands, where it gets replies. */
  readonly phoneCommandTopic: string;
  readonly phoneReplyTopic: string;
  /** Where the device gets commands, where it answers. */
  readonly deviceCommandTopic: string;
  readonly deviceReplyTopic: string;
}

export interface RoundTripOutcome {
  /** Round-trip times in microseconds, in the order measured. */
  readonly samplesUs: number[];
  readonly errors: number;
  readonly firstError: string | undefined;
}

export type GeneratorRequest =
  | {
      readonly op: 'connect';
      readonly endpoint: Endpoint;
      readonly devices: readonly FleetDevice[];
      readonly localAddresses: readonly string[];
      /** Connects in flight at once (TCP handshake to CONNACK). */
      readonly window: number;
      readonly attempts: number;
    }
  | { readonly op: 'storm'; readonly window: number; readonly attempts: number }
  | { readonly op: 'disconnectAll' }
  | {
      readonly op: 'ingestStart';
      /** QoS 1 publishes in flight per device. */
      readonly window: number;
      /** Reports per second for this generator; undefined = as fast as acknowledgements allow. */
      readonly ratePerSecond: number | undefined;
    }
  | { readonly op: 'ingestMark' }
  | { readonly op: 'ingestStop'; readonly drainMs: number }
  | { readonly op: 'sinkStart'; readonly endpoint: Endpoint; readonly filter: string }
  | { readonly op: 'sinkMark' }
  | { readonly op: 'rtSetup'; readonly endpoint: Endpoint; readonly parties: RoundTripParties }
  | {
      readonly op: 'rtRun';
      readonly did: string;
      readonly idPrefix: string;
      readonly warmup: number;
      readonly count: number;
      readonly timeLimitMs: number;
      readonly replyTimeoutMs: number;
    }
  | { readonly op: 'close' };

export interface GeneratorResults {
  connect: ConnectOutcome;
  storm: ConnectOutcome;
  disconnectAll: { readonly closed: number };
  ingestStart: { readonly devices: number };
  ingestMark: IngestCounts;
  ingestStop: IngestCounts;
  sinkStart: { readonly granted: number[] };
  sinkMark: { readonly received: number };
  rtSetup: { readonly ready: true };
  rtRun: RoundTripOutcome;
  close: { readonly closed: true };
}

export type GeneratorOp = GeneratorRequest['op'];

export interface RequestEnvelope {
  readonly reqId: number;
  readonly request: GeneratorRequest;
}

export type ResponseEnvelope =
  | { readonly reqId: number; readonly ok: true; readonly result: GeneratorResults[GeneratorOp] }
  | { readonly reqId: number; readonly ok: false; readonly error: string };

const OPS: ReadonlySet<string> = new Set<GeneratorOp>([
  'connect',
  'storm',
  'disconnectAll',
  'ingestStart',
  'ingestMark',
  'ingestStop',
  'sinkStart',
  'sinkMark',
  'rtSetup',
  'rtRun',
  'close',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Both ends are this program, so the shape is trusted once the envelope and op are known; the
 * check keeps a stray message (another IPC user) from being taken for a request.
 */
export function asRequestEnvelope(message: unknown): RequestEnvelope | undefined {
  if (!isRecord(message) || typeof message['reqId'] !== 'number') return undefined;
  const request = message['request'];
  if (!isRecord(request) || typeof request['op'] !== 'string' || !OPS.has(request['op'])) return undefined;
  return message as unknown as RequestEnvelope;
}

export function asResponseEnvelope(message: unknown): ResponseEnvelope | undefined {
  if (!isRecord(message) || typeof message['reqId'] !== 'number' || typeof message['ok'] !== 'boolean')
    return undefined;
  return message as unknown as ResponseEnvelope;
}
