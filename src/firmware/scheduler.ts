import type { Logger } from 'pino';
import type { Engine, Subscription } from '../store/engine.js';
import type { ExecutionEngine, RolloutContext } from './executions.js';
import { haltReason } from './health.js';
import type { FirmwareMetrics } from './metrics.js';
import { currentRate, lastStage, stageCapacity } from './policy.js';
import { ROLLOUT_INDEXED, type RolloutService } from './rollouts.js';
import * as tally from './store-execution-figures.js';
import * as executions from './store-executions.js';
import * as fleet from './store-fleet.js';
import * as store from './store-rollouts.js';

export interface SchedulerOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly engine: ExecutionEngine;
  readonly rollouts: RolloutService;
  readonly metrics: FirmwareMetrics;
  readonly tickMs: number;
}

export interface RolloutFigures {
  readonly id: string;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly stage: number;
}

/**
 * Drives rollouts: starts scheduled ones, halts on failures or field health, promotes stages,
 * offers within the rate, and times out attempts past their deadline. Everything it decides from
 * is in the database, so after a restart (kill -9 included) the first tick picks up where the
 * last one stopped: deadlines that passed while the hub was down fire at once.
 */
export class RolloutScheduler {
  readonly #o: SchedulerOptions;
  readonly #contexts = new Map<string, RolloutContext>();
  #figures: RolloutFigures[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #subscription: Subscription | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  get figures(): readonly RolloutFigures[] {
    return this.#figures;
  }

  /** Rebuilds the in-memory index from the database, then ticks every `tickMs`. */
  async start(): Promise<void> {
    // Rollouts created on other hub nodes (cluster mode): their devices may be connected here.
    const reload = (id: string) =>
      this.#o.rollouts
        .load(id)
        .catch((err: unknown) => this.#o.log.error({ err, rolloutId: id }, 'indexing a rollout failed'));
    this.#subscription = await this.#o.store.listen(ROLLOUT_INDEXED, {
      message: (id) => void reload(id),
      reset: () => {
        store.liveRolloutIds(this.#o.store).then(
          (ids) => ids.forEach((id) => void reload(id)),
          (err: unknown) => this.#o.log.error({ err }, 'reloading live rollouts failed'),
        );
      },
    });
    for (const id of await store.liveRolloutIds(this.#o.store)) await this.#o.rollouts.load(id);
    this.#timer = setInterval(() => this.poke(), this.#o.tickMs);
    this.#timer.unref();
    this.poke();
  }

  /** Runs a tick now (or right after the one running). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.tick()
      .catch((err: unknown) => this.#o.log.error({ err }, 'rollout tick failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.poke();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#subscription?.close();
    this.#subscription = undefined;
    await this.#running;
  }

  async tick(): Promise<void> {
    await this.#o.engine.flushHealth();
    await this.#o.engine.expire();
    const figures: RolloutFigures[] = [];
    for (const rollout of await store.dueRollouts(this.#o.store, this.#o.now())) {
      const f = await this.#advance(rollout);
      if (f) figures.push(f);
    }
    for (const row of await store.listRollouts(this.#o.store, { states: ['paused'] }, { limit: 1000 })) {
      const counts = await tally.countRollout(this.#o.store, row.id, this.#o.now());
      figures.push(this.#figure(row, counts));
    }
    this.#figures = figures;
  }

  #figure(row: store.RolloutRow, counts: tally.RolloutCounts): RolloutFigures {
    const s = counts.byState;
    return {
      id: row.id,
      total: counts.total,
      succeeded: s.succeeded,
      failed: s.failed + s.timed_out + s.rejected,
      stage: row.stage,
    };
  }

  async #context(row: store.RolloutRow): Promise<RolloutContext> {
    let c = this.#contexts.get(row.id);
    if (!c) {
      c = await this.#o.rollouts.context(row);
      this.#contexts.set(row.id, c);
    }
    return c;
  }

  async #advance(initial: store.RolloutRow): Promise<RolloutFigures | undefined> {
    const now = this.#o.now();
    const log = this.#o.log.child({ rolloutId: initial.id });
    let rollout = initial;
    if (rollout.state === 'scheduled') {
      const started = await store.transition(this.#o.store, rollout.id, ['scheduled'], 'running', now);
      if (!started) return undefined;
      rollout = started;
      log.info('scheduled rollout started');
    }
    const context = await this.#context(rollout);
    const { policy } = context;
    const counts = await tally.countRollout(this.#o.store, rollout.id, now);
    const s = counts.byState;

    const health = await tally.healthFigures(this.#o.store, rollout.id, rollout.started_at ?? now, now);
    const reason = haltReason(policy, counts, health);
    if (reason !== undefined) {
      await this.#halt(rollout, reason, reason.startsWith('health') ? 'health' : 'failures');
      return this.#figure(rollout, counts);
    }

    const open = s.queued + s.offered + s.in_progress;
    // Over once every attempt ended and the last stage's field soak passed with health inside limits.
    if (open === 0 && now - (await tally.lastFinishedAt(this.#o.store, rollout.id)) >= policy.stageSoakMs) {
      const done = await this.#o.store.transaction((tx) => store.complete(tx, rollout.id, now));
      if (done) {
        log.info(
          { succeeded: s.succeeded, failed: s.failed + s.timed_out + s.rejected },
          'rollout completed',
        );
        this.#o.engine.forgetRollout(rollout.id);
        this.#contexts.delete(rollout.id);
      }
      return this.#figure(rollout, counts);
    }

    if (open === 0) return this.#figure(rollout, counts);
    let stage = rollout.stage;
    let capacity = stageCapacity(policy, counts.total, stage);
    if (counts.taken >= capacity && stage < lastStage(policy)) {
      const st = await tally.countStage(this.#o.store, rollout.id, stage);
      const taken = Number(st?.taken ?? 0);
      const finished = Number(st?.finished ?? 0);
      const succeeded = Number(st?.succeeded ?? 0);
      if (finished === taken) {
        const share = taken === 0 ? 100 : (100 * succeeded) / taken;
        if (share < policy.promoteAtSuccessPercent) {
          await this.#halt(
            rollout,
            `stage ${stage}: ${succeeded} of ${taken} succeeded (${share.toFixed(1)}%), below the ${policy.promoteAtSuccessPercent}% needed to promote`,
            'stage',
          );
          return this.#figure(rollout, counts);
        }
        const soaked = now - Number(st?.last ?? 0) >= policy.stageSoakMs;
        if (
          policy.promotion === 'auto' &&
          soaked &&
          (await store.promote(this.#o.store, rollout.id, stage, now))
        ) {
          stage++;
          capacity = stageCapacity(policy, counts.total, stage);
          log.info({ stage, devices: capacity }, 'stage promoted');
        }
      }
    }

    const budget = Math.max(0, currentRate(policy, s.succeeded) - counts.offeredLastMinute);
    if (budget > 0) {
      const fresh = Math.min(budget, Math.max(0, capacity - counts.taken));
      const picked = await executions.nextToOffer(this.#o.store, rollout.id, now, { retries: budget, fresh });
      let offered = 0;
      for (const row of picked.slice(0, budget)) {
        const device = await fleet.device(this.#o.store, row.device_id);
        if (await this.#o.engine.offer(row, context, stage, device?.firmware_version ?? null)) offered++;
      }
      if (offered > 0) log.debug({ offered, stage }, 'offers sent');
    }
    return this.#figure({ ...rollout, stage }, counts);
  }

  async #halt(
    rollout: store.RolloutRow,
    reason: string,
    kind: 'failures' | 'health' | 'stage',
  ): Promise<void> {
    const halted = await store.transition(this.#o.store, rollout.id, ['running'], 'paused', this.#o.now(), {
      haltReason: reason,
    });
    if (!halted) return;
    this.#o.metrics.halts.inc({ kind });
    this.#o.log.warn({ rolloutId: rollout.id, reason }, 'rollout halted itself');
  }
}
