import type { CaseKind } from './plan.js';
import type { EvidenceMessage } from './session.js';

export type Verdict = 'pass' | 'fail';

/** One case of a run: its verdict, why, what was measured, and the messages that show it. */
export interface CaseResult {
  readonly id: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly verdict: Verdict;
  /** Why it failed (empty when it passed). */
  readonly reasons: readonly string[];
  /** Milliseconds since the run started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Timings and values the verdict rests on (`replyMs`, `reportMs`, `gapsMs`, ...). */
  readonly measured: Readonly<Record<string, number | string | boolean | readonly number[] | null>>;
  readonly evidence: readonly EvidenceMessage[];
  /** Messages past the evidence bound, counted but not kept. */
  readonly evidenceOmitted: number;
}

/** What a check decides; the runner adds timing and evidence. */
export interface CheckOutcome {
  readonly reasons: string[];
  readonly measured: Record<string, number | string | boolean | readonly number[] | null>;
}

export function outcome(): CheckOutcome {
  return { reasons: [], measured: {} };
}
