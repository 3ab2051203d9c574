import type { CheckContext } from './checks.js';
import { type CheckOutcome, outcome } from './results.js';
import type { ObservedReport } from './session.js';

/** What one reconnect cycle showed: the delays before each CONNECT, and when the device was back. */
export interface ReconnectCycle {
  /** From the forced disconnect to the first CONNECT, then between consecutive CONNECTs. */
  readonly delaysMs: number[];
  readonly onlineAt: number | undefined;
  readonly problem: string | undefined;
}

/**
 * Closes the device's connection and withholds CONNACK from its next `withheldConnacks` CONNECTs
 * (each closed without an answer), then lets it in. `whileHeld` runs once the disconnect is done.
 */
export async function reconnectCycle(ctx: CheckContext, whileHeld?: () => void): Promise<ReconnectCycle> {
  const { session, link, budgets } = ctx;
  const attempts: number[] = [];
  link.holdConnects(session.deviceId, budgets.withheldConnacks, (at, held) => {
    attempts.push(at);
    session.attempt(at, held);
  });
  try {
    const back = session.waitFor('online', budgets.reconnectMs, (at) => at);
    const disconnectAt = Date.now();
    session.note('connect', 'hub closes the connection (forced disconnect)');
    if (!link.disconnect(session.deviceId)) {
      return { delaysMs: [], onlineAt: undefined, problem: 'the device was not connected' };
    }
    whileHeld?.();
    const onlineAt = await back;
    const delaysMs = attempts.map((at, i) => at - (i === 0 ? disconnectAt : (attempts[i - 1] as number)));
    const problem =
      onlineAt === undefined
        ? `not back within ${budgets.reconnectMs} ms (${attempts.length} CONNECTs, ${budgets.withheldConnacks} withheld)`
        : undefined;
    return { delaysMs, onlineAt, problem };
  } finally {
    link.releaseConnects(session.deviceId);
  }
}

/**
 * Backoff: the delays must grow. The last (after the longest run of refusals) must be at least twice
 * the first and at least 250 ms: a device that retries at once, or at a fixed pace, fails.
 */
export function judgeBackoff(cycles: readonly ReconnectCycle[], withheld: number): CheckOutcome {
  const out = outcome();
  cycles.forEach((cycle, i) => {
    out.measured[`cycle${i + 1}DelaysMs`] = cycle.delaysMs;
    if (cycle.problem !== undefined) {
      out.reasons.push(`cycle ${i + 1}: ${cycle.problem}`);
      return;
    }
    if (cycle.delaysMs.length < withheld + 1) {
      out.reasons.push(`cycle ${i + 1}: ${cycle.delaysMs.length} CONNECTs, expected ${withheld + 1}`);
      return;
    }
    const first = cycle.delaysMs[0] as number;
    const last = cycle.delaysMs[cycle.delaysMs.length - 1] as number;
    if (last < Math.max(2 * first, 250)) {
      out.reasons.push(
        `cycle ${i + 1}: delays did not grow (first ${first} ms, last ${last} ms; the last must be at least twice the first and 250 ms)`,
      );
    }
  });
  return out;
}

/** Differences two cycles of jittered backoff show, beyond timer noise: 60 ms plus 5 % of the delay. */
function differs(a: number, b: number): boolean {
  return Math.abs(a - b) > 60 + 0.05 * Math.max(a, b);
}

/**
 * Jitter: a device without it retries at the same moments in every cycle (and, across a fleet, all
 * at once). Some two cycles' delays must differ beyond timer noise in at least one position. Two
 * jittered cycles can, rarely, land within noise of each other; the runner then adds a cycle
 * (`needsAnotherCycle`) rather than fail a good device, so a device without jitter is judged on
 * three identical cycles and one with jitter on at least one pair that differs.
 */
export function judgeJitter(cycles: readonly ReconnectCycle[]): CheckOutcome {
  const out = outcome();
  const done = cycles.filter((c) => c.problem === undefined);
  if (done.length < 2 || done.length < cycles.length) {
    out.reasons.push('needs two completed reconnect cycles');
    return out;
  }
  let jittered = false;
  for (let i = 0; i < done.length; i++) {
    for (let j = i + 1; j < done.length; j++) {
      const a = (done[i] as ReconnectCycle).delaysMs;
      const b = (done[j] as ReconnectCycle).delaysMs;
      const n = Math.min(a.length, b.length);
      const diffs = Array.from({ length: n }, (_, k) => Math.abs((a[k] as number) - (b[k] as number)));
      out.measured[i === 0 && j === 1 ? 'differencesMs' : `differencesMs${i + 1}${j + 1}`] = diffs;
      for (let k = 0; k < n; k++) if (differs(a[k] as number, b[k] as number)) jittered = true;
    }
  }
  if (!jittered) {
    out.reasons.push(
      `all ${done.length} cycles retried after the same delays (within timer noise): no jitter`,
    );
  }
  return out;
}

/** Two completed cycles that look alike get a third before jitter is judged (see judgeJitter). */
export function needsAnotherCycle(cycles: readonly ReconnectCycle[]): boolean {
  return (
    cycles.length === 2 &&
    judgeJitter(cycles).reasons.length > 0 &&
    cycles.every((c) => c.problem === undefined)
  );
}

/** When each key was first carried by an accepted report at or after `since`, waiting until `deadline`. */
export async function reportsAfter(
  ctx: CheckContext,
  keys: readonly string[],
  since: number,
  deadline: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const take = (report: ObservedReport) => {
    if (report.at < since || report.values === undefined) return;
    for (const key of keys) if (!seen.has(key) && report.values.has(key)) seen.set(key, report.at - since);
  };
  for (const report of ctx.session.reports) take(report);
  if (seen.size < keys.length) {
    await ctx.session.waitFor('report', deadline - Date.now(), (report) => {
      take(report);
      return seen.size === keys.length ? true : undefined;
    });
  }
  return seen;
}
