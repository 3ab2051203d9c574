import type { Queryable } from '../../store/engine.js';
import { keyAfter, whereAll } from '../../store/keyset.js';
import type { PageRequest } from '../../store/page.js';
import { type Sql, sql } from '../../store/sql.js';
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

const MODEL_COLUMNS = sql`m.id, m.partner_id, m.category, m.parent_id, m.created_at, p.slug AS partner_slug`;
const SUMMARY_COLUMNS = sql`v.model_id, v.version, v.state, v.created_at, v.updated_at, v.submitted_at,
  v.certified_at, v.certified_by, v.certification_note, v.published_at, v.retired_at`;
const VERSION_COLUMNS = sql`model_id, version, state, document, warnings, created_at, updated_at, submitted_at,
  certified_at, certified_by, certification_note, published_at, retired_at`;

export function findPartnerProfile(db: Queryable, partnerId: string): Promise<PartnerProfile | undefined> {
  return db.one<PartnerProfile>(sql`SELECT slug, categories FROM partners WHERE id = ${partnerId}`);
}

/** False if the id is taken. */
export async function insertModel(db: Queryable, row: Omit<ModelRow, 'partner_slug'>): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO models (id, partner_id, category, parent_id, created_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.category}, ${row.parent_id}, ${row.created_at})
        ON CONFLICT DO NOTHING`,
  );
  return changes === 1;
}

export function findModel(db: Queryable, id: string): Promise<ModelRow | undefined> {
  return db.one<ModelRow>(
    sql`SELECT ${MODEL_COLUMNS} FROM models m JOIN partners p ON p.id = m.partner_id WHERE m.id = ${id}`,
  );
}

/** By model id, keyed by it; `limit + 1` rows. */
export function listModels(db: Queryable, filter: ModelFilter, page: PageRequest): Promise<ModelRow[]> {
  const where: Sql[] = [];
  if (filter.partnerId !== undefined) where.push(sql`m.partner_id = ${filter.partnerId}`);
  if (filter.state !== undefined) {
    where.push(
      sql`EXISTS (SELECT 1 FROM model_versions s WHERE s.model_id = m.id AND s.state = ${filter.state})`,
    );
  }
  if (page.after !== undefined) where.push(sql`m.id > ${String(page.after[0])}`);
  return db.many<ModelRow>(
    sql`SELECT ${MODEL_COLUMNS} FROM models m JOIN partners p ON p.id = m.partner_id ${whereAll(where)}
        ORDER BY m.id LIMIT ${page.limit + 1}`,
  );
}

/** The versions of the given models, in one query. */
export async function versionSummariesFor(
  db: Queryable,
  modelIds: readonly string[],
): Promise<VersionSummaryRow[]> {
  if (modelIds.length === 0) return [];
  return db.many<VersionSummaryRow>(
    sql`SELECT ${SUMMARY_COLUMNS} FROM model_versions v WHERE v.model_id IN (${sql.join(modelIds)})
        ORDER BY v.model_id, v.version`,
  );
}

export function versionSummariesOf(db: Queryable, modelId: string): Promise<VersionSummaryRow[]> {
  return db.many<VersionSummaryRow>(
    sql`SELECT ${SUMMARY_COLUMNS} FROM model_versions v WHERE v.model_id = ${modelId} ORDER BY v.version`,
  );
}

export function findVersion(
  db: Queryable,
  modelId: string,
  version: number,
): Promise<VersionRow | undefined> {
  return db.one<VersionRow>(
    sql`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ${modelId} AND version = ${version}`,
  );
}

export function latestVersion(db: Queryable, modelId: string): Promise<VersionRow | undefined> {
  return db.one<VersionRow>(
    sql`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ${modelId} ORDER BY version DESC LIMIT 1`,
  );
}

/** The highest version now in state `published` (the one the catalog shows). */
export function latestPublished(db: Queryable, modelId: string): Promise<VersionRow | undefined> {
  return db.one<VersionRow>(
    sql`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ${modelId} AND state = 'published'
        ORDER BY version DESC LIMIT 1`,
  );
}

/**
 * A version that was ever published (published or retired since) below `before`: the latest one is
 * the baseline of the add-only rule, the earliest one what every later published version still holds.
 */
export function everPublished(
  db: Queryable,
  modelId: string,
  which: 'latest' | 'earliest',
  before = Number.MAX_SAFE_INTEGER,
): Promise<VersionRow | undefined> {
  const order = sql.raw(which === 'latest' ? 'DESC' : 'ASC');
  return db.one<VersionRow>(
    sql`SELECT ${VERSION_COLUMNS} FROM model_versions
        WHERE model_id = ${modelId} AND version < ${before} AND published_at IS NOT NULL
        ORDER BY version ${order} LIMIT 1`,
  );
}

export async function insertVersion(
  db: Queryable,
  row: { model_id: string; version: number; document: string; warnings: string; created_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO model_versions (model_id, version, state, document, warnings, created_at, updated_at)
        VALUES (${row.model_id}, ${row.version}, 'draft', ${row.document}, ${row.warnings}, ${row.created_at},
          ${row.created_at})`,
  );
}

