import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import { compileSpec, type ModelSpec } from '../registry/spec/index.js';
import type { Engine } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import type { DeviceLink } from './device-link.js';
import { DEFAULT_BUDGETS, derivePlan, type PlanBudgets, type TestPlan } from './plan.js';
import { REPORT_FORMAT, type ReportBody, reportBytes, verdictOf } from './report.js';
import type { CaseResult } from './results.js';
import { runPlan } from './runner.js';
import { generateSigningKey, type SigningKey, signBytes } from './signing.js';
import * as store from './store.js';
import { type RunView, runView } from './views.js';

/** What certification needs of the registry, wired by the composition root. */
export interface CertificationRegistry {
  modelVersion(
    modelId: string,
    version: number,
  ): Promise<{ partnerId: string; state: string; spec: ModelSpec } | undefined>;
  device(deviceId: string): Promise<{ partnerId: string; modelId: string; version: number } | undefined>;
}

export interface CertificationOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly link: DeviceLink;
  readonly registry: CertificationRegistry;
  readonly hubVersion: string;
  readonly now: () => number;
  /** Runs one partner may have going at once. */
  readonly maxRunsPerPartner?: number;
  /** Runs this hub process carries at once. */
  readonly maxRuns?: number;
}

export interface StartRunInput {
  readonly modelId: string;
  readonly version: number;
  readonly deviceId: string;
  readonly budgets?: Partial<PlanBudgets> | undefined;
}

type CertificationEvents = {
  case: [{ runId: string; partnerId: string; result: CaseResult }];
  finished: [RunView];
};

const RUNNABLE_STATES = new Set(['submitted', 'certified', 'published']);

/**
 * Automated certification (docs/certification.md): test plans derived from model documents, runs
 * of the harness against live devices, signed reports, and the certification decisions that follow
 * them. A partner sees and runs only its own; the operator sees all.
 */
export class CertificationService {
  readonly events = new EventEmitter<CertificationEvents>();
  readonly #o: CertificationOptions;
  readonly #running = new Map<
    string,
    { abort: AbortController; done: Promise<void>; partnerId: string; deviceId: string }
  >();
  #key: SigningKey | undefined;

  constructor(options: CertificationOptions) {
    this.#o = options;
    this.events.setMaxListeners(100);
  }

