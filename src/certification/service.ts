import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import type { Engine } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { type CertificationRegistry, notUser, starter, visibleModel, visibleRun } from './access.js';
import { type CertificationBasis, CertificationDecisions } from './decisions.js';
import type { DeviceLink } from './device-link.js';
import { type CertificationEvents, executeRun } from './execute.js';
import type { FirmwareLink, UpdatePackage } from './firmware-link.js';
import { SigningKeys } from './keys.js';
import { CertificationMetrics } from './metrics.js';
import { DEFAULT_BUDGETS, derivePlan, type PlanBudgets, type TestPlan } from './plan.js';
import type { ScorecardService } from './quality/scorecards.js';
import type { CaseResult } from './results.js';
import * as store from './store.js';
import { TamperedDownloads } from './tampered.js';
import { type RunView, runView } from './views.js';

export type { CertificationRegistry } from './access.js';

export interface CertificationOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly link: DeviceLink;
  readonly registry: CertificationRegistry;
  /** The firmware domain, for the update cases (runs naming a package need it). */
  readonly firmware?: FirmwareLink | undefined;
  /** Quality scorecards per partner and model. */
  readonly scorecards: ScorecardService;
  /** Prometheus registry for the module's metrics. */
  readonly metrics?: Registry | undefined;
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
  /** A ready firmware package of the model version: the run starts with its update cycle. */
  readonly packageId?: string | undefined;
  readonly budgets?: Partial<PlanBudgets> | undefined;
}

const RUNNABLE_STATES = new Set(['submitted', 'certified', 'published']);

/**
 * Automated certification (docs/certification.md): test plans derived from model documents, runs
 * of the harness against live devices, signed reports, and the certification decisions that follow
 * them. A partner sees and runs only its own; the operator sees all.
 */
export class CertificationService {
  readonly events = new EventEmitter<CertificationEvents>();
  readonly decisions: CertificationDecisions;
  readonly tampered: TamperedDownloads;
  readonly scorecards: ScorecardService;
  readonly #o: CertificationOptions;
  readonly #keys: SigningKeys;
  readonly #metrics: CertificationMetrics | undefined;
  readonly #running = new Map<
    string,
    { abort: AbortController; done: Promise<void>; partnerId: string; deviceId: string }
  >();

