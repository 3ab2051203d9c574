import { canonicalJson } from './canonical.js';
import type { PlanUpdate, TestPlan } from './plan.js';
import type { CaseResult, Verdict } from './results.js';

export const REPORT_FORMAT = 'ecohub-certification-report/1';

/** The signed report of a run: every case with its evidence and verdict, bound to model and firmware. */
export interface ReportBody {
  readonly format: typeof REPORT_FORMAT;
  readonly runId: string;
  readonly hubVersion: string;
  readonly keyId: string;
  readonly partnerId: string;
  readonly model: { readonly id: string; readonly version: number; readonly documentSha256: string };
  readonly device: { readonly id: string; readonly firmwareRevision: string | null };
  /** The firmware package the update cases installed (then every other case ran on it). */
  readonly update?: PlanUpdate;
  readonly budgets: TestPlan['budgets'];
  readonly verdict: Verdict;
  readonly summary: { readonly total: number; readonly passed: number; readonly failed: number };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly cases: readonly CaseResult[];
}

/** A run passes when every case of its plan passed. */
export function verdictOf(results: readonly CaseResult[]): Verdict {
  return results.length > 0 && results.every((r) => r.verdict === 'pass') ? 'pass' : 'fail';
}

export function reportBytes(body: ReportBody): Buffer {
  return Buffer.from(canonicalJson(body), 'utf8');
}