  /** Makes sure a signing key exists and closes runs a previous process left running. */
  async start(): Promise<void> {
    const orphans = await store.cancelOrphans(this.#o.store, this.#o.now());
    if (orphans > 0) this.#o.log.warn({ runs: orphans }, 'runs left running by a stopped hub were cancelled');
    let keys = await store.readKeys(this.#o.store);
    if (!keys.some((k) => k.retired_at === null)) {
      await store.insertKey(this.#o.store, generateSigningKey(), this.#o.now());
      keys = await store.readKeys(this.#o.store);
    }
    const signer = keys.find((k) => k.retired_at === null);
    if (signer === undefined) throw new Error('no certification signing key');
    this.#key = { id: signer.id, publicKeyPem: signer.public_key, privateKeyPem: signer.private_key };
    this.#o.log.info({ keyId: signer.id }, 'certification signing key ready');
  }

  /** Stops every run of this process (they end cancelled) and waits for them. */
  async close(): Promise<void> {
    for (const run of this.#running.values()) run.abort.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** The published keys: every report verifies with one of them. */
  async keys() {
    const rows = await store.readKeys(this.#o.store);
    return rows.map((k) => ({
      id: k.id,
      algorithm: 'Ed25519' as const,
      publicKey: k.public_key,
      createdAt: new Date(k.created_at).toISOString(),
      retiredAt: k.retired_at === null ? null : new Date(k.retired_at).toISOString(),
    }));
  }

  /** The plan of a model version, as a run would execute it. */
  async plan(
    caller: Identity,
    modelId: string,
    version: number,
    budgets?: Partial<PlanBudgets>,
  ): Promise<TestPlan> {
    const model = await this.#visibleModel(caller, modelId, version);
    return derivePlan(modelId, version, model.spec, { ...DEFAULT_BUDGETS, ...budgets });
  }

  async startRun(caller: Identity, input: StartRunInput): Promise<RunView> {
    const model = await this.#visibleModel(caller, input.modelId, input.version);
    if (!RUNNABLE_STATES.has(model.state)) {
      throw new HubError(
        'INVALID_STATE',
        `model ${input.modelId} version ${input.version} is ${model.state}: submit it before running its certification`,
      );
    }
    const device = await this.#o.registry.device(input.deviceId);
    if (device === undefined || device.partnerId !== model.partnerId) {
      throw new HubError('NOT_FOUND', `device ${input.deviceId} not found`);
    }
    if (device.modelId !== input.modelId || device.version !== input.version) {
      throw new HubError(
        'VALIDATION_FAILED',
        `device ${input.deviceId} is a ${device.modelId} version ${device.version}, not ${input.modelId} version ${input.version}`,
        { errors: [{ path: '/deviceId', message: 'must be a device of this model version' }] },
      );
    }
    const maxPerPartner = this.#o.maxRunsPerPartner ?? 5;
    const mine = [...this.#running.values()].filter((r) => r.partnerId === model.partnerId).length;
    if (
      mine >= maxPerPartner ||
      (await store.countRunning(this.#o.store, model.partnerId)) >= maxPerPartner
    ) {
      throw new HubError('INVALID_STATE', `at most ${maxPerPartner} runs at once per partner`);
    }
    if (this.#running.size >= (this.#o.maxRuns ?? 50)) {
      throw new HubError('UNAVAILABLE', 'the hub runs as many certification runs as it can; try again later');
    }
    const local = [...this.#running.entries()].find(([, r]) => r.deviceId === input.deviceId)?.[0];
    const busy = local ?? (await store.runningOnDevice(this.#o.store, input.deviceId))?.id;
    if (busy !== undefined) {
      throw new HubError('INVALID_STATE', `device ${input.deviceId} is already under test in run ${busy}`);
    }
    const plan = derivePlan(input.modelId, input.version, model.spec, {
      ...DEFAULT_BUDGETS,
      ...input.budgets,
    });
    const row: store.RunRow = {
      id: newId(),
      partner_id: model.partnerId,
      model_id: input.modelId,
      version: input.version,
      device_id: input.deviceId,
      state: 'running',
      verdict: null,
      plan: JSON.stringify(plan),
      total: plan.cases.length,
      passed: 0,
      failed: 0,
      firmware_revision: null,
      note: null,
      started_by:
        caller.kind === 'partner'
          ? `partner:${caller.keyId}`
          : `operator:${caller.kind === 'operator' ? caller.tokenId : ''}`,
      started_at: this.#o.now(),
      finished_at: null,
    };
    await store.insertRun(this.#o.store, row);
    const abort = new AbortController();
    const done = this.#execute(row, plan, model.spec, abort.signal).catch((err: unknown) => {
      this.#o.log.error({ err, runId: row.id }, 'certification run failed');
    });
    this.#running.set(row.id, { abort, done, partnerId: row.partner_id, deviceId: row.device_id });
    void done.finally(() => this.#running.delete(row.id));
    this.#o.log.info(
      { runId: row.id, modelId: row.model_id, version: row.version, deviceId: row.device_id },
      'certification run started',
    );
    return runView(row, []);
  }

  async cancel(caller: Identity, runId: string): Promise<RunView> {
    const row = await this.#visibleRun(caller, runId);
    const running = this.#running.get(runId);
    if (row.state !== 'running' || running === undefined) {
      throw new HubError('INVALID_STATE', `run ${runId} is ${row.state}, not running on this hub`);
    }
    running.abort.abort();
    await running.done;
    return this.run(caller, runId);
  }

  async run(caller: Identity, runId: string): Promise<RunView> {
    const row = await this.#visibleRun(caller, runId);
    const cases = await store.readCases(this.#o.store, runId);
    return runView(
      row,
      cases.map((c) => JSON.parse(c.result) as CaseResult),
    );
  }

  /** Resolves when the run has finished or was cancelled (tests, the CLI). */
  async whenDone(runId: string): Promise<void> {
    await this.#running.get(runId)?.done;
  }

  async runs(caller: Identity, filter: store.RunFilter, page: PageRequest): Promise<Page<RunView>> {
    if (caller.kind === 'user')
      throw new HubError('FORBIDDEN', 'certification is for partners and operators');
    const scoped = caller.kind === 'partner' ? { ...filter, partnerId: caller.partnerId } : filter;
    const rows = await store.listRuns(this.#o.store, scoped, page.after, page.limit);
    return pageOf(
      rows,
      page.limit,
      (r) => [r.started_at, r.id],
      (r) => runView(r, undefined),
    );
  }

  async caseResult(caller: Identity, runId: string, caseId: string): Promise<CaseResult> {
    await this.#visibleRun(caller, runId);
    const row = await store.readCase(this.#o.store, runId, caseId);
    if (row === undefined)
      throw new HubError('NOT_FOUND', `case ${caseId} of run ${runId} not found (or not decided yet)`);
    return JSON.parse(row.result) as CaseResult;
  }

  /** The signed report of a finished run: the exact signed bytes and their signature. */
  async report(caller: Identity, runId: string): Promise<{ body: string; keyId: string; signature: string }> {
    const row = await this.#visibleRun(caller, runId);
    const report = await store.findReport(this.#o.store, runId);
    if (report === undefined) {
      throw new HubError('INVALID_STATE', `run ${runId} is ${row.state}: only a finished run has a report`);
    }
    return { body: report.body, keyId: report.key_id, signature: report.signature };
  }

  /**
   * The `certify` gate (issue 17): the newest passing run of the version, or, without one, an
   * operator's written override. Returns what to record once the transition succeeded.
   */
  async certificationBasis(
    modelId: string,
    version: number,
    override: boolean,
  ): Promise<{ kind: 'report'; runId: string } | { kind: 'override' }> {
    const passing = await store.latestPassingRun(this.#o.store, modelId, version);
    if (passing !== undefined) return { kind: 'report', runId: passing.id };
    if (override) return { kind: 'override' };
    throw new HubError(
      'CERTIFICATION_REQUIRED',
      `model ${modelId} version ${version} has no passing certification run: run the harness ` +
        '(POST /v1/certification/runs), or certify with "override": true and the reason as the note',
    );
  }

  async recordDecision(
    caller: Identity,
    modelId: string,
    version: number,
    basis: { kind: 'report'; runId: string } | { kind: 'override' },
    reason: string,
  ): Promise<void> {
    await store.insertDecision(this.#o.store, {
      id: newId(),
      model_id: modelId,
      version,
      kind: basis.kind,
      run_id: basis.kind === 'report' ? basis.runId : null,
      reason,
      decided_by: caller.kind === 'operator' ? caller.tokenId : caller.kind,
      decided_at: this.#o.now(),
    });
    this.#o.log.info({ modelId, version, basis: basis.kind }, 'certification decision recorded');
  }

  /** Whether firmware `revision` of a model version has a passing run (rollouts beyond beta need one). */
  async passedOnFirmware(modelId: string, version: number, revision: string): Promise<boolean> {
    return (await store.latestPassingRun(this.#o.store, modelId, version, revision)) !== undefined;
  }

  /** A model version's certification history: decisions (with override reasons) and runs. */
  async history(caller: Identity, modelId: string, version: number) {
    const model = await this.#visibleModel(caller, modelId, version);
    const decisions = await store.readDecisions(this.#o.store, modelId, version);
    const runs = await store.listRuns(
      this.#o.store,
      { modelId, version, partnerId: model.partnerId },
      undefined,
      100,
    );
    return {
      modelId,
      version,
      state: model.state,
      decisions: decisions.map((d) => ({
        kind: d.kind,
        runId: d.run_id,
        reason: d.reason,
        // The owner sees that an operator decided and why, not which token.
        decidedBy: caller.kind === 'operator' ? d.decided_by : 'operator',
        decidedAt: new Date(d.decided_at).toISOString(),
      })),
      runs: runs.slice(0, 100).map((r) => runView(r, undefined)),
    };
  }

  async #visibleModel(caller: Identity, modelId: string, version: number) {
    if (caller.kind === 'user')
      throw new HubError('FORBIDDEN', 'certification is for partners and operators');
    const model = await this.#o.registry.modelVersion(modelId, version);
    if (model === undefined || (caller.kind === 'partner' && model.partnerId !== caller.partnerId)) {
      throw new HubError('NOT_FOUND', `model ${modelId} version ${version} not found`);
    }
    return model;
  }

  async #visibleRun(caller: Identity, runId: string): Promise<store.RunRow> {
    if (caller.kind === 'user')
      throw new HubError('FORBIDDEN', 'certification is for partners and operators');
    const row = await store.findRun(this.#o.store, runId);
    if (row === undefined || (caller.kind === 'partner' && row.partner_id !== caller.partnerId)) {
      throw new HubError('NOT_FOUND', `run ${runId} not found`);
    }
    return row;
  }

  async #execute(row: store.RunRow, plan: TestPlan, spec: ModelSpec, signal: AbortSignal): Promise<void> {
    const log = this.#o.log.child({ runId: row.id });
    const positions = new Map(plan.cases.map((c, i) => [c.id, i]));
    const writes: Array<Promise<void>> = [];
    const save = (result: CaseResult) =>
      store.insertCase(this.#o.store, {
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
      link: this.#o.link,
      signal,
      onCase: (result) => {
        writes.push(
          save(result).catch((err: unknown) => log.error({ err, caseId: result.id }, 'saving a case failed')),
        );
        this.events.emit('case', { runId: row.id, partnerId: row.partner_id, result });
      },
    });
    await Promise.all(writes);
    // The final list decides (a duplicate reply found at the end may have failed a case again).
    for (const result of outcome.results) await save(result);
    const passed = outcome.results.filter((r) => r.verdict === 'pass').length;
    const finishedAt = this.#o.now();
    const cancelled = signal.aborted;
    const verdict = cancelled ? null : verdictOf(outcome.results);
    const key = this.#key;
    if (!cancelled && key !== undefined && verdict !== null) {
      const body: ReportBody = {
        format: REPORT_FORMAT,
        runId: row.id,
        hubVersion: this.#o.hubVersion,
        keyId: key.id,
        partnerId: row.partner_id,
        model: { id: row.model_id, version: row.version, documentSha256: plan.documentSha256 },
        device: { id: row.device_id, firmwareRevision: outcome.firmwareRevision ?? null },
        budgets: plan.budgets,
        verdict,
        summary: { total: outcome.results.length, passed, failed: outcome.results.length - passed },
        startedAt: new Date(row.started_at).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: outcome.durationMs,
        cases: outcome.results,
      };
      const bytes = reportBytes(body);
      await this.#o.store.transaction(
        async (tx) => {
          await store.finishRun(tx, {
            id: row.id,
            state: 'finished',
            verdict,
            passed,
            failed: outcome.results.length - passed,
            firmware_revision: outcome.firmwareRevision ?? null,
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
      await store.finishRun(this.#o.store, {
        id: row.id,
        state: 'cancelled',
        verdict: null,
        passed,
        failed: outcome.results.length - passed,
        firmware_revision: outcome.firmwareRevision ?? null,
        note: 'cancelled',
        finished_at: finishedAt,
      });
    }
    log.info(
      { verdict, passed, total: outcome.results.length, durationMs: outcome.durationMs },
      'certification run finished',
    );
    const finished = await store.findRun(this.#o.store, row.id);
    if (finished !== undefined) this.events.emit('finished', runView(finished, outcome.results));
  }
}
