import type { Queryable } from '../store/engine.js';
import type { PageKey, PageRequest } from '../store/page.js';
import { sql } from '../store/sql.js';
import type { SigningKey } from './signing.js';

/** Every SQL statement of certification (tables from migration 0250). */

export interface RunRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly version: number;
  readonly device_id: string;
  readonly state: 'running' | 'finished' | 'cancelled';
  readonly verdict: 'pass' | 'fail' | null;
  readonly plan: string;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly firmware_revision: string | null;
  readonly note: string | null;
  readonly started_by: string;
  readonly started_at: number;
  readonly finished_at: number | null;
}

const RUN_COLUMNS = sql`id, partner_id, model_id, version, device_id, state, verdict, plan, total, passed, failed,
  firmware_revision, note, started_by, started_at, finished_at`;

export async function insertKey(db: Queryable, key: SigningKey, at: number): Promise<void> {
  await db.run(
    sql`INSERT INTO certification_keys (id, public_key, private_key, created_at)
        VALUES (${key.id}, ${key.publicKeyPem}, ${key.privateKeyPem}, ${at}) ON CONFLICT (id) DO NOTHING`,
  );
}

export interface KeyRow {
  readonly id: string;
  readonly public_key: string;
  readonly private_key: string;
  readonly created_at: number;
  readonly retired_at: number | null;
}

const KEY_COLUMNS = sql.raw('id, public_key, private_key, created_at, retired_at');