interface VersionKey {
  readonly model_id: string;
  readonly version: number;
  readonly at: number;
}

async function changed(db: Queryable, query: Sql): Promise<boolean> {
  return (await db.run(query)).changes === 1;
}

/** Each change below is conditional on the state it leaves, so a lost race changes nothing (false). */
export function replaceDraft(
  db: Queryable,
  key: VersionKey & { document: string; warnings: string },
): Promise<boolean> {
  return changed(
    db,
    sql`UPDATE model_versions SET document = ${key.document}, warnings = ${key.warnings}, updated_at = ${key.at}
        WHERE model_id = ${key.model_id} AND version = ${key.version} AND state = 'draft'`,
  );
}

export function submitVersion(db: Queryable, key: VersionKey & { warnings: string }): Promise<boolean> {
  return changed(
    db,
    sql`UPDATE model_versions SET state = 'submitted', warnings = ${key.warnings}, submitted_at = ${key.at},
          updated_at = ${key.at}
        WHERE model_id = ${key.model_id} AND version = ${key.version} AND state = 'draft'`,
  );
}

export function certifyVersion(
  db: Queryable,
  key: VersionKey & { by: string; note: string },
): Promise<boolean> {
  return changed(
    db,
    sql`UPDATE model_versions SET state = 'certified', certified_at = ${key.at}, certified_by = ${key.by},
          certification_note = ${key.note}, updated_at = ${key.at}
        WHERE model_id = ${key.model_id} AND version = ${key.version} AND state = 'submitted'`,
  );
}

export function publishVersion(db: Queryable, key: VersionKey): Promise<boolean> {
  return changed(
    db,
    sql`UPDATE model_versions SET state = 'published', published_at = ${key.at}, updated_at = ${key.at}
        WHERE model_id = ${key.model_id} AND version = ${key.version} AND state = 'certified'`,
  );
}

export function retireVersion(db: Queryable, key: VersionKey): Promise<boolean> {
  return changed(
    db,
    sql`UPDATE model_versions SET state = 'retired', retired_at = ${key.at}, updated_at = ${key.at}
        WHERE model_id = ${key.model_id} AND version = ${key.version} AND state = 'published'`,
  );
}

const CATALOG_SQL = sql`SELECT v.model_id, v.version, m.category, m.parent_id, p.slug AS partner_slug, v.document
  FROM model_versions v JOIN models m ON m.id = v.model_id JOIN partners p ON p.id = m.partner_id
  WHERE v.state = 'published'
    AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.model_id = v.model_id AND w.state = 'published')`;

/** The latest published version of every model (optionally of one category), keyed by model id; `limit + 1` rows. */
export function listCatalog(
  db: Queryable,
  category: string | undefined,
  page: PageRequest,
): Promise<CatalogRow[]> {
  return db.many<CatalogRow>(
    sql`${CATALOG_SQL}
        ${category === undefined ? sql.empty : sql`AND m.category = ${category}`}
        ${page.after === undefined ? sql.empty : sql`AND ${keyAfter(['v.model_id'], page.after)}`}
        ORDER BY v.model_id LIMIT ${page.limit + 1}`,
  );
}

export function findCatalogEntry(db: Queryable, modelId: string): Promise<CatalogRow | undefined> {
  return db.one<CatalogRow>(sql`${CATALOG_SQL} AND v.model_id = ${modelId}`);
}

/** Parses a stored document: it was validated against the spec schema before it was written. */
export function parseStoredSpec(document: string): ModelSpec {
  return JSON.parse(document) as ModelSpec;
}

/**
 * For other modules (device provisioning, the spec cache): one model version with its owner and
 * state, whatever the state; the caller decides which states it accepts.
 */
export async function findModelSpec(
  db: Queryable,
  modelId: string,
  version: number,
): Promise<{ partnerId: string; state: ModelState; spec: ModelSpec } | undefined> {
  const row = await db.one<{ partner_id: string; state: ModelState; document: string }>(
    sql`SELECT m.partner_id, v.state, v.document FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE v.model_id = ${modelId} AND v.version = ${version}`,
  );
  return row && { partnerId: row.partner_id, state: row.state, spec: parseStoredSpec(row.document) };
}
