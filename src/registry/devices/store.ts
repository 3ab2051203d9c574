import type { Queryable } from '../../store/engine.js';
import { keyAfter, whereAll } from '../../store/keyset.js';
import type { PageRequest } from '../../store/page.js';
import { type Sql, sql } from '../../store/sql.js';

export interface DeviceRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly model_version: number;
  readonly batch_id: string;
  readonly secret_hash: Buffer;
  readonly blocked: boolean;
  readonly created_at: number;
  readonly firmware_version: string | null;
  readonly online: boolean;
  readonly last_seen_at: number | null;
  readonly connected_at: number | null;
  readonly connection_count: number;
  readonly shadow_version: number;
}

export interface BatchRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly model_version: number;
  readonly size: number;
  readonly label: string | null;
  readonly created_at: number;
}

export interface ModelVersionRef {
  readonly partner_id: string;
  readonly state: string;
  readonly document: string;
}

const DEVICE_COLUMNS = sql`id, partner_id, model_id, model_version, batch_id, secret_hash, blocked, created_at,
  firmware_version, online, last_seen_at, connected_at, connection_count, shadow_version`;
const BATCH_COLUMNS = sql`id, partner_id, model_id, model_version, size, label, created_at`;

/** A model version with its owner and state, as provisioning and the spec cache need it. */
export function findModelVersion(
  db: Queryable,
  modelId: string,
  version: number,
): Promise<ModelVersionRef | undefined> {
  return db.one<ModelVersionRef>(
    sql`SELECT m.partner_id, v.state, v.document FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE v.model_id = ${modelId} AND v.version = ${version}`,
  );
}

export async function insertBatch(db: Queryable, row: BatchRow): Promise<void> {
  await db.run(
    sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, label, created_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.model_version}, ${row.size}, ${row.label},
          ${row.created_at})`,
  );
}

export interface NewDevice {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly batchId: string;
  readonly secretHash: Buffer;
  readonly pairingHash: Buffer;
  readonly createdAt: number;
}

/**
 * Rows per INSERT: provisioning writes up to 100,000 devices in one transaction, as multi-row
 * statements (8 parameters a row stays under SQLite's 32,766 and PostgreSQL's 65,535 limits).
 */
const DEVICES_PER_INSERT = 500;

export async function insertDevices(db: Queryable, devices: readonly NewDevice[]): Promise<void> {
  for (let at = 0; at < devices.length; at += DEVICES_PER_INSERT) {
    const rows = devices.slice(at, at + DEVICES_PER_INSERT).map(
      (d) =>
        sql`(${d.id}, ${d.partnerId}, ${d.modelId}, ${d.modelVersion}, ${d.batchId}, ${d.secretHash},
            ${d.pairingHash}, ${d.createdAt})`,
    );
    await db.run(
      sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, pairing_hash, created_at)
          VALUES ${sql.join(rows)}`,
    );
  }
}

export function findDevice(db: Queryable, id: string): Promise<DeviceRow | undefined> {
  return db.one<DeviceRow>(sql`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ${id}`);
}

/** The rows of the given devices, in one query (missing ids are left out). */
export async function findDevices(db: Queryable, ids: readonly string[]): Promise<DeviceRow[]> {
  if (ids.length === 0) return [];
  return db.many<DeviceRow>(sql`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id IN (${sql.join(ids)})`);
}

export function findBatch(db: Queryable, id: string): Promise<BatchRow | undefined> {
  return db.one<BatchRow>(sql`SELECT ${BATCH_COLUMNS} FROM device_batches WHERE id = ${id}`);
}

/** Newest first, keyed by (created_at, id); `limit + 1` rows. */
export function listBatches(
  db: Queryable,
  partnerId: string | undefined,
  page: PageRequest,
): Promise<BatchRow[]> {
  const where: Sql[] = [];
  if (partnerId !== undefined) where.push(sql`partner_id = ${partnerId}`);
  if (page.after !== undefined) where.push(keyAfter(['created_at', 'id'], page.after, 'desc'));
  return db.many<BatchRow>(
    sql`SELECT ${BATCH_COLUMNS} FROM device_batches ${whereAll(where)}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

export interface DeviceFilter {
  readonly partnerId?: string | undefined;
  readonly modelId?: string | undefined;
  readonly batchId?: string | undefined;
  readonly online?: boolean | undefined;
  /** Return devices with id > after (keyset pagination). */
  readonly after?: string | undefined;
  /** Rows to read (a page reads one more than it shows). */
  readonly limit: number;
}

export function listDevices(db: Queryable, f: DeviceFilter): Promise<DeviceRow[]> {
  const where: Sql[] = [];
  if (f.partnerId !== undefined) where.push(sql`partner_id = ${f.partnerId}`);
  if (f.modelId !== undefined) where.push(sql`model_id = ${f.modelId}`);
  if (f.batchId !== undefined) where.push(sql`batch_id = ${f.batchId}`);
  if (f.online !== undefined) where.push(sql`online = ${f.online}`);
  if (f.after !== undefined) where.push(sql`id > ${f.after}`);
  return db.many<DeviceRow>(
    sql`SELECT ${DEVICE_COLUMNS} FROM devices ${whereAll(where)} ORDER BY id LIMIT ${f.limit}`,
  );
}

/**
 * Channel of the device credential caches (directory.ts): the payload is the id of a device whose
 * secret or blocked flag changed, sent at COMMIT to every hub process on the database.
 */
export const DEVICE_CHANGED = 'device_changed';

export async function setBlocked(db: Queryable, id: string, blocked: boolean): Promise<void> {
  await db.run(sql`UPDATE devices SET blocked = ${blocked} WHERE id = ${id}`);
  await db.notify(DEVICE_CHANGED, id);
}

/** The model spec version the device's firmware implements (after a firmware update). False when unchanged. */
export async function setModelVersion(db: Queryable, id: string, version: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE devices SET model_version = ${version} WHERE id = ${id} AND model_version <> ${version}`,
  );
  if (changes === 1) await db.notify(DEVICE_CHANGED, id);
  return changes === 1;
}

