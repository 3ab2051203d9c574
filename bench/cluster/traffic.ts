import { randomBytes } from 'node:crypto';
import type { Generator } from '../generator.js';
import type { ClusterStatus, Endpoint, RoundTripParties } from '../generator-protocol.js';
import type { BenchUser, ProvisionedDevice } from '../setup.js';
import { latencySummary } from '../stats.js';
import { openWindow, sleep, type Watched } from './measure.js';
import type { IngestFigures, LatencyFigures } from './types.js';

/** Ingest and round trips against whichever nodes the generators are connected to. */

const CALL_MS = 120_000;

export function endpoint(port: number): Endpoint {
  return { host: '127.0.0.1', port };
}

export async function statusOf(generators: readonly Generator[]): Promise<ClusterStatus[]> {
  return Promise.all(generators.map((g) => g.call({ op: 'cfStatus' }, CALL_MS)));
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Full-speed ingest: `devices` devices (split over the generators, each generator's first ones,
 * which are spread over the nodes) keep `window` QoS 1 reports in flight; a PUBACK is a report
 * validated and committed, so acknowledgements per second are the figure.
 */
export async function fullSpeedIngest(
  generators: readonly Generator[],
  watched: Watched,
  devices: number,
  window: number,
  warmupMs: number,
  durationMs: number,
): Promise<IngestFigures> {
  const per = Math.max(1, Math.ceil(devices / generators.length));
  await Promise.all(
    generators.map((g) =>
      g.call({ op: 'cfIngestStart', devices: per, window, ratePerSecond: undefined }, CALL_MS),
    ),
  );
  try {
    await sleep(warmupMs);
    const a0 = sum((await statusOf(generators)).map((s) => s.acked));
    const w = await openWindow(watched);
    await sleep(durationMs);
    const result = await w.end();
    const a1 = sum((await statusOf(generators)).map((s) => s.acked));
    return { devices: per * generators.length, perSec: (a1 - a0) / result.seconds, window: result };
  } finally {
    await Promise.all(generators.map((g) => g.call({ op: 'cfIngestStop', drainMs: 10_000 }, CALL_MS)));
  }
}

export function phoneParties(user: BenchUser, device: ProvisionedDevice): RoundTripParties {
  return {
    phone: {
      clientId: `app/${user.id}/bench-${randomBytes(4).toString('hex')}`,
      username: 'token',
      password: user.token,
    },
    device: { clientId: device.id, username: device.id, password: device.secret },
    phoneCommandTopic: `app/${user.id}/cmd`,
    phoneReplyTopic: `app/${user.id}/replies`,
    deviceCommandTopic: `dev/${device.id}/cmd`,
    deviceReplyTopic: `dev/${device.id}/replies`,
  };
}

/**
 * Command round trips phone -> node -> device -> node -> phone, one in flight, the phone on
 * `phonePort` and the device on `devicePort` (another node: the reply is routed back through Redis).
 */
export async function roundTrips(
  rt: Generator,
  parties: RoundTripParties,
  did: string,
  phonePort: number,
  devicePort: number,
  warmup: number,
  count: number,
  timeLimitMs: number,
): Promise<LatencyFigures> {
  await rt.call(
    { op: 'rtSetup', endpoint: endpoint(phonePort), deviceEndpoint: endpoint(devicePort), parties },
    CALL_MS,
  );
  // A new phone session subscribes on its node; give the cluster's access index a moment.
  await sleep(200);
  const outcome = await rt.call(
    {
      op: 'rtRun',
      did,
      idPrefix: `c${randomBytes(3).toString('hex')}`,
      warmup,
      count,
      timeLimitMs,
      replyTimeoutMs: 10_000,
    },
    timeLimitMs * 2 + 60_000,
  );
  const us = latencySummary(outcome.samplesUs);
  return {
    count: us.count,
    errors: outcome.errors,
    p50: us.p50 / 1000,
    p99: us.p99 / 1000,
    max: us.max / 1000,
  };
}

export function latencyText(l: LatencyFigures): string {
  return (
    `${l.count} round trips, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms` +
    (l.errors > 0 ? `, ${l.errors} ERRORS` : '')
  );
}
