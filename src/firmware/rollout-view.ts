import type { Queryable } from '../store/engine.js';
import { iso } from './access.js';
import { lastStage, type RolloutPolicy } from './policy.js';
import { countRollout, type RolloutCounts } from './store-execution-figures.js';
import { findPackage } from './store-packages.js';
import type { RolloutRow, RolloutState } from './store-rollouts.js';
import type { Target } from './targets.js';

/** A rollout as the API shows it: its row, its package's version and its executions by state. */
export interface RolloutView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly packageId: string;
  readonly version: string;
  readonly target: Target;
  readonly rollback: boolean;
  readonly state: RolloutState;
  readonly stage: number;
  readonly stages: number;
  readonly policy: RolloutPolicy;
  readonly haltReason: string | null;
  readonly haltedAt: string | null;
  readonly startAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly counts: RolloutCounts['byState'] & { readonly total: number };
}

export async function rolloutView(db: Queryable, row: RolloutRow, now: number): Promise<RolloutView> {
  const counts = await countRollout(db, row.id, now);
  const pkg = await findPackage(db, row.package_id);
  const policy = JSON.parse(row.policy) as RolloutPolicy;
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    packageId: row.package_id,
    version: pkg?.version ?? '',
    target: JSON.parse(row.target) as Target,
    rollback: row.rollback,
    state: row.state,
    stage: row.stage,
    stages: lastStage(policy) + 1,
    policy,
    haltReason: row.halt_reason,
    haltedAt: iso(row.halted_at),
    startAt: new Date(row.start_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    counts: { ...counts.byState, total: counts.total },
  };
}
