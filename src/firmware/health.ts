import type { RolloutPolicy } from './policy.js';
import type { HealthFigures, RolloutCounts } from './store-execution-figures.js';

/**
 * When a rollout stops itself (docs/ota.md, "Auto-halt"). Install status is one signal; the other is
 * whether the devices already updated behave worse in the field than those still on the old
 * firmware over the same rollout: going offline soon after the update, emitting error events.
 * Returns the reason to halt, or undefined.
 */
export function haltReason(
  policy: RolloutPolicy,
  counts: RolloutCounts,
  health: HealthFigures,
): string | undefined {
  const s = counts.byState;
  const failures = s.failed + s.timed_out + s.rejected;
  const finished = failures + s.succeeded;
  if (finished >= policy.abort.minFinished && (100 * failures) / finished > policy.abort.failurePercent) {
    return (
      `failures: ${failures} of ${finished} finished executions failed, timed out or were rejected ` +
      `(${pct(failures, finished)}%, threshold ${policy.abort.failurePercent}%)`
    );
  }
  const h = policy.health;
  if (health.updated < h.minUpdated) return undefined;
  // Offline soon after the update, against how often the not-yet-updated devices dropped off
  // within a window of the same length (per device, over the time each spent on the old firmware).
  const offlineShare = (100 * health.offlineAfter) / health.updated;
  const windows = health.exposureBefore / h.offlineWindowMs;
  const baselineShare = windows > 0 ? Math.min(100, (100 * health.offlineBefore) / windows) : 0;
  if (offlineShare > h.maxOfflinePercent && offlineShare > baselineShare * 2) {
    return (
      `health: ${health.offlineAfter} of ${health.updated} updated devices went offline within ` +
      `${Math.round(h.offlineWindowMs / 1000)} s of the update (${pct(health.offlineAfter, health.updated)}%, ` +
      `threshold ${h.maxOfflinePercent}%; not-updated devices: ${baselineShare.toFixed(1)}% per window)`
    );
  }
  if (health.errorsAfter >= h.minErrorEvents && health.exposureAfter > 0) {
    const hour = 3600_000;
    const after = health.errorsAfter / (health.exposureAfter / hour);
    // A floor of one error per device-day, so a perfectly quiet old fleet does not make one error fatal.
    const before = Math.max(
      health.exposureBefore > 0 ? health.errorsBefore / (health.exposureBefore / hour) : 0,
      1 / 24,
    );
    if (after > h.errorRateFactor * before) {
      return (
        `health: updated devices emitted ${health.errorsAfter} error events, ${after.toFixed(2)} per device-hour ` +
        `against ${before.toFixed(2)} on the old firmware (threshold ${h.errorRateFactor}x)`
      );
    }
  }
  return undefined;
}

function pct(a: number, b: number): string {
  return ((100 * a) / b).toFixed(1);
}

/** Whether an event name counts as an error for the policy: a full `service.event` name or a fragment. */
export function isErrorEvent(policy: RolloutPolicy, event: string): boolean {
  return policy.health.errorEvents.some((e) => event === e || event.includes(e));
}
