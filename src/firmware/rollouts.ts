import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { notUser, partnerScope, visibleTo, who } from './access.js';
import { ExecutionEngine, type RolloutContext } from './executions.js';
import type { PackageService } from './packages.js';
import { lastStage, type RolloutPolicy } from './policy.js';
import { type NewRollout, refuseUnreleasable, rolloutTiming, shuffled } from './rollout-input.js';
import { type RolloutView, rolloutView } from './rollout-view.js';
import { type StageProgress, stageProgress } from './stages.js';
import * as tally from './store-execution-figures.js';
import * as executions from './store-executions.js';
import * as packages from './store-packages.js';
import * as store from './store-rollouts.js';
import { type ResolvedTargets, resolveTargets } from './targets.js';
import { type ExecutionView, executionView } from './views.js';

/** Notification channel: a rollout's executions were created or added; every node indexes them. */
export const ROLLOUT_INDEXED = 'firmware_rollout_indexed';

export type { NewRollout, RolloutView };

export interface RolloutServiceOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly packages: PackageService;
  readonly engine: ExecutionEngine;
  /** The scheduler should look now (a rollout was created, resumed or promoted). */
  readonly poke: () => void;
  /** Certification's gate for a rollout beyond the beta channel (throws CERTIFICATION_REQUIRED). */
  readonly releaseGate?:
    | ((modelId: string, specVersion: number, version: string) => Promise<void>)
    | undefined;
  /** Execution deadlines for policies that do not set their own (the hub's firmware settings). */
  readonly timeouts?: { offerMs: number; progressMs: number; inProgressMs: number } | undefined;
}

/** Rollouts as partners and the operator manage them: create, pause, resume, promote, cancel. */
export class RolloutService {
  readonly #o: RolloutServiceOptions;

  constructor(options: RolloutServiceOptions) {
    this.#o = options;
  }

  async create(
    caller: Identity,
    input: NewRollout,
  ): Promise<RolloutView & { skipped: ResolvedTargets['skipped'] }> {
    notUser(caller);
    const pkg = await this.#o.packages.owned(caller, input.packageId);
    refuseUnreleasable(pkg, input);
    const beta = input.target.kind === 'channel' && input.target.channel === 'beta';
    if (!beta && input.rollback !== true)
      await this.#o.releaseGate?.(pkg.model_id, pkg.spec_version, pkg.version);
    const now = this.#o.now();
    const { policy, startAt } = rolloutTiming(input, this.#o.timeouts, now);
    const rollback = input.rollback === true;
    const targets = await resolveTargets(this.#o.store, caller, pkg, input.target, rollback);
    const id = `ro_${randomBytes(8).toString('hex')}`;
    const scheduled = startAt > now;
    // A random order, fixed now: each stage is a random sample of the fleet.
    const order = shuffled(targets.deviceIds);
    await this.#o.store.transaction(
      async (tx) => {
        await store.insertRollout(tx, {
          id,
          partner_id: pkg.partner_id,
          model_id: pkg.model_id,
          package_id: pkg.id,
          target: JSON.stringify(input.target),
          rollback,
          state: scheduled ? 'scheduled' : 'running',
          policy: JSON.stringify(policy),
          start_at: startAt,
          started_at: scheduled ? null : now,
          created_at: now,
          created_by: who(caller),
        });
        await executions.insertExecutions(
          tx,
          order.map((deviceId, position) => ({
            id: ExecutionEngine.newId(),
            rollout_id: id,
            device_id: deviceId,
            position,
            at: now,
          })),
        );
      },
      { durable: true },
    );
    this.#o.log.info(
      { rolloutId: id, packageId: pkg.id, devices: order.length, rollback, scheduled, by: who(caller) },
      rollback ? 'rollback rollout created' : 'rollout created',
    );
    await this.load(id);
    await this.announce(id);
    this.#o.poke();
    return { ...(await this.get(caller, id)), skipped: targets.skipped };
  }

