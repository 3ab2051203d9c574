import { type Db, prepared } from '../../store/database.js';

/**
 * Statements the ingest writer runs for every accepted report, prepared once. All of them run
 * inside the writer's group-commit transaction.
 */
export function ingestStatements(db: Db) {
  const claimSeq = prepared(
    db,
    'INSERT OR IGNORE INTO device_reports (device_id, seq, received_at) VALUES (?, ?, ?)',
  );
  const bumpVersion = prepared(
    db,
    'UPDATE devices SET shadow_version = shadow_version + 1, last_seen_at = ? WHERE id = ? RETURNING shadow_version',
  );
  const insertPoint = prepared(
    db,
    'INSERT INTO telemetry (device_id, property, ts, device_ts, seq, value, num) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const upsertShadow = prepared(
    db,
    `INSERT INTO device_shadow (device_id, property, value, reported_at, version) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value, reported_at = excluded.reported_at,
       version = excluded.version`,
  );
  const setFirmware = prepared(db, 'UPDATE devices SET firmware_version = ? WHERE id = ?');
  const insertEvent = prepared(
    db,
    'INSERT INTO device_events (device_id, event, ts, device_ts, seq, arguments) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const touch = prepared(db, 'UPDATE devices SET last_seen_at = ? WHERE id = ?');
  return {
    /** False when this (device, seq) was stored before: a redelivery. */
    claimSeq: (deviceId: string, seq: number, at: number) => claimSeq.run(deviceId, seq, at).changes === 1,
    bumpVersion: (deviceId: string, at: number) =>
      (bumpVersion.get(at, deviceId) as { shadow_version: number } | undefined)?.shadow_version,
    insertPoint: (
      d: string,
      prop: string,
      ts: number,
      deviceTs: number | null,
      seq: number,
      value: string,
      num: number | null,
    ) => insertPoint.run(d, prop, ts, deviceTs, seq, value, num),
    upsertShadow: (d: string, prop: string, value: string, at: number, version: number) =>
      upsertShadow.run(d, prop, value, at, version),
    setFirmware: (d: string, firmware: string) => setFirmware.run(firmware, d),
    insertEvent: (d: string, event: string, ts: number, deviceTs: number | null, seq: number, args: string) =>
      insertEvent.run(d, event, ts, deviceTs, seq, args),
    touch: (d: string, at: number) => touch.run(at, d),
  };
}

export type IngestStatements = ReturnType<typeof ingestStatements>;

/** Forget sequence numbers older than the dedup window (a redelivery comes within seconds or minutes). */
export function pruneReportSeqs(db: Db, before: number): number {
  return prepared(db, 'DELETE FROM device_reports WHERE received_at < ?').run(before).changes;
}

export interface HistoryPoint {
  readonly ts: number;
  readonly value: string;
}

export function readHistory(
  db: Db,
  deviceId: string,
  property: string,
  from: number,
  to: number,
  limit: number,
) {
  return prepared(
    db,
    `SELECT ts, value FROM telemetry WHERE device_id = ? AND property = ? AND ts >= ? AND ts < ?
       ORDER BY ts LIMIT ?`,
  ).all(deviceId, property, from, to, limit) as HistoryPoint[];
}

export interface HistoryBucket {
  readonly bucket: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number | null;
  readonly count: number;
}

/**
 * Downsampled history: one row per bucket of `bucketMs` starting at `from`, with min/max/avg of the
 * numeric values of points at or after `since` (>= from: the points a viewer may see).
 */
export function readBuckets(
  db: Db,
  deviceId: string,
  property: string,
  from: number,
  to: number,
  bucketMs: number,
  since = from,
) {
  return prepared(
    db,
    `SELECT CAST((ts - ?) / ? AS INTEGER) AS bucket, min(num) AS min, max(num) AS max, avg(num) AS avg, count(*) AS count
       FROM telemetry WHERE device_id = ? AND property = ? AND ts >= ? AND ts < ?
       GROUP BY bucket ORDER BY bucket`,
  ).all(from, bucketMs, deviceId, property, since, to) as HistoryBucket[];
}

export interface EventRow {
  readonly event: string;
  readonly ts: number;
  readonly device_ts: number | null;
  readonly seq: number;
  readonly arguments: string;
}

export function readEvents(db: Db, deviceId: string, from: number, to: number, limit: number) {
  return prepared(
    db,
    `SELECT event, ts, device_ts, seq, arguments FROM device_events WHERE device_id = ? AND ts >= ? AND ts < ?
       ORDER BY ts LIMIT ?`,
  ).all(deviceId, from, to, limit) as EventRow[];
}
