import type { CaseResult } from './results.js';
import type { RunRow } from './store.js';

export interface CaseSummary {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly verdict: string;
  readonly reasons: string[];
  readonly durationMs: number;
  readonly measured: CaseResult['measured'];
}

export interface RunView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly version: number;
  readonly deviceId: string;
  readonly state: RunRow['state'];
  readonly verdict: RunRow['verdict'];
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly firmwareRevision: string | null;
  readonly note: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Cases decided so far, in plan order (evidence at .../cases/{caseId}); absent in lists. */
  readonly cases?: CaseSummary[];
}

export function runView(row: RunRow, cases: readonly CaseResult[] | undefined): RunView {
  const passed = cases === undefined ? row.passed : cases.filter((c) => c.verdict === 'pass').length;
  const decided = cases === undefined ? row.passed + row.failed : cases.length;
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    version: row.version,
    deviceId: row.device_id,
    state: row.state,
    verdict: row.verdict,
    total: row.total,
    passed,
    failed: decided - passed,
    firmwareRevision: row.firmware_revision,
    note: row.note,
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    ...(cases !== undefined
      ? {
          cases: cases.map((c) => ({
            id: c.id,
            kind: c.kind,
            title: c.title,
            verdict: c.verdict,
            reasons: [...c.reasons],
            durationMs: c.durationMs,
            measured: c.measured,
          })),
        }
      : {}),
  };
}
