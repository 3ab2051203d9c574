import type { CompiledSpec, ModelSpec } from '../src/registry/spec/index.js';
import type { CommandOp, CommandReply } from './commands.js';
import type { LinkStatus } from './link.js';
import type { DeviceCredentials, SimulatedDeviceOptions } from './options.js';

export type ReportKind = 'full' | 'change' | 'telemetry';
export type DeviceStatus = LinkStatus;

export interface SimulatedDeviceEvents {
  connected: [{ reconnect: boolean }];
  /** A connection attempt failed (network error, timeout or refused CONNACK); a retry follows unless stopped. */
  connectFailed: [Error];
  disconnected: [{ error: Error | undefined }];
  /** After the hub acknowledged the report (PUBACK). */
  reported: [{ seq: number; kind: ReportKind; props: Record<string, unknown> }];
  event: [{ seq: number; event: string }];
  commandHandled: [{ op: CommandOp | undefined; reply: CommandReply | undefined; sent: number }];
  /** A message on `dev/{id}/ota` (an offer or a cancel); an OtaClient (ota.ts) acts on it. */
  ota: [Buffer];
  /** Emitted only when someone listens, so an unobserved device never throws. */
  error: [Error];
}

export interface SimulatedDeviceInit {
  /** The model document the hub knows (with the partner's model id), or one compiled by `prepareSpec`. */
  readonly spec: ModelSpec | CompiledSpec;
  readonly credentials: DeviceCredentials;
  /** `mqtt://host:1883` or `ws://host:8080/mqtt`. */
  readonly hubUrl: string;
  readonly options?: SimulatedDeviceOptions;
}

export interface DeviceTopics {
  readonly props: string;
  readonly events: string;
  readonly replies: string;
  readonly cmd: string;
  readonly ota: string;
  readonly otaProgress: string;
}

/** The topics of one device (docs/protocol.md, "Topics"). */
export function deviceTopics(id: string): DeviceTopics {
  const base = `dev/${id}`;
  return {
    props: `${base}/props`,
    events: `${base}/events`,
    replies: `${base}/replies`,
    cmd: `${base}/cmd`,
    ota: `${base}/ota`,
    otaProgress: `${base}/ota/progress`,
  };
}
