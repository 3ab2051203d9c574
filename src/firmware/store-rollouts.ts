import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type RolloutState = 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export interface RolloutRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly package_id: string;
  readonly target: string;
  readonly rollback: boolean;
  readonly state: RolloutState;
  readonly policy: string;
  readonly stage: number;
  readonly stage_started_at: number | null;
  readonly halt_reason: string | null;
  readonly halted_at: number | null;
  readonly start_at: number;
  readonly started_at: number | null;
  readonly finished_at: number | null;
  readonly created_at: number;
  readonly created_by: string;
}

const COLUMNS = sql`id, partner_id, model_id, package_id, target, rollback, state, policy, stage,
  stage_started_at, halt_reason, halted_at, start_at, started_at, finished_at, created_at, created_by`;

export async function insertRollout(
  db: Queryable,
  row: Omit<RolloutRow, 'stage' | 'stage_started_at' | 'halt_reason' | 'halted_at' | 'finished_at'>,
): Promise<void> {
  await db.run(
    sql`INSERT INTO firmware_rollouts (id, partner_id, model_id, package_id, target, rollback, state, policy,
          stage, stage_started_at, start_at, started_at, created_at, created_by)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.package_id}, ${row.target}, ${row.rollback},
          ${row.state}, ${row.policy}, 0, ${row.started_at}, ${row.start_at}, ${row.started_at},
          ${row.created_at}, ${row.created_by})`,
  );
}

export function findRollout(db: Queryable, id: string): Promise<RolloutRow | undefined> {
  return db.one<RolloutRow>(sql`SELECT ${COLUMNS} FROM firmware_rollouts WHERE id = ${id}`);
}

/** Rollouts the scheduler looks after: running ones, and scheduled ones whose time came. */
export function dueRollouts(db: Queryable, now: number): Promise<RolloutRow[]> {
  return db.many<RolloutRow>(
    sql`SELECT ${COLUMNS} FROM firmware_rollouts
        WHERE state = 'running' OR (state = 'scheduled' AND start_at <= ${now}) ORDER BY created_at`,
  );
}

/** A conditional state change: only from one of `from`, so a concurrent change wins once. */
export async function transition(
  db: Queryable,
  id: string,
  from: readonly RolloutState[],
  to: RolloutState,
  at: number,
  extra: { haltReason?: string | null } = {},
): Promise<RolloutRow | undefined> {
  const halt =
    extra.haltReason === undefined
      ? sql.empty
      : sql`, halt_reason = ${extra.haltReason}, halted_at = ${extra.haltReason === null ? null : at}`;
  const started =
    to === 'running'
      ? sql`, started_at = COALESCE(started_at, ${at}), stage_started_at = COALESCE(stage_started_at, ${at})`
      : sql.empty;
  const finished = to === 'completed' || to === 'cancelled' ? sql`, finished_at = ${at}` : sql.empty;
  const { rows } = await db.run<RolloutRow>(
    sql`UPDATE firmware_rollouts SET state = ${to} ${halt} ${started} ${finished}
        WHERE id = ${id} AND state IN (${sql.join([...from])}) RETURNING ${COLUMNS}`,
  );
  return rows[0];
}

/** The rollout, locked until the transaction ends on PostgreSQL (SQLite runs one writer at a time). */
export function lockRollout(db: Queryable, id: string): Promise<RolloutRow | undefined> {
  return db.one<RolloutRow>(
    sql`SELECT ${COLUMNS} FROM firmware_rollouts WHERE id = ${id}
        ${sql.dialect({ sqlite: sql.empty, postgres: sql`FOR UPDATE` })}`,
  );
}

/**
 * running -> completed, only while none of its executions is open. Run in a transaction: the lock
 * orders it with a device joining the rollout (beta opt-in), so a joined device is never left queued
 * in a completed rollout.
 */
export async function complete(db: Queryable, id: string, at: number): Promise<RolloutRow | undefined> {
  const row = await lockRollout(db, id);
  if (row?.state !== 'running') return undefined;
  const open = await db.one<{ n: number }>(
    sql`SELECT COUNT(*) AS n FROM firmware_executions
        WHERE rollout_id = ${id} AND state IN ('queued', 'offered', 'in_progress')`,
  );
  if (Number(open?.n ?? 0) > 0) return undefined;
  return transition(db, id, ['running'], 'completed', at);
}

export async function promote(db: Queryable, id: string, fromStage: number, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE firmware_rollouts SET stage = ${fromStage + 1}, stage_started_at = ${at}
        WHERE id = ${id} AND stage = ${fromStage} AND state IN ('running', 'paused')`,
  );
  return changes === 1;
}

export function listRollouts(
  db: Queryable,
  filter: {
    partnerId?: string | undefined;
    packageId?: string | undefined;
    states?: readonly RolloutState[];
  },
  page: { after?: readonly (string | number)[] | undefined; limit: number },
  order: 'created' | 'start' = 'created',
): Promise<RolloutRow[]> {
  const partner = filter.partnerId === undefined ? sql.empty : sql`AND partner_id = ${filter.partnerId}`;
  const pkg = filter.packageId === undefined ? sql.empty : sql`AND package_id = ${filter.packageId}`;
  const states =
    filter.states === undefined ? sql.empty : sql`AND state IN (${sql.join([...filter.states])})`;
  if (order === 'start') {
    const after =
      page.after === undefined
        ? sql.empty
        : sql`AND (start_at > ${page.after[0] as number} OR (start_at = ${page.after[0] as number} AND id > ${page.after[1] as string}))`;
    return db.many<RolloutRow>(
      sql`SELECT ${COLUMNS} FROM firmware_rollouts WHERE 1 = 1 ${partner} ${pkg} ${states} ${after}
          ORDER BY start_at, id LIMIT ${page.limit + 1}`,
    );
  }
  const after =
    page.after === undefined
      ? sql.empty
      : sql`AND (created_at < ${page.after[0] as number} OR (created_at = ${page.after[0] as number} AND id < ${page.after[1] as string}))`;
  return db.many<RolloutRow>(
    sql`SELECT ${COLUMNS} FROM firmware_rollouts WHERE 1 = 1 ${partner} ${pkg} ${states} ${after}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

export async function liveRolloutIds(db: Queryable): Promise<string[]> {
  const rows = await db.many<{ id: string }>(
    sql`SELECT id FROM firmware_rollouts WHERE state IN ('scheduled', 'running', 'paused') ORDER BY created_at`,
  );
  return rows.map((r) => r.id);
}
