import { describe, expect, it } from 'vitest';
import { judgeJitter, needsAnotherCycle, type ReconnectCycle } from '../../src/certification/reconnect.js';

const cycle = (...delaysMs: number[]): ReconnectCycle => ({ delaysMs, onlineAt: 1, problem: undefined });

describe('the jitter case', () => {
  it('passes two cycles that differ beyond timer noise in one position', () => {
    const a = cycle(150, 300, 700, 1200, 2500, 4000);
    const b = cycle(160, 310, 690, 1210, 2490, 4800);
    expect(judgeJitter([a, b]).reasons).toEqual([]);
    expect(needsAnotherCycle([a, b])).toBe(false);
  });

  it('asks for a third cycle when two jittered cycles happen to land within noise, and passes on it', () => {
    const a = cycle(150, 300, 700, 1200, 2500, 4000);
    const b = cycle(160, 310, 690, 1210, 2490, 4010);
    expect(needsAnotherCycle([a, b])).toBe(true);
    expect(judgeJitter([a, b, cycle(120, 390, 610, 1500, 2000, 3300)]).reasons).toEqual([]);
  });

  it('fails a device whose three cycles retry at the same moments', () => {
    const same = () => cycle(200, 400, 800, 1600, 3200, 6400);
    expect(needsAnotherCycle([same(), same()])).toBe(true);
    const out = judgeJitter([same(), same(), same()]);
    expect(out.reasons).toEqual([
      'all 3 cycles retried after the same delays (within timer noise): no jitter',
    ]);
  });

  it('judges nothing without two completed cycles', () => {
    const lost: ReconnectCycle = { delaysMs: [200], onlineAt: undefined, problem: 'not back' };
    expect(judgeJitter([cycle(200), lost]).reasons).toEqual(['needs two completed reconnect cycles']);
    expect(needsAnotherCycle([cycle(200), lost])).toBe(false);
  });
});
