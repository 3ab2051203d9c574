import type { Queryable, Transaction } from '../../store/engine.js';
import { type Sql, sql } from '../../store/sql.js';

/**
 * SQL of the ingest writer's group commit: each function writes one table for a whole batch, in
 * multi-row statements of at most ROWS_PER_STATEMENT rows (the same SQL on both engines; on
 * PostgreSQL one round trip per statement instead of one per row).
 */
export const ROWS_PER_STATEMENT = 250;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += ROWS_PER_STATEMENT)
    out.push(items.slice(at, at + ROWS_PER_STATEMENT));
  return out;
}

export interface IngestStateRow {
  readonly id: string;
  readonly shadow_version: number;
  readonly seq_high: number | null;
  readonly seq_recent: string | null;
}

/**
 * The shadow version and deduplication marks of these devices (distinct ids). `lock`: inside a
 * PostgreSQL transaction, lock the rows until COMMIT, so that two writers (two hub processes)
 * never count from the same version; SQLite has one writer at a time already. Rows are locked in
 * id order (give `ids` sorted): two writers, or a writer and a presence batch (which updates its
 * rows in that order too), never wait for each other in a cycle. `FOR NO KEY UPDATE`, the lock an
 * UPDATE takes: rows that only reference a device (a binding, an order unit) do not wait for it.
 */
export async function readIngestStates(
  db: Queryable,
  ids: readonly string[],
  lock: boolean,
): Promise<IngestStateRow[]> {
  const out: IngestStateRow[] = [];
  const forUpdate = lock && db.dialect === 'postgres' ? sql`FOR NO KEY UPDATE` : sql.empty;
  for (const part of chunks(ids)) {
    out.push(
      ...(await db.many<IngestStateRow>(
        sql`SELECT id, shadow_version, seq_high, seq_recent FROM devices
            WHERE id IN (${sql.join(part)}) ORDER BY id ${forUpdate}`,
      )),
    );
  }
  return out;
}

export interface DeviceWrite {
  readonly deviceId: string;
  /** The shadow version after the batch. */
  readonly version: number;
  /** Last seen: the latest receipt of the batch. */
  readonly at: number;
  /** The last firmware version reported in the batch, if any. */
  readonly firmware: string | null;
  readonly seqHigh: number;
  readonly seqRecent: string;
}

/** One statement per ROWS_PER_STATEMENT devices: version, last seen, firmware and marks after the batch. */
export async function writeDevices(tx: Transaction, writes: readonly DeviceWrite[]): Promise<void> {
  for (const part of chunks(writes)) {
    const values = part.map(
      (w) =>
        sql`(${w.deviceId}, CAST(${w.version} AS BIGINT), CAST(${w.at} AS BIGINT), CAST(${w.firmware} AS TEXT),
          CAST(${w.seqHigh} AS BIGINT), CAST(${w.seqRecent} AS TEXT))`,
    );
    await tx.run(
      sql`UPDATE devices SET shadow_version = v.column2, last_seen_at = v.column3,
            firmware_version = COALESCE(v.column4, devices.firmware_version), seq_high = v.column5,
            seq_recent = v.column6
          FROM (VALUES ${sql.join(values)}) AS v
          WHERE devices.id = v.column1`,
    );
  }
}

export interface PointRow {
  readonly deviceId: string;
  readonly property: string;
  readonly ts: number;
  readonly deviceTs: number | null;
  readonly seq: number;
  readonly value: string;
  readonly num: number | null;
  /** The device's shadow version after the report. */
  readonly version: number;
}

export async function insertPoints(tx: Transaction, points: readonly PointRow[]): Promise<void> {
  for (const part of chunks(points)) {
    await tx.run(
      sql`INSERT INTO telemetry (device_id, property, ts, device_ts, seq, value, num)
          VALUES ${sql.join(
            part.map(
              (p) =>
                sql`(${p.deviceId}, ${p.property}, ${p.ts}, ${p.deviceTs}, ${p.seq}, ${p.value}, ${p.num})`,
            ),
          )}`,
    );
  }
}

