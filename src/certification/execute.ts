import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { compileSpec, type ModelSpec } from '../registry/spec/index.js';
import type { Engine } from '../store/engine.js';
import type { DeviceLink } from './device-link.js';
import type { SigningKeys } from './keys.js';
import type { CertificationMetrics } from './metrics.js';
import type { PlanCase, TestPlan } from './plan.js';
import { REPORT_FORMAT, type ReportBody, reportBytes, verdictOf } from './report.js';
import type { CaseResult } from './results.js';
import { type RunInput, runPlan } from './runner.js';
import { signBytes } from './signing.js';
import * as store from './store.js';
import { type RunView, runView } from './views.js';

/** The signed report of a finished run, as announced (fetch it at `href`). */
export interface ReportRef {
  readonly keyId: string;
  /** SHA-256 (hex) of the exact signed bytes served at `.../report.json`. */
  readonly sha256: string;
  readonly href: string;
}

/** A run as it goes (the MQTT progress topics, docs/certification.md "Watching a run"). */
export type CertificationEvents = {
  runStarted: [{ run: RunView }];
  caseStarted: [{ runId: string; partnerId: string; case: PlanCase; position: number; total: number }];
  /** A case decided; `revised` when the final list changed a verdict announced before (a late duplicate reply). */
  case: [{ runId: string; partnerId: string; result: CaseResult; position: number; revised?: true }];
  finished: [RunView, ReportRef | undefined];
};

export interface ExecuteDeps {
  readonly store: Engine;
  readonly log: Logger;
  readonly link: DeviceLink;
  readonly keys: SigningKeys;
  readonly hubVersion: string;
  readonly now: () => number;
  readonly metrics: CertificationMetrics | undefined;
  readonly events: EventEmitter<CertificationEvents>;
}

/**
 * Runs a stored run's plan against its device, saves each case as it is decided, then finishes the
 * run: a signed report in the same durable transaction, or `cancelled` without one.
 */
export async function executeRun(
  deps: ExecuteDeps,
  row: store.RunRow,
  plan: TestPlan,
  spec: ModelSpec,
  signal: AbortSignal,
  update: RunInput['update'],
): Promise<void> {
  const log = deps.log.child({ runId: row.id });
  const positions = new Map(plan.cases.map((c, i) => [c.id, i]));
  const writes: Array<Promise<void>> = [];
  const announced = new Map<string, CaseResult>();
  const total = plan.cases.length;
  const save = (result: CaseResult) =>
    store.insertCase(deps.store, {
      run_id: row.id,
      position: positions.get(result.id) ?? 0,
      case_id: result.id,
      verdict: result.verdict,
      result: JSON.stringify(result),
    });
  const outcome = await runPlan({
    runId: row.id,
    deviceId: row.device_id,
    plan,
    spec: compileSpec(spec),
    link: deps.link,
    signal,
    update,
    onCaseStart: (c) => {
      const position = positions.get(c.id) ?? 0;
      deps.events.emit('caseStarted', { runId: row.id, partnerId: row.partner_id, case: c, position, total });
    },
    onCase: (result) => {
      writes.push(
        save(result).catch((err: unknown) => log.error({ err, caseId: result.id }, 'saving a case failed')),
      );
      announced.set(result.id, result);
      const position = positions.get(result.id) ?? 0;
      deps.events.emit('case', { runId: row.id, partnerId: row.partner_id, result, position });
    },
  });
  await Promise.all(writes);
  for (const result of outcome.results) {
    const before = announced.get(result.id);
    if (before === undefined || before.verdict === result.verdict) continue;
    const position = positions.get(result.id) ?? 0;
    deps.events.emit('case', { runId: row.id, partnerId: row.partner_id, result, position, revised: true });
  }
  // The final list decides (a duplicate reply found at the end may have failed a case again).
  for (const result of outcome.results) await save(result);
  const passed = outcome.results.filter((r) => r.verdict === 'pass').length;
  const failed = outcome.results.length - passed;
  const finishedAt = deps.now();
  const cancelled = signal.aborted;
  const verdict = cancelled ? null : verdictOf(outcome.results);
  const key = deps.keys.current;
  const firmware = outcome.firmwareRevision ?? null;
  let reportRef: ReportRef | undefined;
  if (!cancelled && key !== undefined && verdict !== null) {
    const body: ReportBody = {
      format: REPORT_FORMAT,
      runId: row.id,
      hubVersion: deps.hubVersion,
      keyId: key.id,
      partnerId: row.partner_id,
      model: { id: row.model_id, version: row.version, documentSha256: plan.documentSha256 },
      device: { id: row.device_id, firmwareRevision: firmware },
      ...(plan.update !== undefined ? { update: plan.update } : {}),
      budgets: plan.budgets,
      verdict,
      summary: { total: outcome.results.length, passed, failed },
      startedAt: new Date(row.started_at).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: outcome.durationMs,
      cases: outcome.results,
    };
    const bytes = reportBytes(body);
    reportRef = {
      keyId: key.id,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      href: `/v1/certification/runs/${row.id}/report`,
    };
    await deps.store.transaction(
      async (tx) => {
        await store.finishRun(tx, {
          id: row.id,
          state: 'finished',
          verdict,
          passed,
          failed,
          firmware_revision: firmware,
          note: null,
          finished_at: finishedAt,
        });
        await store.insertReport(tx, {
          run_id: row.id,
          key_id: key.id,
          body: bytes.toString('utf8'),
          signature: signBytes(key, bytes),
          created_at: finishedAt,
        });
      },
      { durable: true },
    );
  } else {
    await store.finishRun(deps.store, {
      id: row.id,
      state: 'cancelled',
      verdict: null,
      passed,
      failed,
      firmware_revision: firmware,
      note: 'cancelled',
      finished_at: finishedAt,
    });
  }
  deps.metrics?.runs.inc({ outcome: verdict ?? 'cancelled' });
  for (const r of outcome.results) deps.metrics?.cases.inc({ kind: r.kind, verdict: r.verdict });
  log.info(
    { verdict, passed, total: outcome.results.length, durationMs: outcome.durationMs },
    'certification run finished',
  );
  const finished = await store.findRun(deps.store, row.id);
  if (finished !== undefined) deps.events.emit('finished', runView(finished, outcome.results), reportRef);
}
