import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeMetrics, startHub, type TestHub } from '../support/hub.js';

describe('event-loop delay in /metrics', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('exports p50, p99 and max of the last minute and a histogram, and shows a blocked loop', async () => {
    // The test and the hub share one process: 40 ms of work here blocks the hub's loop too.
    const until = performance.now() + 40;
    while (performance.now() < until) {
      // busy
    }
    let metrics = await scrapeMetrics(hub);
    // The sample that saw the block is taken on the next timer turn: at most a few scrapes later.
    for (let i = 0; i < 50 && (metrics.get('ecohub_event_loop_delay_max_seconds') ?? 0) < 0.03; i++) {
      metrics = await scrapeMetrics(hub);
    }
    const p50 = metrics.get('ecohub_event_loop_delay_p50_seconds');
    const p99 = metrics.get('ecohub_event_loop_delay_p99_seconds');
    const max = metrics.get('ecohub_event_loop_delay_max_seconds');
    expect(max).toBeGreaterThanOrEqual(0.03);
    expect(p50).toBeGreaterThanOrEqual(0);
    expect(p50).toBeLessThanOrEqual(p99 ?? Number.NaN);
    expect(p99).toBeLessThanOrEqual(max ?? Number.NaN);
    expect(metrics.get('ecohub_event_loop_delay_seconds_count')).toBeGreaterThan(0);
    expect(metrics.get('ecohub_event_loop_delay_seconds_bucket{le="0.005"}')).toBeDefined();
  });
});
