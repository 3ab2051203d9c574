import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { newId } from '../identity/secrets.js';
import type { Engine } from '../store/engine.js';
import { type CertificationRegistry, visibleModel } from './access.js';
import * as store from './store.js';
import { runView } from './views.js';

export type CertificationBasis = { kind: 'report'; runId: string } | { kind: 'override' };

/** Model versions whose new firmware must pass a run before it rolls out beyond beta. */
const CERTIFIED_STATES = new Set(['certified', 'published']);

/**
 * What follows the reports (issue 17, "Certification follows the report"): the `certify` gate, the
 * recorded decisions (a report, or an operator's override with its reason), the history, and the
 * firmware gate a rollout beyond beta passes through.
 */
export class CertificationDecisions {
  readonly #db: Engine;
  readonly #log: Logger;
  readonly #registry: CertificationRegistry;
  readonly #now: () => number;

  constructor(o: { store: Engine; log: Logger; registry: CertificationRegistry; now: () => number }) {
    this.#db = o.store;
    this.#log = o.log;
    this.#registry = o.registry;
    this.#now = o.now;
  }

  /**
   * The `certify` gate: the newest passing run of the version, or, without one, an operator's
   * written override. Returns what to record once the transition succeeded.
   */
  async basis(modelId: string, version: number, override: boolean): Promise<CertificationBasis> {
    const passing = await store.latestPassingRun(this.#db, modelId, version);
    if (passing !== undefined) return { kind: 'report', runId: passing.id };
    if (override) return { kind: 'override' };
    throw new HubError(
      'CERTIFICATION_REQUIRED',
      `model ${modelId} version ${version} has no passing certification run: run the harness ` +
        '(POST /v1/certification/runs), or certify with "override": true and the reason as the note',
    );
  }

  async record(
    caller: Identity,
    modelId: string,
    version: number,
    basis: CertificationBasis,
    reason: string,
  ): Promise<void> {
    await store.insertDecision(this.#db, {
      id: newId(),
      model_id: modelId,
      version,
      kind: basis.kind,
      run_id: basis.kind === 'report' ? basis.runId : null,
      reason,
      decided_by: caller.kind === 'operator' ? caller.tokenId : caller.kind,
      decided_at: this.#now(),
    });
    this.#log.info({ modelId, version, basis: basis.kind }, 'certification decision recorded');
  }

  /** Whether firmware `revision` of a model version has a passing run. */
  async passedOnFirmware(modelId: string, version: number, revision: string): Promise<boolean> {
    return (await store.latestPassingRun(this.#db, modelId, version, revision)) !== undefined;
  }

  /**
   * The rollout gate: a release of a certified (or published) model version rolls out beyond the
   * beta channel only with a passing run on that firmware revision; CERTIFICATION_REQUIRED otherwise.
   */
  async requireForRollout(modelId: string, version: number, revision: string): Promise<void> {
    const model = await this.#registry.modelVersion(modelId, version);
    if (model === undefined || !CERTIFIED_STATES.has(model.state)) return;
    if (await this.passedOnFirmware(modelId, version, revision)) return;
    throw new HubError(
      'CERTIFICATION_REQUIRED',
      `firmware ${revision} of certified model ${modelId} version ${version} has no passing certification ` +
        'run: run the harness on a device with this firmware (or with "packageId" to install it) before ' +
        'rolling it out beyond the beta channel',
    );
  }

  /** A model version's certification history: decisions (with override reasons) and runs. */
  async history(caller: Identity, modelId: string, version: number) {
    const model = await visibleModel(this.#registry, caller, modelId, version);
    const decisions = await store.readDecisions(this.#db, modelId, version);
    const runs = await store.listRuns(
      this.#db,
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
}
