import { describe, expect, it } from 'vitest';
import { TokenLookups } from '../../src/identity/token-lookups.js';

/** A store read the test finishes by hand, so concurrency is observable. */
function controlledReads() {
  const waiting: Array<{ id: string; finish: (row: string | undefined) => void }> = [];
  let running = 0;
  let peak = 0;
  return {
    waiting,
    get peak() {
      return peak;
    },
    read: (id: string) =>
      new Promise<string | undefined>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        waiting.push({
          id,
          finish: (row) => {
            running--;
            resolve(row);
          },
        });
      }),
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('token lookups (the read-through behind the user token cache)', () => {
  it('shares one read per id, runs at most maxConcurrent, and refuses past maxQueued with UNAVAILABLE', async () => {
    const reads = controlledReads();
    const lookups = new TokenLookups({ read: reads.read, now: Date.now, maxConcurrent: 2, maxQueued: 2 });
    const a1 = lookups.read('a');
    const a2 = lookups.read('a');
    const b = lookups.read('b');
    const c = lookups.read('c');
    const d = lookups.read('d');
    await expect(lookups.read('e')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(lookups.refused).toBe(1);
    await settle();
    expect(reads.waiting.map((w) => w.id)).toEqual(['a', 'b']);
    reads.waiting.shift()?.finish('row-a');
    await settle();
    // The finished read handed its slot to the next waiter: still two at once, never three.
    expect(reads.waiting.map((w) => w.id)).toEqual(['b', 'c']);
    for (;;) {
      const next = reads.waiting.shift();
      if (!next) break;
      next.finish(undefined);
      await settle();
    }
    expect(await a1).toEqual({ row: 'row-a', fresh: true });
    expect(await a2).toEqual({ row: 'row-a', fresh: true });
    expect((await Promise.all([b, c, d])).map((r) => r.row)).toEqual([undefined, undefined, undefined]);
    expect(reads.peak).toBe(2);
    expect(lookups.reads).toBe(4);
  });

  it('marks a read that overlapped a revocation as not fresh', async () => {
    const reads = controlledReads();
    const lookups = new TokenLookups({ read: reads.read, now: Date.now });
    const pending = lookups.read('a');
    await settle();
    lookups.revoked();
    reads.waiting.shift()?.finish('row-a');
    expect(await pending).toEqual({ row: 'row-a', fresh: false });
  });

  it('keeps at most maxNegative bad ids, each for negativeTtlMs', () => {
    let now = 1_000;
    const lookups = new TokenLookups({
      read: async () => undefined,
      now: () => now,
      maxNegative: 3,
      negativeTtlMs: 100,
    });
    for (const id of ['a', 'b', 'c', 'd']) lookups.markBad(id);
    expect(lookups.negativeSize).toBe(3);
    expect(lookups.knownBad('a')).toBe(false);
    expect(lookups.knownBad('d')).toBe(true);
    lookups.forgetBad('d');
    expect(lookups.knownBad('d')).toBe(false);
    now += 101;
    expect(lookups.knownBad('b')).toBe(false);
    expect(lookups.negativeSize).toBe(1);
  });
});