export async function setSecretHash(db: Queryable, id: string, hash: Buffer): Promise<void> {
  await db.run(sql`UPDATE devices SET secret_hash = ${hash} WHERE id = ${id}`);
  await db.notify(DEVICE_CHANGED, id);
}

export async function markOnline(db: Queryable, id: string, at: number): Promise<void> {
  await db.run(
    sql`UPDATE devices SET online = ${true}, connected_at = ${at}, last_seen_at = ${at},
          connection_count = connection_count + 1
        WHERE id = ${id}`,
  );
}

/**
 * Only when the device did not connect after `at`: in a cluster, a node's "offline" (its sweep of
 * a dead node's device) may commit after another node's "online" for the same device's reconnect.
 */
export async function markOffline(db: Queryable, id: string, at: number): Promise<void> {
  await db.run(
    sql`UPDATE devices SET online = ${false}, last_seen_at = ${at}
        WHERE id = ${id} AND (connected_at IS NULL OR connected_at <= ${at})`,
  );
}

export interface PresenceChange {
  readonly deviceId: string;
  readonly online: boolean;
  readonly at: number;
}

/** Most rows in one PostgreSQL presence statement: its one JSON parameter stays near 300 KB. */
const PRESENCE_ROWS_PER_STATEMENT = 5000;

/**
 * A batch of presence changes (sorted by device id, each device's changes in the order they
 * happened), with the effect of `markOnline` / `markOffline` applied one change after another.
 * SQLite: one statement per change (in process, no round trip). PostgreSQL: one statement per
 * round of at most 5,000 devices, where round k holds each device's k-th change of the batch (a
 * connect storm is one round; a device that flapped within the batch adds a round). A statement
 * first locks its rows in device id order, as the ingest writer does (telemetry/store.ts
 * readIngestStates), so the two wait for each other instead of deadlocking.
 */
export async function writePresence(db: Queryable, changes: readonly PresenceChange[]): Promise<void> {
  if (db.dialect === 'sqlite') {
    for (const p of changes) {
      if (p.online) await markOnline(db, p.deviceId, p.at);
      else await markOffline(db, p.deviceId, p.at);
    }
    return;
  }
  const rounds: PresenceChange[][] = [];
  const seen = new Map<string, number>();
  for (const p of changes) {
    const k = seen.get(p.deviceId) ?? 0;
    seen.set(p.deviceId, k + 1);
    const round = rounds[k];
    if (round) round.push(p);
    else rounds.push([p]);
  }
  for (const round of rounds) {
    for (let from = 0; from < round.length; from += PRESENCE_ROWS_PER_STATEMENT) {
      const rows = round
        .slice(from, from + PRESENCE_ROWS_PER_STATEMENT)
        .map((p) => ({ id: p.deviceId, online: p.online, at: p.at }));
      // The CTE is MATERIALIZED so it runs (and locks, in id order) whatever plan the join gets; an
      // update joins only rows it already locked. The WHERE is markOffline's guard.
      await db.run(
        sql`WITH v AS (
              SELECT id, online, at FROM jsonb_to_recordset(CAST(${JSON.stringify(rows)} AS jsonb))
                AS r(id text, online boolean, at bigint)
            ), locked AS MATERIALIZED (
              SELECT id FROM devices WHERE id IN (SELECT id FROM v) ORDER BY id FOR NO KEY UPDATE
            )
            UPDATE devices SET online = v.online,
              connected_at = CASE WHEN v.online THEN v.at ELSE devices.connected_at END,
              last_seen_at = v.at,
              connection_count = devices.connection_count + CASE WHEN v.online THEN 1 ELSE 0 END
            FROM v JOIN locked ON locked.id = v.id
            WHERE devices.id = v.id
              AND (v.online OR devices.connected_at IS NULL OR devices.connected_at <= v.at)`,
      );
    }
  }
}

/** On start no device is connected, whatever the database says (the last run may have been killed). */
export async function markAllOffline(db: Queryable): Promise<number> {
  return (await db.run(sql`UPDATE devices SET online = ${false} WHERE online`)).changes;
}

export interface ShadowRow {
  readonly property: string;
  readonly value: string;
  readonly reported_at: number;
  readonly version: number;
}

export function readShadow(db: Queryable, id: string): Promise<ShadowRow[]> {
  return db.many<ShadowRow>(
    sql`SELECT property, value, reported_at, version FROM device_shadow WHERE device_id = ${id} ORDER BY property`,
  );
}
