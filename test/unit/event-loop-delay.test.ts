import { describe, expect, it } from 'vitest';
import { EventLoopDelay } from '../../src/event-loop-delay.js';

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the hub's own work holding the loop
  }
}

describe('event-loop delay', () => {
  it('measures a blocked loop as the delay of the next sample, and keeps it in the window max', async () => {
    let seen = 0;
    let resolve: (seconds: number) => void = () => undefined;
    const blocked = new Promise<number>((res, rej) => {
      resolve = res;
      setTimeout(() => rej(new Error('no delayed sample within 5 s')), 5_000).unref();
    });
    const monitor = new EventLoopDelay({
      intervalMs: 5,
      observe: (seconds) => {
        seen++;
        // a few quiet samples first, then 60 ms of work: the next sample is that late
        if (seen === 4) setImmediate(() => block(60));
        if (seen === 5) resolve(seconds);
      },
    });
    monitor.start();
    try {
      const delay = await blocked;
      expect(delay).toBeGreaterThanOrEqual(0.05);
      expect(delay).toBeLessThan(1);
      const summary = monitor.summary();
      expect(summary.max).toBe(delay);
      expect(summary.p50).toBeLessThan(delay);
      expect(summary.samples).toBe(5);
    } finally {
      monitor.stop();
    }
  });

  it('keeps a bounded window of samples', async () => {
    let seen = 0;
    let done: () => void = () => undefined;
    const twenty = new Promise<void>((resolve) => {
      done = resolve;
    });
    const monitor = new EventLoopDelay({
      intervalMs: 1,
      window: 8,
      observe: () => {
        seen++;
        if (seen === 20) done();
      },
    });
    monitor.start();
    try {
      await twenty;
      expect(monitor.summary().samples).toBe(8);
    } finally {
      monitor.stop();
    }
  });

  it('reports zeros before the first sample', () => {
    const monitor = new EventLoopDelay({ observe: () => undefined });
    expect(monitor.summary()).toEqual({ p50: 0, p99: 0, max: 0, samples: 0 });
  });
});
