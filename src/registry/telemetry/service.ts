import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import { clip, LogThrottle } from '../../log-throttle.js';
import type { HubMetrics } from '../../metrics.js';
import type { Engine } from '../../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../../store/page.js';
import type { CompiledSpec } from '../spec/index.js';
import { isRejection, parseEvent, parseReport, type Rejection } from './reports.js';
import { readBuckets, readEvents, readHistory } from './store.js';
import type { IngestWriter } from './writer.js';

export interface TelemetryServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly writer: IngestWriter;
  readonly metrics: HubMetrics;
  readonly now: () => number;
  /** Each rejected report or event, for the quality scorecards (never waits). */
  readonly onRejected?: ((deviceId: string, reason: string) => void) | undefined;
}

export interface StoredEvent {
  readonly event: string;
  readonly ts: string;
  readonly deviceTs: string | null;
  readonly seq: number;
  readonly arguments: unknown;
}

export interface HistoryBucketView {
  readonly start: string;
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
}

/** A page of raw points, or (with `bucketMs`) of buckets. */
export type HistoryPage =
  | (Page<{ ts: string; value: unknown }> & { property: string })
  | (Page<HistoryBucketView> & { property: string; bucketMs: number });

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
    this.#o.onRejected?.(deviceId, rejection.reason);
    this.#rejections.warn(
      deviceId,
      rejection.reason,
      { deviceId, kind, reason: rejection.reason, detail: clip(rejection.message, 256) },
      'report rejected',
    );
  }

  /**
   * A page of a property's history in [from, to): raw points in time order, or (with `bucketMs`)
   * buckets aligned to the clock with min/max/avg/count. `notBefore` hides what was stored before it
   * (a user sees a device's history from its current owner's claim on: docs/protocol.md); the range
   * and the bucket grid stay as asked, so a bucket holding the cut-off counts only what follows it.
   */
  async history(
    deviceId: string,
    q: {
      property: string;
      from: number;
      to: number;
      bucketMs?: number | undefined;
      notBefore?: number | undefined;
    },
    page: PageRequest,
  ): Promise<HistoryPage> {
    if (q.to <= q.from) {
      throw new HubError('VALIDATION_FAILED', '`to` must be after `from`', {
        errors: [{ path: '/to', message: 'must be after from' }],
      });
    }
    const since = Math.max(q.from, q.notBefore ?? q.from);
    const limit = Math.min(page.limit, MAX_HISTORY_POINTS);
    if (q.bucketMs === undefined) {
      const [ts, seq] = page.after ?? [];
      const after = ts === undefined ? undefined : { ts: Number(ts), seq: Number(seq) };
      const rows =
        since >= q.to
          ? []
          : await readHistory(
              this.#o.store,
              deviceId,
              q.property,
              { from: since, to: q.to },
              after,
              limit + 1,
            );
      const points = pageOf(
        rows,
        limit,
        (p) => [p.ts, p.seq],
        (p) => ({ ts: new Date(p.ts).toISOString(), value: JSON.parse(p.value) as unknown }),
      );
      return { property: q.property, ...points };
    }
    const bucketMs = q.bucketMs;
    // Buckets sit on multiples of their width since the epoch (UTC), not on `from`: a minute, hour
    // or day bucket starts on the clock's boundary, so charts from two requests line up.
    const buckets = Math.floor((q.to - 1) / bucketMs) - Math.floor(q.from / bucketMs) + 1;
    if (buckets > MAX_BUCKETS) {
      throw new HubError(
        'VALIDATION_FAILED',
        `at most ${MAX_BUCKETS} buckets per request; widen bucket or narrow the range`,
        {
          errors: [{ path: '/bucket', message: `gives more than ${MAX_BUCKETS} buckets` }],
        },
      );
    }
    // The next page starts at the bucket after the last one shown; no point before `since` counts.
    const lastStart = page.after?.[0];
    const from = lastStart === undefined ? since : Math.max(since, Number(lastStart) + bucketMs);
    const rows =
      from >= q.to
        ? []
        : await readBuckets(this.#o.store, deviceId, q.property, from, q.to, bucketMs, limit + 1);
    const items = pageOf(
      rows,
      limit,
      (b) => [b.bucket * bucketMs],
      (b) => ({
        start: new Date(b.bucket * bucketMs).toISOString(),
        count: b.count,
        min: b.min,
        max: b.max,
        avg: b.avg,
      }),
    );
    return { property: q.property, bucketMs, ...items };
  }

  /** A page of the device's events in [from, to), oldest first; `notBefore` hides earlier ones, as for history. */
  async events(
    deviceId: string,
    q: { from: number; to: number; notBefore?: number | undefined },
    page: PageRequest,
  ): Promise<Page<StoredEvent>> {
    const since = Math.max(q.from, q.notBefore ?? q.from);
    const limit = Math.min(page.limit, MAX_HISTORY_POINTS);
    const [ts, seq] = page.after ?? [];
    const after = ts === undefined ? undefined : { ts: Number(ts), seq: Number(seq) };
    return pageOf(
      since >= q.to
        ? []
        : await readEvents(this.#o.store, deviceId, { from: since, to: q.to }, after, limit + 1),
      limit,
      (e) => [e.ts, e.seq],
      (e) => ({
        event: e.event,
        ts: new Date(e.ts).toISOString(),
        deviceTs: e.device_ts === null ? null : new Date(e.device_ts).toISOString(),
        seq: e.seq,
        arguments: JSON.parse(e.arguments) as unknown,
      }),
    );
  }
}
