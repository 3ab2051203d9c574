import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type ExecutionState =
  | 'queued'
  | 'offered'
  | 'in_progress'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'rejected'
  | 'cancelled';

export const ACTIVE_STATES: readonly ExecutionState[] = ['offered', 'in_progress'];
export const FINAL_FAILURES: readonly ExecutionState[] = ['failed', 'timed_out', 'rejected'];

export interface ExecutionRow {
  readonly id: string;
  readonly rollout_id: string;
  readonly device_id: string;
  readonly position: number;
  readonly state: ExecutionState;
  readonly stage: number | null;
  readonly attempts: number;
  readonly from_version: string | null;
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  readonly due_at: number | null;
  readonly offered_at: number | null;
  readonly succeeded_at: number | null;
  readonly finished_at: number | null;
  readonly updated_at: number;
}

const COLUMNS = sql`id, rollout_id, device_id, position, state, stage, attempts, from_version, phase, percent,
  reason, due_at, offered_at, succeeded_at, finished_at, updated_at`;

export async function insertExecutions(
  db: Queryable,
  rows: ReadonlyArray<{ id: string; rollout_id: string; device_id: string; position: number; at: number }>,
): Promise<void> {
  // 500 rows per statement stays under SQLite's and PostgreSQL's parameter limits.
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows
      .slice(i, i + 500)
      .map((r) => sql`(${r.id}, ${r.rollout_id}, ${r.device_id}, ${r.position}, 'queued', ${r.at})`);
    await db.run(
      sql`INSERT INTO firmware_executions (id, rollout_id, device_id, position, state, updated_at)
          VALUES ${sql.join(values)}`,
    );
  }
}