  /**
   * Adds a device to a live rollout (a device that joined the beta channel while the release's
   * beta rollout runs). False when the device is in it already, or the rollout ended meanwhile.
   */
  async join(rolloutId: string, deviceId: string): Promise<boolean> {
    const added = await this.#o.store.transaction(
      async (tx) => {
        const rollout = await store.lockRollout(tx, rolloutId);
        if (rollout === undefined || !['scheduled', 'running', 'paused'].includes(rollout.state))
          return false;
        return executions.appendExecution(tx, {
          id: ExecutionEngine.newId(),
          rollout_id: rolloutId,
          device_id: deviceId,
          at: this.#o.now(),
        });
      },
      { durable: true },
    );
    if (added) {
      await this.load(rolloutId);
      await this.announce(rolloutId);
      this.#o.poke();
    }
    return added;
  }

  /**
   * Tells the other hub nodes on this database to index the rollout too (ROLLOUT_INDEXED): a
   * device's progress and its report of the new revision arrive on whichever node it is connected to.
   */
  async announce(rolloutId: string): Promise<void> {
    await this.#o.store.notify(ROLLOUT_INDEXED, rolloutId);
  }

  /** Indexes a rollout's executions in the engine (at creation, and for every live rollout at start). */
  async load(rolloutId: string): Promise<void> {
    const rollout = await store.findRollout(this.#o.store, rolloutId);
    if (!rollout) return;
    const context = await this.context(rollout);
    const rows = await executions.listExecutions(this.#o.store, { rolloutId }, { limit: 1_000_000 });
    for (const row of rows) this.#o.engine.track(row, context);
  }

  async context(rollout: store.RolloutRow): Promise<RolloutContext> {
    const pkg = await packages.findPackage(this.#o.store, rollout.package_id);
    if (!pkg) throw new Error(`rollout ${rollout.id} has no package`);
    return {
      id: rollout.id,
      policy: JSON.parse(rollout.policy) as RolloutPolicy,
      pkg,
      rollback: rollout.rollback,
    };
  }

  async get(caller: Identity, rolloutId: string): Promise<RolloutView> {
    return rolloutView(this.#o.store, await this.#visible(caller, rolloutId), this.#o.now());
  }

  async list(
    caller: Identity,
    filter: { packageId?: string | undefined },
    page: { after?: readonly (string | number)[] | undefined; limit: number },
  ) {
    const rows = await store.listRollouts(
      this.#o.store,
      { partnerId: partnerScope(caller), packageId: filter.packageId },
      page,
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      items: await Promise.all(shown.map((r) => rolloutView(this.#o.store, r, this.#o.now()))),
      next: rows.length > page.limit && last ? [last.created_at, last.id] : null,
    };
  }

  /** Rollouts still to start or running, by start time: the release train's calendar. */
  async calendar(
    caller: Identity,
    page: { after?: readonly (string | number)[] | undefined; limit: number },
  ) {
    const rows = await store.listRollouts(
      this.#o.store,
      { partnerId: partnerScope(caller), states: ['scheduled', 'running', 'paused'] },
      page,
      'start',
    );
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      items: await Promise.all(shown.map((r) => rolloutView(this.#o.store, r, this.#o.now()))),
      next: rows.length > page.limit && last ? [last.start_at, last.id] : null,
    };
  }

  async executions(
    caller: Identity,
    rolloutId: string,
    state: executions.ExecutionState | undefined,
    page: { after?: readonly (string | number)[] | undefined; limit: number },
  ): Promise<{ items: ExecutionView[]; next: (string | number)[] | null }> {
    await this.#visible(caller, rolloutId);
    const rows = await executions.listExecutions(this.#o.store, { rolloutId, state }, page);
    const shown = rows.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      items: shown.map(executionView),
      next: rows.length > page.limit && last ? [last.updated_at, last.id] : null,
    };
  }

  /** Each stage's planned share and its executions by outcome (the console's progress bars). */
  async stages(caller: Identity, rolloutId: string): Promise<{ rolloutId: string; stages: StageProgress[] }> {
    const row = await this.#visible(caller, rolloutId);
    const counts = await tally.countRollout(this.#o.store, rolloutId, this.#o.now());
    const figures = await tally.stageFigures(this.#o.store, rolloutId);
    const policy = JSON.parse(row.policy) as RolloutPolicy;
    return { rolloutId, stages: stageProgress(policy, counts.total, row.stage, figures) };
  }

  async pause(caller: Identity, rolloutId: string): Promise<RolloutView> {
    await this.#visible(caller, rolloutId);
    const row = await store.transition(
      this.#o.store,
      rolloutId,
      ['running', 'scheduled'],
      'paused',
      this.#o.now(),
      {
        haltReason: `paused by ${who(caller)}`,
      },
    );
    if (!row) throw new HubError('INVALID_STATE', 'only a running or scheduled rollout can be paused');
    return rolloutView(this.#o.store, row, this.#o.now());
  }

  async resume(caller: Identity, rolloutId: string): Promise<RolloutView> {
    await this.#visible(caller, rolloutId);
    const row = await store.transition(this.#o.store, rolloutId, ['paused'], 'running', this.#o.now(), {
      haltReason: null,
    });
    if (!row) throw new HubError('INVALID_STATE', 'only a paused rollout can be resumed');
    this.#o.log.info({ rolloutId, by: who(caller) }, 'rollout resumed');
    this.#o.poke();
    return rolloutView(this.#o.store, row, this.#o.now());
  }

  /** Manual promotion: the next stage starts now, whatever the thresholds say. */
  async promote(caller: Identity, rolloutId: string): Promise<RolloutView> {
    const row = await this.#visible(caller, rolloutId);
    const policy = JSON.parse(row.policy) as RolloutPolicy;
    if (row.stage >= lastStage(policy))
      throw new HubError('INVALID_STATE', 'the rollout is at its last stage');
    if (!(await store.promote(this.#o.store, rolloutId, row.stage, this.#o.now()))) {
      throw new HubError('INVALID_STATE', 'only a running or paused rollout can be promoted');
    }
    this.#o.log.info({ rolloutId, stage: row.stage + 1, by: who(caller) }, 'rollout promoted');
    this.#o.poke();
    return this.get(caller, rolloutId);
  }

  async cancel(caller: Identity, rolloutId: string): Promise<RolloutView> {
    await this.#visible(caller, rolloutId);
    const now = this.#o.now();
    const result = await this.#o.store.transaction(
      async (tx) => {
        const row = await store.transition(
          tx,
          rolloutId,
          ['scheduled', 'running', 'paused'],
          'cancelled',
          now,
        );
        if (!row) return undefined;
        return { row, cancelled: await executions.cancelRollout(tx, rolloutId, now) };
      },
      { durable: true },
    );
    if (!result) throw new HubError('INVALID_STATE', 'the rollout is over already');
    this.#o.engine.withdraw(result.cancelled);
    this.#o.engine.forgetRollout(rolloutId);
    this.#o.log.info({ rolloutId, cancelled: result.cancelled.length, by: who(caller) }, 'rollout cancelled');
    return rolloutView(this.#o.store, result.row, this.#o.now());
  }

  async #visible(caller: Identity, rolloutId: string): Promise<store.RolloutRow> {
    notUser(caller);
    const row = await store.findRollout(this.#o.store, rolloutId);
    if (!row || !visibleTo(caller, row.partner_id)) throw new HubError('NOT_FOUND', 'rollout not found');
    return row;
  }
}
