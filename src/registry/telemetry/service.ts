import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { clip, LogThrottle } from '../../log-throttle.js';
import type { HubMetrics } from '../../metrics.js';
import type { Db } from '../../store/database.js';
import type { CompiledSpec } from '../spec/index.js';
import { isRejection, parseEvent, parseReport, type Rejection } from './reports.js';
import { readBuckets, readEvents, readHistory } from './store.js';
import type { IngestWriter } from './writer.js';

export interface TelemetryServiceOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly writer: IngestWriter;
  readonly metrics: HubMetrics;
  readonly now: () => number;
}

/** Most raw points or events one history request returns. */
export const MAX_HISTORY_POINTS = 10_000;
/** Most buckets one downsampled history request returns. */
export const MAX_BUCKETS = 2000;

/**
 * Device telemetry: admission of reports and events (validated against the model spec, then
 * group-committed) and the history queries over what was stored.
 */
export class TelemetryService {
  readonly #o: TelemetryServiceOptions;
  /** A device sending bad reports in a loop gets a few lines a minute, and a count. */
  readonly #rejections: LogThrottle;

  constructor(options: TelemetryServiceOptions) {
    this.#o = options;
    this.#rejections = new LogThrottle(options.log, { now: options.now });
  }

  /**
   * Validates a `dev/{did}/props` or `dev/{did}/events` payload. An invalid one is counted, logged
   * and dropped (undefined: acknowledged, never stored or forwarded); a valid one resolves once stored.
   */
  admit(
    deviceId: string,
    spec: CompiledSpec,
    kind: 'props' | 'event',
    payload: Buffer,
  ): Promise<unknown> | undefined {
    const received = performance.now();
    const parsed = kind === 'props' ? parseReport(payload, spec) : parseEvent(payload, spec);
    if (isRejection(parsed)) {
      this.#reject(deviceId, kind, parsed);
      return undefined;
    }
    return this.#o.writer.submit(deviceId, parsed).then((outcome) => {
      const m = this.#o.metrics;
      if (outcome === 'duplicate') m.reportsDuplicate.inc();
      else m.reportsAccepted.inc({ kind });
      m.ingestLatency.observe((performance.now() - received) / 1000);
    });
  }

  #reject(deviceId: string, kind: string, rejection: Rejection): void {
    this.#o.metrics.reportsRejected.inc({ reason: rejection.reason });
    this.#rejections.warn(
      deviceId,
      rejection.reason,
      { deviceId, kind, reason: rejection.reason, detail: clip(rejection.message, 256) },
      'report rejected',
    );
  }

  /**
   * `notBefore` hides what was stored before it (a user sees a device's history from its current
   * owner's claim on: docs/protocol.md); the range and the bucket grid stay as asked.
   */
  history(
    deviceId: string,
    q: {
      property: string;
      from: number;
      to: number;
      bucketMs?: number | undefined;
      limit: number;
      notBefore?: number | undefined;
    },
  ) {
    if (q.to <= q.from) {
      throw new HubError('VALIDATION_FAILED', '`to` must be after `from`', {
        errors: [{ path: '/to', message: 'must be after from' }],
      });
    }
    const since = Math.max(q.from, q.notBefore ?? q.from);
    if (q.bucketMs === undefined) {
      const points = readHistory(
        this.#o.db,
        deviceId,
        q.property,
        since,
        q.to,
        Math.min(q.limit, MAX_HISTORY_POINTS),
      );
      return {
        property: q.property,
        points: points.map((p) => ({
          ts: new Date(p.ts).toISOString(),
          value: JSON.parse(p.value) as unknown,
        })),
      };
    }
    if ((q.to - q.from) / q.bucketMs > MAX_BUCKETS) {
      throw new HubError(
        'VALIDATION_FAILED',
        `at most ${MAX_BUCKETS} buckets per request; widen bucket or narrow the range`,
        {
          errors: [{ path: '/bucket', message: `gives more than ${MAX_BUCKETS} buckets` }],
        },
      );
    }
    const bucketMs = q.bucketMs;
    const buckets = readBuckets(this.#o.db, deviceId, q.property, q.from, q.to, bucketMs, since).map((b) => ({
      start: new Date(q.from + b.bucket * bucketMs).toISOString(),
      count: b.count,
      min: b.min,
      max: b.max,
      avg: b.avg,
    }));
    return { property: q.property, bucketMs, buckets };
  }

  /** `notBefore` hides events stored before it, as for history. */
  events(deviceId: string, q: { from: number; to: number; limit: number; notBefore?: number | undefined }) {
    const since = Math.max(q.from, q.notBefore ?? q.from);
    return readEvents(this.#o.db, deviceId, since, q.to, Math.min(q.limit, MAX_HISTORY_POINTS)).map((e) => ({
      event: e.event,
      ts: new Date(e.ts).toISOString(),
      deviceTs: e.device_ts === null ? null : new Date(e.device_ts).toISOString(),
      seq: e.seq,
      arguments: JSON.parse(e.arguments) as unknown,
    }));
  }
}
