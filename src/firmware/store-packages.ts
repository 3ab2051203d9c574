import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export type PackageState = 'draft' | 'ready' | 'withdrawn';
export type ReleaseChannel = 'none' | 'beta' | 'stable';

export interface PackageRow {
  readonly id: string;
  readonly partner_id: string;
  readonly model_id: string;
  readonly version: string;
  readonly spec_version: number;
  readonly notes: string;
  readonly state: PackageState;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly manifest: string | null;
  readonly signature: string | null;
  readonly partner_signature: string | null;
  readonly channel: ReleaseChannel;
  readonly beta_at: number | null;
  readonly beta_soak_ms: number | null;
  readonly stable_at: number | null;
  readonly created_at: number;
  readonly ready_at: number | null;
}

const COLUMNS = sql`id, partner_id, model_id, version, spec_version, notes, state, size, sha256, manifest,
  signature, partner_signature, channel, beta_at, beta_soak_ms, stable_at, created_at, ready_at`;

export async function insertPackage(
  db: Queryable,
  row: Pick<
    PackageRow,
    'id' | 'partner_id' | 'model_id' | 'version' | 'spec_version' | 'notes' | 'created_at'
  >,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO firmware_packages (id, partner_id, model_id, version, spec_version, notes, state, created_at)
        VALUES (${row.id}, ${row.partner_id}, ${row.model_id}, ${row.version}, ${row.spec_version},
                ${row.notes}, 'draft', ${row.created_at})
        ON CONFLICT (model_id, version) DO NOTHING`,
  );
  return changes === 1;
}

export function findPackage(db: Queryable, id: string): Promise<PackageRow | undefined> {
  return db.one<PackageRow>(sql`SELECT ${COLUMNS} FROM firmware_packages WHERE id = ${id}`);
}

/** Signs off an uploaded binary: only a draft becomes ready, once. */
export async function markReady(
  db: Queryable,
  id: string,
  fields: {
    size: number;
    sha256: string;
    manifest: string;
    signature: string;
    partnerSignature: string | null;
    at: number;
  },
): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE firmware_packages SET state = 'ready', size = ${fields.size}, sha256 = ${fields.sha256},
          manifest = ${fields.manifest}, signature = ${fields.signature},
          partner_signature = ${fields.partnerSignature}, ready_at = ${fields.at}
        WHERE id = ${id} AND state = 'draft'`,
  );
  return changes === 1;
}

export async function withdraw(db: Queryable, id: string): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE firmware_packages SET state = 'withdrawn' WHERE id = ${id} AND state = 'ready'`,
  );
  return changes === 1;
}

export async function setChannel(
  db: Queryable,
  id: string,
  from: ReleaseChannel,
  to: ReleaseChannel,
  at: number,
  soakMs: number | null = null,
): Promise<boolean> {
  const stamp = to === 'beta' ? sql`beta_at = ${at}, beta_soak_ms = ${soakMs}` : sql`stable_at = ${at}`;
  const { changes } = await db.run(
    sql`UPDATE firmware_packages SET channel = ${to}, ${stamp}
        WHERE id = ${id} AND channel = ${from} AND state = 'ready'`,
  );
  return changes === 1;
}

/** Newest first, keyset-paged on (created_at, id). */
export function listPackages(
  db: Queryable,
  filter: { partnerId?: string | undefined; modelId?: string | undefined; released?: boolean | undefined },
  page: { after?: readonly (string | number)[] | undefined; limit: number },
): Promise<PackageRow[]> {
  const partner = filter.partnerId === undefined ? sql.empty : sql`AND partner_id = ${filter.partnerId}`;
  const model = filter.modelId === undefined ? sql.empty : sql`AND model_id = ${filter.modelId}`;
  // Released: went to beta or stable (no package goes back to channel none).
  const released = filter.released === true ? sql`AND channel <> 'none'` : sql.empty;
  const after =
    page.after === undefined
      ? sql.empty
      : sql`AND (created_at < ${page.after[0] as number} OR (created_at = ${page.after[0] as number} AND id < ${page.after[1] as string}))`;
  return db.many<PackageRow>(
    sql`SELECT ${COLUMNS} FROM firmware_packages WHERE 1 = 1 ${partner} ${model} ${released} ${after}
        ORDER BY created_at DESC, id DESC LIMIT ${page.limit + 1}`,
  );
}

export async function setPartnerSignature(db: Queryable, id: string, json: string): Promise<void> {
  await db.run(sql`UPDATE firmware_packages SET partner_signature = ${json} WHERE id = ${id}`);
}

/** The model's newest release on the beta channel, if any (what a device joining beta gets). */
export function currentBeta(db: Queryable, modelId: string): Promise<PackageRow | undefined> {
  return db.one<PackageRow>(
    sql`SELECT ${COLUMNS} FROM firmware_packages
        WHERE model_id = ${modelId} AND channel = 'beta' AND state = 'ready'
        ORDER BY beta_at DESC, id DESC LIMIT 1`,
  );
}

/** The model's ready releases on these channels, newest released first (bounded: a model ships weekly). */
export function releasesOfModel(
  db: Queryable,
  modelId: string,
  channels: readonly ReleaseChannel[],
): Promise<PackageRow[]> {
  return db.many<PackageRow>(
    sql`SELECT ${COLUMNS} FROM firmware_packages
        WHERE model_id = ${modelId} AND state = 'ready' AND channel IN (${sql.join([...channels])})
        ORDER BY COALESCE(stable_at, beta_at) DESC, id DESC LIMIT 200`,
  );
}
