import { type Db, prepared } from '../../store/database.js';
import { afterClause, type PageRequest } from '../../store/page.js';
import type { ModelSpec } from '../spec/index.js';

/** SQL for `models` and `model_versions` (migration 0030), plus the partner facts the lifecycle reads. */

export const MODEL_STATES = ['draft', 'submitted', 'certified', 'published', 'retired'] as const;
export type ModelState = (typeof MODEL_STATES)[number];

export interface ModelRow {
  readonly id: string;
  readonly partner_id: string;
  readonly category: string;
  readonly parent_id: string | null;
  readonly created_at: number;
  /** From a join with `partners`, not a column. */
  readonly partner_slug: string;
}

/** A version without its document: what listings need. */
export interface VersionSummaryRow {
  readonly model_id: string;
  readonly version: number;
  readonly state: ModelState;
  readonly created_at: number;
  readonly updated_at: number;
  readonly submitted_at: number | null;
  readonly certified_at: number | null;
  readonly certified_by: string | null;
  readonly certification_note: string | null;
  readonly published_at: number | null;
  readonly retired_at: number | null;
}

export interface VersionRow extends VersionSummaryRow {
  /** The model document (JSON), as validated. */
  readonly document: string;
  /** JSON array of the warnings found at the last validation. */
  readonly warnings: string;
}

export interface PartnerProfile {
  readonly slug: string;
  /** JSON array of the category ids the partner applied for. */
  readonly categories: string;
}

export interface ModelFilter {
  readonly partnerId?: string | undefined;
  /** Models having at least one version in this state. */
  readonly state?: ModelState | undefined;
}

export interface CatalogRow {
  readonly model_id: string;
  readonly version: number;
  readonly category: string;
  readonly parent_id: string | null;
  readonly partner_slug: string;
  readonly document: string;
}

const MODEL_COLUMNS = 'm.id, m.partner_id, m.category, m.parent_id, m.created_at, p.slug AS partner_slug';
const SUMMARY_COLUMNS = `v.model_id, v.version, v.state, v.created_at, v.updated_at, v.submitted_at,
  v.certified_at, v.certified_by, v.certification_note, v.published_at, v.retired_at`;

export function findPartnerProfile(db: Db, partnerId: string): PartnerProfile | undefined {
  return prepared(db, 'SELECT slug, categories FROM partners WHERE id = ?').get(partnerId) as
    | PartnerProfile
    | undefined;
}

/** False if the id is taken. */
export function insertModel(db: Db, row: Omit<ModelRow, 'partner_slug'>): boolean {
  const info = prepared(
    db,
    `INSERT INTO models (id, partner_id, category, parent_id, created_at)
       VALUES (@id, @partner_id, @category, @parent_id, @created_at) ON CONFLICT DO NOTHING`,
  ).run(row);
  return info.changes === 1;
}

export function findModel(db: Db, id: string): ModelRow | undefined {
  return prepared(
    db,
    `SELECT ${MODEL_COLUMNS} FROM models m JOIN partners p ON p.id = m.partner_id WHERE m.id = ?`,
  ).get(id) as ModelRow | undefined;
}

function filterSql(filter: ModelFilter): { where: string; params: Record<string, string> } {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.partnerId !== undefined) {
    where.push('m.partner_id = @partnerId');
    params['partnerId'] = filter.partnerId;
  }
  if (filter.state !== undefined) {
    where.push('EXISTS (SELECT 1 FROM model_versions s WHERE s.model_id = m.id AND s.state = @state)');
    params['state'] = filter.state;
  }
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** By model id, keyed by it; `limit + 1` rows. */
export function listModels(db: Db, filter: ModelFilter, page: PageRequest): ModelRow[] {
  const { where, params } = filterSql(filter);
  const after = page.after === undefined ? '' : `${where ? 'AND' : 'WHERE'} m.id > @after`;
  return prepared(
    db,
    `SELECT ${MODEL_COLUMNS} FROM models m JOIN partners p ON p.id = m.partner_id ${where} ${after}
       ORDER BY m.id LIMIT @limit`,
  ).all({
    ...params,
    ...(page.after === undefined ? {} : { after: String(page.after[0]) }),
    limit: page.limit + 1,
  }) as ModelRow[];
}

/** The versions of the given models, in one query. */
export function versionSummariesFor(db: Db, modelIds: readonly string[]): VersionSummaryRow[] {
  if (modelIds.length === 0) return [];
  return db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM model_versions v WHERE v.model_id IN (${modelIds.map(() => '?').join(', ')})
         ORDER BY v.model_id, v.version`,
    )
    .all(...modelIds) as VersionSummaryRow[];
}

export function versionSummariesOf(db: Db, modelId: string): VersionSummaryRow[] {
  return prepared(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM model_versions v WHERE v.model_id = ? ORDER BY v.version`,
  ).all(modelId) as VersionSummaryRow[];
}

export function findVersion(db: Db, modelId: string, version: number): VersionRow | undefined {
  return prepared(db, 'SELECT * FROM model_versions WHERE model_id = ? AND version = ?').get(
    modelId,
    version,
  ) as VersionRow | undefined;
}

export function latestVersion(db: Db, modelId: string): VersionRow | undefined {
  return prepared(db, 'SELECT * FROM model_versions WHERE model_id = ? ORDER BY version DESC LIMIT 1').get(
    modelId,
  ) as VersionRow | undefined;
}

