import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';
import type { ExecutionState } from './store-executions.js';

/**
 * A rollout's executions counted: by state, per stage, field health. What the scheduler decides
 * on and the API shows; the rows themselves are in store-executions.ts.
 */

/** Every state at zero (a state with no execution has no row in a GROUP BY). */
function noExecutions(): Record<ExecutionState, number> {
  return {
    queued: 0,
    offered: 0,
    in_progress: 0,
    succeeded: 0,
    failed: 0,
    timed_out: 0,
    rejected: 0,
    cancelled: 0,
  };
}

export interface RolloutCounts {
  readonly total: number;
  /** Executions taken into a stage so far. */
  readonly taken: number;
  readonly byState: Readonly<Record<ExecutionState, number>>;
  /** Offers in the last minute (the rate limit). */
  readonly offeredLastMinute: number;
}

export async function countRollout(db: Queryable, rolloutId: string, now: number): Promise<RolloutCounts> {
  const rows = await db.many<{ state: ExecutionState; n: number; taken: number; recent: number }>(
    sql`SELECT state, COUNT(*) AS n, COUNT(stage) AS taken,
               SUM(CASE WHEN offered_at > ${now - 60_000} THEN 1 ELSE 0 END) AS recent
        FROM firmware_executions WHERE rollout_id = ${rolloutId} GROUP BY state`,
  );
  const byState = noExecutions();
  let total = 0;
  let taken = 0;
  let recent = 0;
  for (const r of rows) {
    byState[r.state] = Number(r.n);
    total += Number(r.n);
    taken += Number(r.taken);
    recent += Number(r.recent);
  }
  return { total, taken, byState, offeredLastMinute: recent };
}

/** Stage figures: how many were taken into `stage` and how many of them are finished, succeeded. */
export function countStage(
  db: Queryable,
  rolloutId: string,
  stage: number,
): Promise<{ taken: number; finished: number; succeeded: number; last: number | null } | undefined> {
  return db.one(
    sql`SELECT COUNT(*) AS taken, MAX(finished_at) AS last,
               SUM(CASE WHEN state IN ('succeeded', 'failed', 'timed_out', 'rejected', 'cancelled') THEN 1 ELSE 0 END) AS finished,
               SUM(CASE WHEN state = 'succeeded' THEN 1 ELSE 0 END) AS succeeded
        FROM firmware_executions WHERE rollout_id = ${rolloutId} AND stage = ${stage}`,
  );
}

export interface HealthFigures {
  readonly updated: number;
  readonly offlineAfter: number;
  readonly errorsAfter: number;
  /** Device-milliseconds since each update. */
  readonly exposureAfter: number;
  readonly errorsBefore: number;
  readonly offlineBefore: number;
  /** Device-milliseconds on the old firmware since the rollout started. */
  readonly exposureBefore: number;
}

export async function healthFigures(
  db: Queryable,
  rolloutId: string,
  startedAt: number,
  now: number,
): Promise<HealthFigures> {
  const row = await db.one<Record<keyof HealthFigures, number | null>>(
    sql`SELECT SUM(CASE WHEN state = 'succeeded' THEN 1 ELSE 0 END) AS "updated",
               SUM(CASE WHEN offline_after THEN 1 ELSE 0 END) AS "offlineAfter",
               SUM(errors_after) AS "errorsAfter",
               SUM(CASE WHEN state = 'succeeded' THEN ${now} - succeeded_at ELSE 0 END) AS "exposureAfter",
               SUM(errors_before) AS "errorsBefore",
               SUM(offline_before) AS "offlineBefore",
               SUM(CASE WHEN state = 'succeeded' THEN succeeded_at - ${startedAt}
                        WHEN state = 'cancelled' THEN 0 ELSE ${now - startedAt} END) AS "exposureBefore"
        FROM firmware_executions WHERE rollout_id = ${rolloutId}`,
  );
  const n = (v: number | null | undefined) => Number(v ?? 0);
  return {
    updated: n(row?.updated),
    offlineAfter: n(row?.offlineAfter),
    errorsAfter: n(row?.errorsAfter),
    exposureAfter: n(row?.exposureAfter),
    errorsBefore: n(row?.errorsBefore),
    offlineBefore: n(row?.offlineBefore),
    exposureBefore: n(row?.exposureBefore),
  };
}

export async function lastFinishedAt(db: Queryable, rolloutId: string): Promise<number> {
  const row = await db.one<{ last: number | null }>(
    sql`SELECT MAX(finished_at) AS last FROM firmware_executions WHERE rollout_id = ${rolloutId}`,
  );
  return Number(row?.last ?? 0);
}

export interface StageFigures {
  readonly stage: number;
  readonly byState: Readonly<Record<ExecutionState, number>>;
}

/** Executions taken into each stage so far, by state (the console's per-stage progress). */
export async function stageFigures(db: Queryable, rolloutId: string): Promise<StageFigures[]> {
  const rows = await db.many<{ stage: number; state: ExecutionState; n: number }>(
    sql`SELECT stage, state, COUNT(*) AS n FROM firmware_executions
        WHERE rollout_id = ${rolloutId} AND stage IS NOT NULL GROUP BY stage, state ORDER BY stage`,
  );
  const out = new Map<number, Record<ExecutionState, number>>();
  for (const r of rows) {
    const stage = Number(r.stage);
    let counts = out.get(stage);
    if (counts === undefined) {
      counts = noExecutions();
      out.set(stage, counts);
    }
    counts[r.state] = Number(r.n);
  }
  return [...out].map(([stage, byState]) => ({ stage, byState }));
}
