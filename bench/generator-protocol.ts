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

/** A device of the cluster bench: `home` is the index of the node endpoint it tries first. */
export interface ClusterDevice extends FleetDevice {
  readonly home: number;
}

/** What a generator's cluster fleet (worker/cluster-fleet.ts) holds and has done so far. */
export interface ClusterStatus {
  readonly devices: number;
  readonly connected: number;
  /** Connected devices per node endpoint. */
  readonly perEndpoint: number[];
  /** Connections that closed after CONNACK (their node went away). */
  readonly lost: number;
  /** Successful connects after a loss. */
  readonly reconnected: number;
  /** Connect attempts that failed (refused, closed before CONNACK, timed out). */
  readonly failedAttempts: number;
  /** Devices given up on (initial connect only: healing never gives up). */
  readonly gaveUp: number;
  /** Date.now() of the last successful connect. */
  readonly lastConnectAt: number;
  /** QoS 1 reports sent / acknowledged over the generator's life. */
  readonly sent: number;
  readonly acked: number;
  readonly inflight: number;
  readonly errors: string[];
  /** Failed connect attempts by node endpoint (index) and reason (at most 24 distinct pairs kept). */
  readonly failures: Array<{ readonly endpoint: number; readonly reason: string; readonly count: number }>;
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
  | {
      readonly op: 'rtSetup';
      readonly endpoint: Endpoint;
      readonly parties: RoundTripParties;
      /** Where the device connects when not where the phone does (cluster bench: another node). */
      readonly deviceEndpoint?: Endpoint;
    }
  | {
      readonly op: 'rtRun';
      readonly did: string;
      readonly idPrefix: string;
      readonly warmup: number;
      readonly count: number;
      readonly timeLimitMs: number;
      readonly replyTimeoutMs: number;
    }
  | {
      readonly op: 'cfConnect';
      readonly endpoints: readonly Endpoint[];
      readonly devices: readonly ClusterDevice[];
      readonly localAddresses: readonly string[];
      readonly window: number;
      /** Attempts per device (each on the next endpoint, round robin) before it is given up. */
      readonly attempts: number;
      /** After CONNACK, subscribe to the device's command and OTA topics, as firmware does (SUBACK counts). */
      readonly subscribe?: boolean;
    }
  | { readonly op: 'cfHeal'; readonly on: boolean }
  | { readonly op: 'cfStatus' }
  | {
      readonly op: 'cfIngestStart';
      /** The first N devices of this generator report. */
      readonly devices: number;
      readonly window: number;
      readonly ratePerSecond: number | undefined;
    }
  | { readonly op: 'cfIngestStop'; readonly drainMs: number }
  | { readonly op: 'cfPerDevice' }
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
  cfConnect: ClusterStatus & { readonly ms: number };
  cfHeal: ClusterStatus;
  cfStatus: ClusterStatus;
  cfIngestStart: { readonly devices: number };
  cfIngestStop: ClusterStatus;
  /** Per device, in the order given to cfConnect: its id, reports sent and acknowledged. */
  cfPerDevice: { readonly dids: string[]; readonly sent: number[]; readonly acked: number[] };
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
  'cfConnect',
  'cfHeal',
  'cfStatus',
  'cfIngestStart',
  'cfIngestStop',
  'cfPerDevice',
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
