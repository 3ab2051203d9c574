import type { Queryable } from '../../store/engine.js';
import { sql } from '../../store/sql.js';

/** Every SQL statement of the quality scorecards (table from migration 0370, and reads of others). */

export interface CounterRow {
  readonly model_id: string;
  readonly partner_id: string;
  readonly day: string;
  readonly metric: string;
  readonly label: string;
  readonly n: number;
}

/** Adds a batch of counts (one statement per row, in the caller's transaction). */
export async function addCounters(db: Queryable, rows: readonly CounterRow[]): Promise<void> {
  for (const r of rows) {
    await db.run(
      sql`INSERT INTO quality_counters (model_id, partner_id, day, metric, label, n)
          VALUES (${r.model_id}, ${r.partner_id}, ${r.day}, ${r.metric}, ${r.label}, ${r.n})
          ON CONFLICT (model_id, day, metric, label) DO UPDATE SET n = quality_counters.n + excluded.n`,
    );
  }
}

/** Summed counters of a partner's models (or one model) over days [from, to]. */
export async function readCounters(
  db: Queryable,
  filter: { partnerId?: string | undefined; modelIds?: readonly string[] | undefined },
  fromDay: string,
  toDay: string,
) {
  if (filter.modelIds?.length === 0) return [];
  const rows = await db.many<{ model_id: string; metric: string; label: string; n: number }>(
    sql`SELECT model_id, metric, label, SUM(n) AS n FROM quality_counters
        WHERE day >= ${fromDay} AND day <= ${toDay}
        ${filter.partnerId !== undefined ? sql`AND partner_id = ${filter.partnerId}` : sql.empty}
        ${filter.modelIds !== undefined ? sql`AND model_id IN (${sql.join(filter.modelIds)})` : sql.empty}
        GROUP BY model_id, metric, label LIMIT 100000`,
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** A partner's models (or the listed ones): id and owner. */
export async function models(
  db: Queryable,
  filter: { partnerId?: string | undefined; modelIds?: readonly string[] | undefined },
) {
  if (filter.modelIds?.length === 0) return [];
  return db.many<{ id: string; partner_id: string }>(
    sql`SELECT id, partner_id FROM models WHERE 1 = 1
        ${filter.partnerId !== undefined ? sql`AND partner_id = ${filter.partnerId}` : sql.empty}
        ${filter.modelIds !== undefined ? sql`AND id IN (${sql.join(filter.modelIds)})` : sql.empty}
        ORDER BY id LIMIT 1000`,
  );
}

/** Devices per model that ever connected (the fleet whose offline time is counted). */
export async function connectedDevices(
  db: Queryable,
  modelIds: readonly string[],
): Promise<Map<string, number>> {
  if (modelIds.length === 0) return new Map();
  const rows = await db.many<{ model_id: string; n: number }>(
    sql`SELECT model_id, COUNT(*) AS n FROM devices
        WHERE connection_count > 0 AND model_id IN (${sql.join(modelIds)})
        GROUP BY model_id`,
  );
  return new Map(rows.map((r) => [r.model_id, Number(r.n)]));
}

/** Update attempts that ended in [from, to), by model and outcome. */
export async function updateOutcomes(db: Queryable, modelIds: readonly string[], from: number, to: number) {
  if (modelIds.length === 0) return [];
  const rows = await db.many<{ model_id: string; state: string; n: number }>(
    sql`SELECT r.model_id AS model_id, e.state AS state, COUNT(*) AS n
        FROM firmware_executions e JOIN firmware_rollouts r ON r.id = e.rollout_id
        WHERE e.state IN ('succeeded', 'failed', 'timed_out', 'rejected')
          AND e.finished_at >= ${from} AND e.finished_at < ${to}
          AND r.model_id IN (${sql.join(modelIds)})
        GROUP BY r.model_id, e.state`,
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Units sold (paid order lines), refunded, and activated, by model, for orders paid in [from, to). */
export async function salesFigures(db: Queryable, modelIds: readonly string[], from: number, to: number) {
  if (modelIds.length === 0) return [];
  const rows = await db.many<{ model_id: string; sold: number; refunded: number; activated: number }>(
    sql`SELECT l.model_id AS model_id,
          SUM(l.quantity) AS sold,
          SUM(CASE WHEN l.refunded_at IS NULL THEN 0 ELSE l.quantity END) AS refunded,
          SUM((SELECT COUNT(*) FROM commerce_activations a WHERE a.order_id = l.order_id AND a.line_no = l.line_no)) AS activated
        FROM commerce_order_lines l JOIN commerce_orders o ON o.id = l.order_id
        WHERE o.paid_at IS NOT NULL AND o.paid_at >= ${from} AND o.paid_at < ${to}
          AND l.model_id IN (${sql.join(modelIds)})
        GROUP BY l.model_id`,
  );
  return rows.map((r) => ({
    model_id: r.model_id,
    sold: Number(r.sold),
    refunded: Number(r.refunded),
    activated: Number(r.activated),
  }));
}

/** Certification runs and decisions per model version (all time: the history). */
export function certificationHistory(db: Queryable, modelIds: readonly string[]) {
  if (modelIds.length === 0) return Promise.resolve([]);
  return db.many<{
    model_id: string;
    version: number;
    kind: 'run' | 'report' | 'override';
    verdict: string | null;
    firmware_revision: string | null;
    at: number;
  }>(
    sql`SELECT model_id, version, 'run' AS kind, verdict, firmware_revision, finished_at AS at
          FROM certification_runs
          WHERE state = 'finished' AND model_id IN (${sql.join(modelIds)})
        UNION ALL
        SELECT model_id, version, kind, NULL AS verdict, NULL AS firmware_revision, decided_at AS at
          FROM certification_decisions
          WHERE model_id IN (${sql.join(modelIds)})
        ORDER BY at DESC LIMIT 500`,
  );
}

/** One model's counters per day over [from, to] (the scorecard's chart). */
export async function dailyCounters(db: Queryable, modelId: string, fromDay: string, toDay: string) {
  const rows = await db.many<{ day: string; metric: string; n: number }>(
    sql`SELECT day, metric, SUM(n) AS n FROM quality_counters
        WHERE model_id = ${modelId} AND day >= ${fromDay} AND day <= ${toDay}
        GROUP BY day, metric ORDER BY day LIMIT 10000`,
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}