/** Adds a device to a rollout that is under way, last in its order; false when it is in it already. */
export async function appendExecution(
  db: Queryable,
  row: { id: string; rollout_id: string; device_id: string; at: number },
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO firmware_executions (id, rollout_id, device_id, position, state, updated_at)
        SELECT ${row.id}, ${row.rollout_id}, ${row.device_id}, COALESCE(MAX(position), -1) + 1, 'queued', ${row.at}
        FROM firmware_executions WHERE rollout_id = ${row.rollout_id}
        ON CONFLICT (rollout_id, device_id) DO NOTHING`,
  );
  return changes === 1;
}

export function findExecution(db: Queryable, id: string): Promise<ExecutionRow | undefined> {
  return db.one<ExecutionRow>(sql`SELECT ${COLUMNS} FROM firmware_executions WHERE id = ${id}`);
}

/** Executions of rollouts that are not over: what the in-memory device index is built from. */
export function liveExecutions(db: Queryable): Promise<Array<ExecutionRow & { version: string }>> {
  return db.many(
    sql`SELECT e.id, e.rollout_id, e.device_id, e.position, e.state, e.stage, e.attempts, e.from_version,
               e.phase, e.percent, e.reason, e.due_at, e.offered_at, e.succeeded_at, e.finished_at,
               e.updated_at, p.version
        FROM firmware_executions e
        JOIN firmware_rollouts r ON r.id = e.rollout_id
        JOIN firmware_packages p ON p.id = r.package_id
        WHERE r.state IN ('scheduled', 'running', 'paused')`,
  );
}

/** Devices that already have an update waiting or under way, in any rollout not yet over. */
export async function busyDevices(db: Queryable, deviceIds: readonly string[]): Promise<Set<string>> {
  const busy = new Set<string>();
  for (let i = 0; i < deviceIds.length; i += 500) {
    const rows = await db.many<{ device_id: string }>(
      sql`SELECT e.device_id FROM firmware_executions e JOIN firmware_rollouts r ON r.id = e.rollout_id
          WHERE e.device_id IN (${sql.join(deviceIds.slice(i, i + 500))})
            AND e.state IN ('queued', 'offered', 'in_progress') AND r.state IN ('scheduled', 'running', 'paused')`,
    );
    for (const r of rows) busy.add(r.device_id);
  }
  return busy;
}

/** The next executions to offer: retries that are due first, then devices not yet taken, by position. */
export function nextToOffer(
  db: Queryable,
  rolloutId: string,
  now: number,
  limits: { retries: number; fresh: number },
): Promise<ExecutionRow[]> {
  return db.many<ExecutionRow>(
    sql`SELECT ${COLUMNS} FROM (
          SELECT * FROM (SELECT ${COLUMNS} FROM firmware_executions
            WHERE rollout_id = ${rolloutId} AND state = 'queued' AND stage IS NOT NULL AND due_at <= ${now}
            ORDER BY position LIMIT ${limits.retries}) retry
          UNION ALL
          SELECT * FROM (SELECT ${COLUMNS} FROM firmware_executions
            WHERE rollout_id = ${rolloutId} AND state = 'queued' AND stage IS NULL
            ORDER BY position LIMIT ${limits.fresh}) fresh
        ) picked ORDER BY position`,
  );
}

/** queued -> offered, once: the deadline to start is set, the attempt counted. */
export async function markOffered(
  db: Queryable,
  id: string,
  fields: { stage: number; fromVersion: string | null; at: number; dueAt: number },
): Promise<ExecutionRow | undefined> {
  const { rows } = await db.run<ExecutionRow>(
    sql`UPDATE firmware_executions SET state = 'offered', stage = COALESCE(stage, ${fields.stage}),
          attempts = attempts + 1, from_version = COALESCE(from_version, ${fields.fromVersion}),
          phase = NULL, percent = NULL, offered_at = ${fields.at}, due_at = ${fields.dueAt},
          updated_at = ${fields.at}
        WHERE id = ${id} AND state = 'queued'
        RETURNING ${COLUMNS}`,
  );
  return rows[0];
}

/** A progress report: offered/in_progress -> in_progress with the phase and a new deadline. */
export async function markProgress(
  db: Queryable,
  id: string,
  fields: { phase: string; percent: number | null; at: number; dueAt: number },
): Promise<ExecutionRow | undefined> {
  const { rows } = await db.run<ExecutionRow>(
    sql`UPDATE firmware_executions SET state = 'in_progress', phase = ${fields.phase},
          percent = ${fields.percent}, due_at = ${fields.dueAt}, updated_at = ${fields.at}
        WHERE id = ${id} AND state IN ('offered', 'in_progress')
        RETURNING ${COLUMNS}`,
  );
  return rows[0];
}

/**
 * Ends an attempt: to a final state, or back to queued (a retry, due at `retryAt`). Only from
 * `from`, so two hub nodes (or a deadline racing a report) end it once.
 */
export async function finishAttempt(
  db: Queryable,
  id: string,
  from: readonly ExecutionState[],
  fields: { state: ExecutionState; reason: string | null; at: number; retryAt?: number | undefined },
): Promise<ExecutionRow | undefined> {
  const retry = fields.retryAt !== undefined;
  const { rows } = await db.run<ExecutionRow>(
    sql`UPDATE firmware_executions SET
          state = ${retry ? 'queued' : fields.state}, reason = ${fields.reason},
          due_at = ${retry ? (fields.retryAt ?? null) : null},
          succeeded_at = ${fields.state === 'succeeded' ? fields.at : null},
          finished_at = ${retry ? null : fields.at}, updated_at = ${fields.at}
        WHERE id = ${id} AND state IN (${sql.join([...from])})
        RETURNING ${COLUMNS}`,
  );
  return rows[0];
}

/** Executions whose server-side deadline passed. */
export function overdue(db: Queryable, now: number, limit: number): Promise<ExecutionRow[]> {
  return db.many<ExecutionRow>(
    sql`SELECT ${COLUMNS} FROM firmware_executions
        WHERE due_at <= ${now} AND state IN ('offered', 'in_progress') ORDER BY due_at LIMIT ${limit}`,
  );
}

/** Cancels every execution of a rollout that has not finished; returns those a device may hold. */
export async function cancelRollout(
  db: Queryable,
  rolloutId: string,
  at: number,
): Promise<readonly ExecutionRow[]> {
  const { rows } = await db.run<ExecutionRow>(
    sql`UPDATE firmware_executions SET state = 'cancelled', due_at = NULL, finished_at = ${at}, updated_at = ${at}
        WHERE rollout_id = ${rolloutId} AND state IN ('queued', 'offered', 'in_progress')
        RETURNING ${COLUMNS}`,
  );
  return rows;
}

export interface HealthDelta {
  readonly errorsBefore: number;
  readonly errorsAfter: number;
  readonly offlineBefore: number;
  readonly offlineAfter: boolean;
}

export async function addHealth(db: Queryable, id: string, d: HealthDelta): Promise<void> {
  await db.run(
    sql`UPDATE firmware_executions SET errors_before = errors_before + ${d.errorsBefore},
          errors_after = errors_after + ${d.errorsAfter}, offline_before = offline_before + ${d.offlineBefore},
          offline_after = ${d.offlineAfter ? sql`${true}` : sql`offline_after`}
        WHERE id = ${id}`,
  );
}

export function listExecutions(
  db: Queryable,
  filter: { rolloutId?: string; deviceIds?: readonly string[]; state?: ExecutionState | undefined },
  page: { after?: readonly (string | number)[] | undefined; limit: number },
): Promise<ExecutionRow[]> {
  const rollout = filter.rolloutId === undefined ? sql.empty : sql`AND rollout_id = ${filter.rolloutId}`;
  const devices =
    filter.deviceIds === undefined ? sql.empty : sql`AND device_id IN (${sql.join(filter.deviceIds)})`;
  const state = filter.state === undefined ? sql.empty : sql`AND state = ${filter.state}`;
  const after =
    page.after === undefined
      ? sql.empty
      : sql`AND (updated_at < ${page.after[0] as number} OR (updated_at = ${page.after[0] as number} AND id < ${page.after[1] as string}))`;
  return db.many<ExecutionRow>(
    sql`SELECT ${COLUMNS} FROM firmware_executions WHERE 1 = 1 ${rollout} ${devices} ${state} ${after}
        ORDER BY updated_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

/** A device's updates, newest first, with the version each one brought. */
export function deviceHistory(
  db: Queryable,
  deviceId: string,
  limit: number,
): Promise<Array<ExecutionRow & { version: string; notes: string; rollback: boolean }>> {
  return db.many(
    sql`SELECT e.id, e.rollout_id, e.device_id, e.position, e.state, e.stage, e.attempts, e.from_version,
               e.phase, e.percent, e.reason, e.due_at, e.offered_at, e.succeeded_at, e.finished_at,
               e.updated_at, p.version, p.notes, r.rollback
        FROM firmware_executions e
        JOIN firmware_rollouts r ON r.id = e.rollout_id
        JOIN firmware_packages p ON p.id = r.package_id
        WHERE e.device_id = ${deviceId} AND e.stage IS NOT NULL
        ORDER BY e.updated_at DESC, e.id DESC LIMIT ${limit}`,
    { booleans: ['rollback'] },
  );
}

/** Executions by id (a node refreshes the rows it indexed before deciding on a device's report). */
export async function findExecutions(db: Queryable, ids: readonly string[]): Promise<ExecutionRow[]> {
  if (ids.length === 0) return [];
  return db.many<ExecutionRow>(
    sql`SELECT ${COLUMNS} FROM firmware_executions WHERE id IN (${sql.join(ids)})`,
  );
}
