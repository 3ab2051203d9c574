import { describe, expect, it } from 'vitest';
import { loopDelayOver } from '../../bench/loop-delay.js';
import { latencySummary, median, percentile, ratio, spread } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('takes the nearest-rank percentile', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 99.9)).toBe(100);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99.9)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('p99.9 of 2,000 samples has two samples above it', () => {
    const sorted = Array.from({ length: 2000 }, (_, i) => i);
    expect(percentile(sorted, 99.9)).toBe(1997);
  });

  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('summarises runs as median and range, ignoring runs without a figure', () => {
    expect(spread([3, Number.NaN, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spread([Number.NaN])).toBeUndefined();
  });

  it('summarises latency samples given in any order', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(latencySummary(samples)).toEqual({ count: 1000, p50: 500, p99: 990, p999: 999, max: 1000 });
  });

  it('divides medians, NaN without a reference', () => {
    const a = { median: 3, min: 3, max: 3, runs: 1 };
    const b = { median: 2, min: 1, max: 4, runs: 3 };
    expect(ratio(a, b)).toBe(1.5);
    expect(ratio(a, undefined)).toBeNaN();
    expect(ratio(a, { ...b, median: 0 })).toBeNaN();
  });
});

describe('event-loop delay from /metrics deltas', () => {
  const snapshot = (counts: Record<string, number>) =>
    new Map(
      Object.entries(counts).map(([le, n]) => [`ecohub_event_loop_delay_seconds_bucket{le="${le}"}`, n]),
    );

  it('interpolates percentiles inside their bucket and takes the max as the top bucket bound', () => {
    const before = snapshot({ '0.001': 10, '0.002': 10, '0.005': 10, '0.01': 10, '+Inf': 10 });
    // 100 new samples: 90 up to 1 ms, 9 in (1, 2] ms, 1 in (5, 10] ms
    const after = snapshot({ '0.001': 100, '0.002': 109, '0.005': 109, '0.01': 110, '+Inf': 110 });
    const delay = loopDelayOver(before, after);
    expect(delay?.samples).toBe(100);
    expect(delay?.p50).toBeCloseTo(((0.001 * 50) / 90) * 1000, 6);
    expect(delay?.p99).toBeCloseTo(2, 6);
    expect(delay?.max).toBeCloseTo(10, 6);
  });

  it('has no figure for an interval without samples', () => {
    const same = snapshot({ '0.001': 3, '+Inf': 3 });
    expect(loopDelayOver(same, same)).toBeUndefined();
    expect(loopDelayOver(new Map(), new Map())).toBeUndefined();
  });
});
