import type { LocalizedText, ModelSpec } from '../spec/index.js';
import {
  type CatalogRow,
  type ModelRow,
  type ModelState,
  parseStoredSpec,
  type VersionRow,
  type VersionSummaryRow,
} from './store.js';

/** What the API shows of each row: camelCase, ISO dates. */

/** A quality-rule warning kept with a version (warnings never block; errors are refused). */
export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

export interface VersionSummary {
  readonly version: number;
  readonly state: ModelState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly submittedAt: string | null;
  readonly certifiedAt: string | null;
  readonly publishedAt: string | null;
  readonly retiredAt: string | null;
}

export interface ModelView {
  readonly id: string;
  readonly partnerId: string;
  readonly partnerSlug: string;
  readonly category: string;
  readonly parent: string | null;
  readonly createdAt: string;
  readonly versions: VersionSummary[];
}

export interface VersionView extends VersionSummary {
  readonly modelId: string;
  readonly document: ModelSpec;
  readonly warnings: Finding[];
  readonly certificationNote: string | null;
  /** The operator token that certified it; shown to operators only. */
  readonly certifiedBy?: string;
}

export interface CatalogEntry {
  readonly model: string;
  readonly version: number;
  readonly category: string;
  readonly name: LocalizedText;
  readonly icon: string;
  readonly shortName: string;
  readonly partner: string;
  readonly parent: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

export function versionSummary(row: VersionSummaryRow): VersionSummary {
  return {
    version: row.version,
    state: row.state,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    submittedAt: isoOrNull(row.submitted_at),
    certifiedAt: isoOrNull(row.certified_at),
    publishedAt: isoOrNull(row.published_at),
    retiredAt: isoOrNull(row.retired_at),
  };
}

export function modelView(row: ModelRow, versions: readonly VersionSummaryRow[]): ModelView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    partnerSlug: row.partner_slug,
    category: row.category,
    parent: row.parent_id,
    createdAt: iso(row.created_at),
    versions: versions.map(versionSummary),
  };
}

export function versionView(row: VersionRow, options: { showCertifier: boolean }): VersionView {
  const view: VersionView = {
    modelId: row.model_id,
    ...versionSummary(row),
    document: parseStoredSpec(row.document),
    warnings: JSON.parse(row.warnings) as Finding[],
    certificationNote: row.certification_note,
  };
  return options.showCertifier && row.certified_by !== null
    ? { ...view, certifiedBy: row.certified_by }
    : view;
}

export function catalogEntry(row: CatalogRow): CatalogEntry {
  const spec = parseStoredSpec(row.document);
  return {
    model: row.model_id,
    version: row.version,
    category: row.category,
    name: spec.name,
    icon: spec.assets.icon,
    shortName: spec.assets.shortName,
    partner: row.partner_slug,
    parent: row.parent_id,
  };
}
