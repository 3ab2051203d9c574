import { randomInt } from 'node:crypto';
import { HubError } from '../errors.js';
import { type RolloutPolicy, type RolloutPolicyInput, resolvePolicy } from './policy.js';
import type { PackageRow } from './store-packages.js';
import type { Target } from './targets.js';

/** What a partner or the operator asks for when creating a rollout (POST /v1/firmware/rollouts). */
export interface NewRollout {
  readonly packageId: string;
  readonly target: Target;
  readonly policy?: RolloutPolicyInput | undefined;
  /** Explicit, recorded rollback to an older version (anti-rollback is lifted for this rollout only). */
  readonly rollback?: boolean | undefined;
  /** ISO time to start at (a release train); now when absent. */
  readonly startAt?: string | undefined;
}

/** Refuses a package that cannot go out to this target: not ready, or not on stable for a stable rollout. */
export function refuseUnreleasable(pkg: PackageRow, input: NewRollout): void {
  if (pkg.state !== 'ready') {
    throw new HubError(
      'INVALID_STATE',
      `package ${pkg.id} is ${pkg.state}: only a ready package can be rolled out`,
    );
  }
  if (input.target.kind === 'channel' && input.target.channel === 'stable' && pkg.channel !== 'stable') {
    throw new HubError(
      'INVALID_STATE',
      `release ${pkg.version} is on channel ${pkg.channel}: promote it to stable first`,
    );
  }
}

/** The rollout's policy (defaults filled in) and when it starts; a bad one is VALIDATION_FAILED. */
export function rolloutTiming(
  input: NewRollout,
  timeouts: { offerMs: number; progressMs: number; inProgressMs: number } | undefined,
  now: number,
): { policy: RolloutPolicy; startAt: number } {
  const policy = resolvePolicy(input.policy, timeouts);
  if (Array.isArray(policy)) {
    throw new HubError('VALIDATION_FAILED', `${policy[0]}: ${policy[1]}`, {
      errors: [{ path: policy[0], message: policy[1] }],
    });
  }
  const startAt = input.startAt === undefined ? now : Date.parse(input.startAt);
  if (!Number.isFinite(startAt)) {
    throw new HubError('VALIDATION_FAILED', 'startAt is not a time', {
      errors: [{ path: '/startAt', message: 'must be an ISO 8601 time' }],
    });
  }
  return { policy, startAt };
}

/** The ids in a uniformly random order (Fisher-Yates). */
export function shuffled(ids: readonly string[]): string[] {
  const order = [...ids];
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return order;
}