  constructor(options: CertificationOptions) {
    this.#o = options;
    this.events.setMaxListeners(100);
    this.#keys = new SigningKeys(options.store, options.now);
    this.decisions = new CertificationDecisions(options);
    this.tampered = new TamperedDownloads(options.now);
    this.scorecards = options.scorecards;
    this.#metrics =
      options.metrics === undefined
        ? undefined
        : new CertificationMetrics(options.metrics, () => this.#running.size);
  }

  /** Makes sure a signing key exists and closes runs a previous process left running. */
  async start(): Promise<void> {
    const orphans = await store.cancelOrphans(this.#o.store, this.#o.now());
    if (orphans > 0) this.#o.log.warn({ runs: orphans }, 'runs left running by a stopped hub were cancelled');
    await this.#keys.load(this.#o.log);
  }

  /** Stops every run of this process (they end cancelled) and waits for them. */
  async close(): Promise<void> {
    for (const run of this.#running.values()) run.abort.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** The published keys, a page at a time: every report verifies with one of them. */
  keys(page: PageRequest) {
    return this.#keys.list(page);
  }

  /** The plan of a model version, as a run would execute it (with a package: its update cases). */
  async plan(
    caller: Identity,
    modelId: string,
    version: number,
    budgets?: Partial<PlanBudgets>,
    packageId?: string,
  ): Promise<TestPlan> {
    const model = await visibleModel(this.#o.registry, caller, modelId, version);
    const pkg =
      packageId === undefined ? undefined : await this.#package(model.partnerId, modelId, version, packageId);
    return derivePlan(
      modelId,
      version,
      model.spec,
      { ...DEFAULT_BUDGETS, ...budgets },
      pkg && planUpdate(pkg),
    );
  }

  async startRun(caller: Identity, input: StartRunInput): Promise<RunView> {
    const model = await visibleModel(this.#o.registry, caller, input.modelId, input.version);
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
    const pkg =
      input.packageId === undefined
        ? undefined
        : await this.#package(model.partnerId, input.modelId, input.version, input.packageId);
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
    const plan = derivePlan(
      input.modelId,
      input.version,
      model.spec,
      { ...DEFAULT_BUDGETS, ...input.budgets },
      pkg && planUpdate(pkg),
    );
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
      started_by: starter(caller),
      started_at: this.#o.now(),
      finished_at: null,
    };
    await store.insertRun(this.#o.store, row);
    const abort = new AbortController();
    const firmware = this.#o.firmware;
    const update = pkg && firmware && { pkg, firmware, tampered: this.tampered };
    const deps = { ...this.#o, keys: this.#keys, metrics: this.#metrics, events: this.events };
    // Announced before its first case can start (executeRun runs up to its first await now).
    this.events.emit('runStarted', { run: runView(row, []) });
    const done = executeRun(deps, row, plan, model.spec, abort.signal, update).catch((err: unknown) => {
      this.#o.log.error({ err, runId: row.id }, 'certification run failed');
    });
    this.#running.set(row.id, { abort, done, partnerId: row.partner_id, deviceId: row.device_id });
    void done.finally(() => this.#running.delete(row.id));
    this.#o.log.info(
      {
        runId: row.id,
        modelId: row.model_id,
        version: row.version,
        deviceId: row.device_id,
        packageId: pkg?.id,
      },
      'certification run started',
    );
    return runView(row, []);
  }

  async cancel(caller: Identity, runId: string): Promise<RunView> {
    const row = await visibleRun(this.#o.store, caller, runId);
    const running = this.#running.get(runId);
    if (row.state !== 'running' || running === undefined) {
      throw new HubError('INVALID_STATE', `run ${runId} is ${row.state}, not running on this hub`);
    }
    running.abort.abort();
    await running.done;
    return this.run(caller, runId);
  }

  async run(caller: Identity, runId: string): Promise<RunView> {
    const row = await visibleRun(this.#o.store, caller, runId);
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
    notUser(caller);
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
    await visibleRun(this.#o.store, caller, runId);
    const row = await store.readCase(this.#o.store, runId, caseId);
    if (row === undefined)
      throw new HubError('NOT_FOUND', `case ${caseId} of run ${runId} not found (or not decided yet)`);
    return JSON.parse(row.result) as CaseResult;
  }

  /** The signed report of a finished run: the exact signed bytes and their signature. */
  async report(caller: Identity, runId: string): Promise<{ body: string; keyId: string; signature: string }> {
    const row = await visibleRun(this.#o.store, caller, runId);
    const report = await store.findReport(this.#o.store, runId);
    if (report === undefined) {
      throw new HubError('INVALID_STATE', `run ${runId} is ${row.state}: only a finished run has a report`);
    }
    return { body: report.body, keyId: report.key_id, signature: report.signature };
  }

  /** The `certify` gate (see CertificationDecisions.basis). */
  certificationBasis(modelId: string, version: number, override: boolean): Promise<CertificationBasis> {
    return this.decisions.basis(modelId, version, override);
  }

  recordDecision(
    caller: Identity,
    modelId: string,
    version: number,
    basis: CertificationBasis,
    reason: string,
  ): Promise<void> {
    return this.decisions.record(caller, modelId, version, basis, reason);
  }

  /** Whether firmware `revision` of a model version has a passing run (rollouts beyond beta need one). */
  passedOnFirmware(modelId: string, version: number, revision: string): Promise<boolean> {
    return this.decisions.passedOnFirmware(modelId, version, revision);
  }

  history(caller: Identity, modelId: string, version: number) {
    return this.decisions.history(caller, modelId, version);
  }

  /** A ready package of this partner's model version, or a 400 naming `/packageId`. */
  async #package(
    partnerId: string,
    modelId: string,
    version: number,
    packageId: string,
  ): Promise<UpdatePackage> {
    const pkg = await this.#o.firmware?.readyPackage(packageId);
    if (pkg === undefined || pkg.partnerId !== partnerId) {
      throw new HubError(
        'VALIDATION_FAILED',
        `firmware package ${packageId} is not a ready package of yours`,
        {
          errors: [{ path: '/packageId', message: 'must be a ready firmware package (binary uploaded)' }],
        },
      );
    }
    if (pkg.modelId !== modelId || pkg.specVersion !== version) {
      throw new HubError(
        'VALIDATION_FAILED',
        `firmware package ${packageId} is for ${pkg.modelId} version ${pkg.specVersion}, not ${modelId} version ${version}`,
        { errors: [{ path: '/packageId', message: "must be a package of the run's model version" }] },
      );
    }
    return pkg;
  }
}

function planUpdate(pkg: UpdatePackage) {
  return { packageId: pkg.id, version: pkg.version, sha256: pkg.sha256, size: pkg.size };
}
