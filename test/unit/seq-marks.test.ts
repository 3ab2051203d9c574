import { describe, expect, it } from 'vitest';
import {
  admitSeq,
  decodeMarks,
  encodeRecent,
  NO_MARKS,
  type SeqMarks,
  STRAGGLERS,
  WINDOW,
} from '../../src/registry/telemetry/seq-marks.js';

/** Admits seqs in order; returns which were stored and the marks after. */
function run(seqs: readonly number[], from: SeqMarks = NO_MARKS): { stored: boolean[]; marks: SeqMarks } {
  let marks = from;
  const stored = seqs.map((s) => {
    const next = admitSeq(marks, s);
    if (next) marks = next;
    return next !== undefined;
  });
  return { stored, marks };
}

describe('sequence-number marks', () => {
  it('stores each seq of the window once, in any order', () => {
    const { stored } = run([100, 98, 99, 100, 98, 101, 97, 99, 101]);
    expect(stored).toEqual([true, true, true, false, false, true, true, false, false]);
  });

  it('forgets the window past a jump of more than WINDOW, and remembers stragglers behind it, the latest STRAGGLERS', () => {
    const high = 1_000_000;
    const behind = Array.from({ length: STRAGGLERS + 1 }, (_, i) => high - WINDOW - 1 - i);
    const { stored, marks } = run([high, ...behind, ...behind.slice(1)]);
    expect(stored).toEqual([true, ...behind.map(() => true), ...behind.slice(1).map(() => false)]);
    expect(marks.below).toHaveLength(STRAGGLERS);
    // The oldest straggler was dropped to keep the bound: it would be stored again.
    expect(admitSeq(marks, behind[0] as number)).toBeDefined();
    expect(run([high + WINDOW - 1, high], marks).stored).toEqual([true, false]);
    expect(run([high + WINDOW, high], marks).stored).toEqual([true, true]);
  });

  it('survives its column text, and reads what migration 0370 writes', () => {
    const { marks } = run([50, 10_000, 9_990, 20]);
    expect(decodeMarks(marks.high ?? null, encodeRecent(marks))).toEqual(marks);
    const migrated = decodeMarks(42, 'f'.repeat(WINDOW / 4));
    expect(run([42, 41, 42 - WINDOW + 1, 42 - WINDOW, 43], migrated).stored).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(decodeMarks(null, null)).toEqual(NO_MARKS);
    expect(decodeMarks(7, 'garbage;1,x,3')).toEqual({ high: 7, mask: 1n, below: [1, 3] });
  });
});
