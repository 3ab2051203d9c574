import { type Db, prepared } from '../../store/database.js';
import { afterClause, type PageRequest } from '../../store/page.js';

export interface DeviceRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly model_version: number;
  readonly batch_id: string;
  readonly secret_hash: Buffer;
  readonly blocked: number;
  readonly created_at: number;
  readonly firmware_version: string | null;
  readonly online: number;
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

/** A model version with its owner and state, as provisioning and the spec cache need it. */
export function findModelVersion(db: Db, modelId: string, version: number): ModelVersionRef | undefined {
  return prepared(
    db,
    `SELECT m.partner_id, v.state, v.document FROM model_versions v JOIN models m ON m.id = v.model_id
       WHERE v.model_id = ? AND v.version = ?`,
  ).get(modelId, version) as ModelVersionRef | undefined;
}

export function insertBatch(db: Db, row: BatchRow): void {
  prepared(
    db,
    `INSERT INTO device_batches (id, partner_id, model_id, model_version, size, label, created_at)
     VALUES (@id, @partner_id, @model_id, @model_version, @size, @label, @created_at)`,
  ).run(row);
}

/** Prepared once per batch: provisioning inserts up to 100,000 rows in one transaction. */
export function deviceInserter(db: Db) {
  const stmt = prepared(
    db,
    `INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, pairing_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return (d: {
    id: string;
    partnerId: string;
    modelId: string;
    modelVersion: number;
    batchId: string;
    secretHash: Buffer;
    pairingHash: Buffer;
    createdAt: number;
  }) => {
    stmt.run(
      d.id,
      d.partnerId,
      d.modelId,
      d.modelVersion,
      d.batchId,
      d.secretHash,
      d.pairingHash,
      d.createdAt,
    );
  };
}

export function findDevice(db: Db, id: string): DeviceRow | undefined {
  return prepared(db, 'SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
}

export function findBatch(db: Db, id: string): BatchRow | undefined {
  return prepared(db, 'SELECT * FROM device_batches WHERE id = ?').get(id) as BatchRow | undefined;
}

/** Newest first, keyed by (created_at, id); `limit + 1` rows. */
export function listBatches(db: Db, partnerId: string | undefined, page: PageRequest): BatchRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (partnerId !== undefined) {
    where.push('partner_id = ?');
    args.push(partnerId);
  }
  const after = afterClause(['created_at', 'id'], page.after, 'desc');
  if (after) {
    where.push(after.sql);
    args.push(...after.args);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return prepared(db, `SELECT * FROM device_batches ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`).all(
    ...args,
    page.limit + 1,
  ) as BatchRow[];
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

export function listDevices(db: Db, f: DeviceFilter): DeviceRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.partnerId !== undefined) {
    where.push('partner_id = ?');
    args.push(f.partnerId);
  }
  if (f.modelId !== undefined) {
    where.push('model_id = ?');
    args.push(f.modelId);
  }
  if (f.batchId !== undefined) {
    where.push('batch_id = ?');
    args.push(f.batchId);
  }
  if (f.online !== undefined) {
    where.push('online = ?');
    args.push(f.online ? 1 : 0);
  }
  if (f.after !== undefined) {
    where.push('id > ?');
    args.push(f.after);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return prepared(db, `SELECT * FROM devices ${clause} ORDER BY id LIMIT ?`).all(
    ...args,
    f.limit,
  ) as DeviceRow[];
}

export function setBlocked(db: Db, id: string, blocked: boolean): void {
  prepared(db, 'UPDATE devices SET blocked = ? WHERE id = ?').run(blocked ? 1 : 0, id);
}

export function setSecretHash(db: Db, id: string, hash: Buffer): void {
  prepared(db, 'UPDATE devices SET secret_hash = ? WHERE id = ?').run(hash, id);
}

export function markOnline(db: Db, id: string, at: number): void {
  prepared(
    db,
    `UPDATE devices SET online = 1, connected_at = ?, last_seen_at = ?, connection_count = connection_count + 1
     WHERE id = ?`,
  ).run(at, at, id);
}

export function markOffline(db: Db, id: string, at: number): void {
  prepared(db, 'UPDATE devices SET online = 0, last_seen_at = ? WHERE id = ?').run(at, id);
}

/** On start no device is connected, whatever the file says (the last run may have been killed). */
export function markAllOffline(db: Db): number {
  return prepared(db, 'UPDATE devices SET online = 0 WHERE online = 1').run().changes;
}

export interface ShadowRow {
  readonly property: string;
  readonly value: string;
  readonly reported_at: number;
  readonly version: number;
}

export function readShadow(db: Db, id: string): ShadowRow[] {
  return prepared(
    db,
    'SELECT property, value, reported_at, version FROM device_shadow WHERE device_id = ? ORDER BY property',
  ).all(id) as ShadowRow[];
}
