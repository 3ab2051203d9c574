/**
 * The hub's event-loop delay over a measured interval, from two /metrics snapshots: the deltas of
 * the `ecohub_event_loop_delay_seconds` histogram's buckets (a timer due every 10 ms, each sample
 * how late it fired). Percentiles are interpolated inside their bucket; the max is the upper bound
 * of the highest bucket that got a sample (the buckets are 0.5-2 ms wide up to 10 ms).
 */

export interface LoopDelay {
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

const BUCKET = 'ecohub_event_loop_delay_seconds_bucket{le="';

/** Cumulative bucket counts by upper bound (seconds; +Inf last). */
function buckets(metrics: ReadonlyMap<string, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [key, value] of metrics) {
    if (!key.startsWith(BUCKET)) continue;
    const le = key.slice(BUCKET.length, key.indexOf('"', BUCKET.length));
    out.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value);
  }
  return out;
}

export function loopDelayOver(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): LoopDelay | undefined {
  const b0 = buckets(before);
  const rows = [...buckets(after)]
    .map(([le, count]) => ({ le, count: count - (b0.get(le) ?? 0) }))
    .sort((x, y) => x.le - y.le);
  const total = rows.at(-1)?.count ?? 0;
  if (rows.length === 0 || total <= 0) return undefined;
  const at = (p: number): number => {
    const rank = Math.max(1, Math.ceil(p * total - 1e-9));
    let lower = 0;
    let below = 0;
    for (const row of rows) {
      if (row.count >= rank) {
        if (!Number.isFinite(row.le)) return lower * 1000;
        const inBucket = row.count - below;
        return (lower + ((row.le - lower) * (rank - below)) / inBucket) * 1000;
      }
      lower = row.le;
      below = row.count;
    }
    return lower * 1000;
  };
  let max = 0;
  let previous = 0;
  let lower = 0;
  for (const row of rows) {
    if (row.count > previous) max = Number.isFinite(row.le) ? row.le : lower;
    previous = row.count;
    lower = row.le;
  }
  return { p50: at(0.5), p99: at(0.99), max: max * 1000, samples: total };
}