/** The highest version now in state `published` (the one the catalog shows). */
export function latestPublished(db: Db, modelId: string): VersionRow | undefined {
  return prepared(
    db,
    `SELECT * FROM model_versions WHERE model_id = ? AND state = 'published' ORDER BY version DESC LIMIT 1`,
  ).get(modelId) as VersionRow | undefined;
}

/**
 * A version that was ever published (published or retired since) below `before`: the latest one is
 * the baseline of the add-only rule, the earliest one what every later published version still holds.
 */
export function everPublished(
  db: Db,
  modelId: string,
  which: 'latest' | 'earliest',
  before = Number.MAX_SAFE_INTEGER,
): VersionRow | undefined {
  const order = which === 'latest' ? 'DESC' : 'ASC';
  return prepared(
    db,
    `SELECT * FROM model_versions WHERE model_id = ? AND version < ? AND published_at IS NOT NULL
       ORDER BY version ${order} LIMIT 1`,
  ).get(modelId, before) as VersionRow | undefined;
}

export function insertVersion(
  db: Db,
  row: { model_id: string; version: number; document: string; warnings: string; created_at: number },
): void {
  prepared(
    db,
    `INSERT INTO model_versions (model_id, version, state, document, warnings, created_at, updated_at)
     VALUES (@model_id, @version, 'draft', @document, @warnings, @created_at, @created_at)`,
  ).run(row);
}

interface VersionKey {
  readonly model_id: string;
  readonly version: number;
  readonly at: number;
}

/** Each change below is conditional on the state it leaves, so a lost race changes nothing (false). */
export function replaceDraft(db: Db, key: VersionKey & { document: string; warnings: string }): boolean {
  return (
    prepared(
      db,
      `UPDATE model_versions SET document = @document, warnings = @warnings, updated_at = @at
         WHERE model_id = @model_id AND version = @version AND state = 'draft'`,
    ).run(key).changes === 1
  );
}

export function submitVersion(db: Db, key: VersionKey & { warnings: string }): boolean {
  return (
    prepared(
      db,
      `UPDATE model_versions SET state = 'submitted', warnings = @warnings, submitted_at = @at, updated_at = @at
         WHERE model_id = @model_id AND version = @version AND state = 'draft'`,
    ).run(key).changes === 1
  );
}

export function certifyVersion(db: Db, key: VersionKey & { by: string; note: string }): boolean {
  return (
    prepared(
      db,
      `UPDATE model_versions SET state = 'certified', certified_at = @at, certified_by = @by,
           certification_note = @note, updated_at = @at
         WHERE model_id = @model_id AND version = @version AND state = 'submitted'`,
    ).run(key).changes === 1
  );
}

export function publishVersion(db: Db, key: VersionKey): boolean {
  return (
    prepared(
      db,
      `UPDATE model_versions SET state = 'published', published_at = @at, updated_at = @at
         WHERE model_id = @model_id AND version = @version AND state = 'certified'`,
    ).run(key).changes === 1
  );
}

export function retireVersion(db: Db, key: VersionKey): boolean {
  return (
    prepared(
      db,
      `UPDATE model_versions SET state = 'retired', retired_at = @at, updated_at = @at
         WHERE model_id = @model_id AND version = @version AND state = 'published'`,
    ).run(key).changes === 1
  );
}

const CATALOG_SQL = `SELECT v.model_id, v.version, m.category, m.parent_id, p.slug AS partner_slug, v.document
  FROM model_versions v JOIN models m ON m.id = v.model_id JOIN partners p ON p.id = m.partner_id
  WHERE v.state = 'published'
    AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.model_id = v.model_id AND w.state = 'published')`;

/** The latest published version of every model (optionally of one category), keyed by model id; `limit + 1` rows. */
export function listCatalog(db: Db, category: string | undefined, page: PageRequest): CatalogRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (category !== undefined) {
    where.push('m.category = ?');
    args.push(category);
  }
  const after = afterClause(['v.model_id'], page.after);
  if (after) {
    where.push(after.sql);
    args.push(...after.args);
  }
  const clause = where.map((w) => `AND ${w}`).join(' ');
  return prepared(db, `${CATALOG_SQL} ${clause} ORDER BY v.model_id LIMIT ?`).all(
    ...args,
    page.limit + 1,
  ) as CatalogRow[];
}

export function findCatalogEntry(db: Db, modelId: string): CatalogRow | undefined {
  return prepared(db, `${CATALOG_SQL} AND v.model_id = ?`).get(modelId) as CatalogRow | undefined;
}

/** Parses a stored document: it was validated against the spec schema before it was written. */
export function parseStoredSpec(document: string): ModelSpec {
  return JSON.parse(document) as ModelSpec;
}

/**
 * For other modules (device provisioning, the spec cache): one model version with its owner and
 * state, whatever the state; the caller decides which states it accepts.
 */
export function findModelSpec(
  db: Db,
  modelId: string,
  version: number,
): { partnerId: string; state: ModelState; spec: ModelSpec } | undefined {
  const row = prepared(
    db,
    `SELECT m.partner_id, v.state, v.document FROM model_versions v JOIN models m ON m.id = v.model_id
       WHERE v.model_id = ? AND v.version = ?`,
  ).get(modelId, version) as { partner_id: string; state: ModelState; document: string } | undefined;
  return row && { partnerId: row.partner_id, state: row.state, spec: parseStoredSpec(row.document) };
}