/** The key reports are signed with now: the newest one not retired. */
export function currentKey(db: Queryable): Promise<KeyRow | undefined> {
  return db.one<KeyRow>(
    sql`SELECT ${KEY_COLUMNS} FROM certification_keys WHERE retired_at IS NULL
        ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
}

/** A page of the keys, newest first (`LIMIT limit + 1`: the extra row says a next page exists). */
export function readKeys(db: Queryable, page: PageRequest): Promise<KeyRow[]> {
  const after =
    page.after === undefined
      ? sql.empty
      : sql`WHERE (created_at < ${Number(page.after[0])} OR (created_at = ${Number(page.after[0])} AND id < ${String(page.after[1])}))`;
  return db.many<KeyRow>(
    sql`SELECT ${KEY_COLUMNS} FROM certification_keys ${after}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

export async function insertRun(db: Queryable, row: RunRow): Promise<void> {
  await db.run(
    sql`INSERT INTO certification_runs (id, partner_id, model_id, version, device_id, state, verdict, plan, total,
          passed, failed, firmware_revision, note, started_by, started_at, finished_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.version}, ${row.device_id}, ${row.state},
          ${row.verdict}, ${row.plan}, ${row.total}, ${row.passed}, ${row.failed}, ${row.firmware_revision},
          ${row.note}, ${row.started_by}, ${row.started_at}, ${row.finished_at})`,
  );
}

export function findRun(db: Queryable, id: string): Promise<RunRow | undefined> {
  return db.one<RunRow>(sql`SELECT ${RUN_COLUMNS} FROM certification_runs WHERE id = ${id}`);
}

export function runningOnDevice(db: Queryable, deviceId: string): Promise<{ id: string } | undefined> {
  return db.one(
    sql`SELECT id FROM certification_runs WHERE device_id = ${deviceId} AND state = 'running' LIMIT 1`,
  );
}

export async function countRunning(db: Queryable, partnerId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT COUNT(*) AS n FROM certification_runs WHERE partner_id = ${partnerId} AND state = 'running'`,
  );
  return Number(row?.n ?? 0);
}

export interface RunFilter {
  readonly partnerId?: string | undefined;
  readonly modelId?: string | undefined;
  readonly version?: number | undefined;
  readonly state?: RunRow['state'] | undefined;
}

/** Newest first, keyed by (started_at, id). */
export function listRuns(db: Queryable, filter: RunFilter, after: PageKey | undefined, limit: number) {
  const [at, id] = (after ?? []) as [number | undefined, string | undefined];
  return db.many<RunRow>(
    sql`SELECT ${RUN_COLUMNS} FROM certification_runs WHERE 1 = 1
        ${filter.partnerId !== undefined ? sql`AND partner_id = ${filter.partnerId}` : sql.empty}
        ${filter.modelId !== undefined ? sql`AND model_id = ${filter.modelId}` : sql.empty}
        ${filter.version !== undefined ? sql`AND version = ${filter.version}` : sql.empty}
        ${filter.state !== undefined ? sql`AND state = ${filter.state}` : sql.empty}
        ${at !== undefined && id !== undefined ? sql`AND (started_at < ${at} OR (started_at = ${at} AND id < ${id}))` : sql.empty}
        ORDER BY started_at DESC, id DESC LIMIT ${limit + 1}`,
  );
}

export async function insertCase(
  db: Queryable,
  row: { run_id: string; position: number; case_id: string; verdict: string; result: string },
): Promise<void> {
  await db.run(
    sql`INSERT INTO certification_cases (run_id, position, case_id, verdict, result)
        VALUES (${row.run_id}, ${row.position}, ${row.case_id}, ${row.verdict}, ${row.result})
        ON CONFLICT (run_id, case_id) DO UPDATE SET verdict = excluded.verdict, result = excluded.result`,
  );
}

export function readCases(db: Queryable, runId: string) {
  return db.many<{ case_id: string; position: number; verdict: string; result: string }>(
    sql`SELECT case_id, position, verdict, result FROM certification_cases WHERE run_id = ${runId} ORDER BY position`,
  );
}

export function readCase(db: Queryable, runId: string, caseId: string) {
  return db.one<{ result: string }>(
    sql`SELECT result FROM certification_cases WHERE run_id = ${runId} AND case_id = ${caseId}`,
  );
}

export async function finishRun(
  db: Queryable,
  row: Pick<
    RunRow,
    'id' | 'state' | 'verdict' | 'passed' | 'failed' | 'firmware_revision' | 'note' | 'finished_at'
  >,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE certification_runs SET state = ${row.state}, verdict = ${row.verdict}, passed = ${row.passed},
          failed = ${row.failed}, firmware_revision = ${row.firmware_revision}, note = ${row.note},
          finished_at = ${row.finished_at}
        WHERE id = ${row.id} AND state = 'running'`,
  );
  return changes === 1;
}

/** Runs left 'running' by a hub that stopped: nobody will finish them. */
export async function cancelOrphans(db: Queryable, at: number): Promise<number> {
  const { changes } = await db.run(
    sql`UPDATE certification_runs SET state = 'cancelled', note = 'the hub stopped during the run', finished_at = ${at}
        WHERE state = 'running'`,
  );
  return changes;
}

export async function insertReport(
  db: Queryable,
  row: { run_id: string; key_id: string; body: string; signature: string; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO certification_reports (run_id, key_id, body, signature, created_at)
        VALUES (${row.run_id}, ${row.key_id}, ${row.body}, ${row.signature}, ${row.created_at})`,
  );
}

export function findReport(db: Queryable, runId: string) {
  return db.one<{ key_id: string; body: string; signature: string; created_at: number }>(
    sql`SELECT key_id, body, signature, created_at FROM certification_reports WHERE run_id = ${runId}`,
  );
}

/** The newest passing finished run of a model version (optionally on one firmware revision). */
export function latestPassingRun(db: Queryable, modelId: string, version: number, firmware?: string) {
  return db.one<{ id: string; firmware_revision: string | null; finished_at: number }>(
    sql`SELECT id, firmware_revision, finished_at FROM certification_runs
        WHERE model_id = ${modelId} AND version = ${version} AND state = 'finished' AND verdict = 'pass'
        ${firmware !== undefined ? sql`AND firmware_revision = ${firmware}` : sql.empty}
        ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
}

export interface DecisionRow {
  readonly id: string;
  readonly model_id: string;
  readonly version: number;
  readonly kind: 'report' | 'override';
  readonly run_id: string | null;
  readonly reason: string;
  readonly decided_by: string;
  readonly decided_at: number;
}

export async function insertDecision(db: Queryable, row: DecisionRow): Promise<void> {
  await db.run(
    sql`INSERT INTO certification_decisions (id, model_id, version, kind, run_id, reason, decided_by, decided_at)
        VALUES (${row.id}, ${row.model_id}, ${row.version}, ${row.kind}, ${row.run_id}, ${row.reason},
          ${row.decided_by}, ${row.decided_at})`,
  );
}

export function readDecisions(db: Queryable, modelId: string, version?: number) {
  return db.many<DecisionRow>(
    sql`SELECT id, model_id, version, kind, run_id, reason, decided_by, decided_at FROM certification_decisions
        WHERE model_id = ${modelId} ${version !== undefined ? sql`AND version = ${version}` : sql.empty}
        ORDER BY decided_at, id LIMIT 1000`,
  );
}