/** The shadow takes each property's last value of the batch (`points` in arrival order). */
export async function upsertShadow(tx: Transaction, points: readonly PointRow[]): Promise<void> {
  const last = new Map<string, PointRow>();
  for (const p of points) last.set(`${p.deviceId}\u0000${p.property}`, p);
  for (const part of chunks([...last.values()])) {
    await tx.run(
      sql`INSERT INTO device_shadow (device_id, property, value, reported_at, version)
          VALUES ${sql.join(part.map((p) => sql`(${p.deviceId}, ${p.property}, ${p.value}, ${p.ts}, ${p.version})`))}
          ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value,
            reported_at = excluded.reported_at, version = excluded.version`,
    );
  }
}

export interface EventInsert {
  readonly deviceId: string;
  readonly event: string;
  readonly ts: number;
  readonly deviceTs: number | null;
  readonly seq: number;
  readonly arguments: string;
}

export async function insertEvents(tx: Transaction, events: readonly EventInsert[]): Promise<void> {
  for (const part of chunks(events)) {
    await tx.run(
      sql`INSERT INTO device_events (device_id, event, ts, device_ts, seq, arguments)
          VALUES ${sql.join(
            part.map(
              (e) => sql`(${e.deviceId}, ${e.event}, ${e.ts}, ${e.deviceTs}, ${e.seq}, ${e.arguments})`,
            ),
          )}`,
    );
  }
}

export interface HistoryPoint {
  readonly ts: number;
  readonly seq: number;
  readonly value: string;
}

/** A time range [from, to) and, when paging, the (ts, seq) of the last row already shown. */
type Range = { readonly from: number; readonly to: number };
type After = { readonly ts: number; readonly seq: number } | undefined;

/** Points in (ts, seq) order: one property of one report has one seq, so the pair is unique. */
export function readHistory(
  db: Queryable,
  deviceId: string,
  property: string,
  range: Range,
  after: After,
  limit: number,
): Promise<HistoryPoint[]> {
  const from = after === undefined ? range.from : Math.max(range.from, after.ts);
  return db.many<HistoryPoint>(
    sql`SELECT ts, seq, value FROM telemetry
        WHERE device_id = ${deviceId} AND property = ${property} AND ts >= ${from} AND ts < ${range.to}
          ${afterTsSeq(after)}
        ORDER BY ts, seq LIMIT ${limit}`,
  );
}

function afterTsSeq(after: After): Sql {
  return after === undefined ? sql.empty : sql`AND (ts, seq) > (${after.ts}, ${after.seq})`;
}

export interface HistoryBucket {
  readonly bucket: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  readonly count: number;
}

/**
 * Downsampled history: one row per bucket of `bucketMs`, numbered from the epoch (bucket n starts at
 * n * bucketMs, UTC), with min/max/avg of the numeric values of the points in [from, to).
 */
export function readBuckets(
  db: Queryable,
  deviceId: string,
  property: string,
  from: number,
  to: number,
  bucketMs: number,
  limit: number,
): Promise<HistoryBucket[]> {
  // Integer division of two integers truncates on both engines (ts is never negative). avg() is a
  // double on SQLite and a numeric on PostgreSQL: cast so both answer a JavaScript number.
  return db.many<HistoryBucket>(
    sql`SELECT ts / CAST(${bucketMs} AS BIGINT) AS bucket, min(num) AS min, max(num) AS max,
          CAST(avg(num) AS DOUBLE PRECISION) AS avg, count(*) AS count
        FROM telemetry WHERE device_id = ${deviceId} AND property = ${property} AND ts >= ${from} AND ts < ${to}
        GROUP BY bucket ORDER BY bucket LIMIT ${limit}`,
  );
}

export interface EventRow {
  readonly event: string;
  readonly ts: number;
  readonly device_ts: number | null;
  readonly seq: number;
  readonly arguments: string;
}

/** Events in (ts, seq) order (each event is its own message, with its own seq). */
export function readEvents(
  db: Queryable,
  deviceId: string,
  range: Range,
  after: After,
  limit: number,
): Promise<EventRow[]> {
  const from = after === undefined ? range.from : Math.max(range.from, after.ts);
  return db.many<EventRow>(
    sql`SELECT event, ts, device_ts, seq, arguments FROM device_events
        WHERE device_id = ${deviceId} AND ts >= ${from} AND ts < ${range.to} ${afterTsSeq(after)}
        ORDER BY ts, seq LIMIT ${limit}`,
  );
}
