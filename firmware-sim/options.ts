import type { Logger } from 'pino';
import type { ClientKind, Connector } from './connection.js';
import type { Faults } from './faults.js';
import type { Ticker } from './ticker.js';

export interface DeviceCredentials {
  readonly id: string;
  readonly secret: string;
}

export interface BackoffOptions {
  /** First retry waits between half of this and this. Default 500 ms. */
  readonly baseMs?: number | undefined;
  /** The doubling stops here. Default 30 s. */
  readonly maxMs?: number | undefined;
}

export interface SimulatedDeviceOptions {
  /** Announced as `device-information.firmware-revision`. Default '1.0.0'. */
  readonly firmwareRevision?: string | undefined;
  /** Announced as `device-information.manufacturer`. Default 'ecohub-sim'. */
  readonly manufacturer?: string | undefined;
  /** MQTT keepalive in seconds. Default 30. */
  readonly keepaliveSeconds?: number | undefined;
  /** From socket open to CONNACK. Default 10 s. */
  readonly connectTimeoutMs?: number | undefined;
  /** Sensors drift and are reported this often; 0 turns telemetry off. Default 10 s. */
  readonly telemetryIntervalMs?: number | undefined;
  /** Mean time between spontaneous events (exponentially distributed); 0 turns them off. Default 60 s. */
  readonly eventIntervalMs?: number | undefined;
  /** Seeds drift, events, action outputs and jitter. Default: derived from the device id. */
  readonly seed?: number | undefined;
  readonly backoff?: BackoffOptions | undefined;
  readonly faults?: Faults | undefined;
  /** A shared ticker (fleets); by default the device runs its own. */
  readonly ticker?: Ticker | undefined;
  /** Interval of the device's own ticker. Default 100 ms. */
  readonly tickMs?: number | undefined;
  /** How to open connections; by default chosen from the hub URL (see `defaultConnector`). */
  readonly connector?: Connector | undefined;
  /** Force the lean client or MQTT.js. */
  readonly client?: ClientKind | undefined;
  /** Source address to bind (lean client and MQTT.js over TCP). */
  readonly localAddress?: string | undefined;
  /** Logs lifecycle and errors on a child logger; silent without one. */
  readonly log?: Logger | undefined;
}

export interface ResolvedDeviceOptions {
  readonly firmwareRevision: string;
  readonly manufacturer: string;
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly telemetryIntervalMs: number;
  readonly eventIntervalMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly faults: Faults;
}

export function resolveDeviceOptions(options: SimulatedDeviceOptions): ResolvedDeviceOptions {
  const resolved: ResolvedDeviceOptions = {
    firmwareRevision: options.firmwareRevision ?? '1.0.0',
    manufacturer: options.manufacturer ?? 'ecohub-sim',
    keepaliveSeconds: options.keepaliveSeconds ?? 30,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    telemetryIntervalMs: options.telemetryIntervalMs ?? 10_000,
    eventIntervalMs: options.eventIntervalMs ?? 60_000,
    backoffBaseMs: options.backoff?.baseMs ?? 500,
    backoffMaxMs: options.backoff?.maxMs ?? 30_000,
    faults: options.faults ?? {},
  };
  for (const key of [
    'keepaliveSeconds',
    'connectTimeoutMs',
    'telemetryIntervalMs',
    'eventIntervalMs',
  ] as const) {
    if (!(resolved[key] >= 0) || !Number.isFinite(resolved[key])) {
      throw new Error(`${key} must be a non-negative number, got ${resolved[key]}`);
    }
  }
  if (!(resolved.backoffBaseMs > 0) || !(resolved.backoffMaxMs >= resolved.backoffBaseMs)) {
    throw new Error('backoff needs 0 < baseMs <= maxMs');
  }
  return resolved;
}

/** Counters a device keeps from its start; fleets add them up. */
export interface DeviceCounters {
  connects: number;
  reconnects: number;
  /** Property reports published (spoiled ones included, dropped ones not). */
  reportsSent: number;
  /** Property reports the hub acknowledged. */
  reportsAcked: number;
  /** Reports skipped by the `dropReports` fault. */
  reportsDropped: number;
  eventsSent: number;
  commandsReceived: number;
  /** Commands answered (a duplicated reply counts once). */
  commandsAnswered: number;
  errors: number;
  /** Connections dropped on purpose by the `flapping` fault. */
  flaps: number;
}

export function emptyCounters(): DeviceCounters {
  return {
    connects: 0,
    reconnects: 0,
    reportsSent: 0,
    reportsAcked: 0,
    reportsDropped: 0,
    eventsSent: 0,
    commandsReceived: 0,
    commandsAnswered: 0,
    errors: 0,
    flaps: 0,
  };
}
