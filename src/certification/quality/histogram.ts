/** Reply latency buckets (upper bounds, ms); the last one is open (`inf`). */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const;

export function latencyBucket(ms: number): string {
  const bound = LATENCY_BUCKETS_MS.find((b) => ms <= b);
  return bound === undefined ? 'inf' : String(bound);
}

/**
 * The q-quantile of a bucketed distribution, interpolated linearly inside its bucket (as
 * Prometheus' histogram_quantile does); null without samples. The open bucket answers its lower bound.
 */
export function quantile(counts: ReadonlyMap<string, number>, q: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  let lower = 0;
  for (const bound of [...LATENCY_BUCKETS_MS, Number.POSITIVE_INFINITY]) {
    const n = counts.get(Number.isFinite(bound) ? String(bound) : 'inf') ?? 0;
    if (n > 0 && seen + n >= rank) {
      if (!Number.isFinite(bound)) return lower;
      return Math.round(lower + ((bound - lower) * (rank - seen)) / n);
    }
    seen += n;
    if (Number.isFinite(bound)) lower = bound;
  }
  return lower;
}
