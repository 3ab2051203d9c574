import { lastStage, type RolloutPolicy, stageCapacity } from './policy.js';
import type { StageFigures } from './store-execution-figures.js';

/** One stage of a rollout as the partner console draws it (docs/ota.md, "Rollouts"). */
export interface StageProgress {
  readonly stage: number;
  /** `canary`, or the stage's cumulative percentage (`25%`). */
  readonly label: string;
  /** Devices this stage adds to the rollout (its share of the target, after the earlier stages). */
  readonly planned: number;
  /** Devices offered the update in this stage so far. */
  readonly targeted: number;
  readonly succeeded: number;
  /** failed, timed out or rejected (final). */
  readonly failed: number;
  /** offered or in progress now. */
  readonly inProgress: number;
  /** waiting for a retry after a failed attempt. */
  readonly retrying: number;
  readonly cancelled: number;
  readonly status: 'done' | 'current' | 'waiting';
}

/** Per-stage figures of a rollout over `total` target devices, currently at `current`. */
export function stageProgress(
  policy: RolloutPolicy,
  total: number,
  current: number,
  figures: readonly StageFigures[],
): StageProgress[] {
  const out: StageProgress[] = [];
  let before = 0;
  for (let stage = 0; stage <= lastStage(policy); stage++) {
    const capacity = stageCapacity(policy, total, stage);
    const c = figures.find((f) => f.stage === stage)?.byState;
    const n = (k: keyof NonNullable<typeof c>) => c?.[k] ?? 0;
    const targeted =
      n('queued') +
      n('offered') +
      n('in_progress') +
      n('succeeded') +
      n('failed') +
      n('timed_out') +
      n('rejected') +
      n('cancelled');
    out.push({
      stage,
      label: stage === 0 ? 'canary' : `${policy.stages[stage - 1] ?? 100}%`,
      planned: Math.max(0, capacity - before),
      targeted,
      succeeded: n('succeeded'),
      failed: n('failed') + n('timed_out') + n('rejected'),
      inProgress: n('offered') + n('in_progress'),
      retrying: n('queued'),
      cancelled: n('cancelled'),
      status: stage < current ? 'done' : stage === current ? 'current' : 'waiting',
    });
    before = Math.max(before, capacity);
  }
  return out;
}
