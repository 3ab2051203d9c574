import type { Queryable } from '../store/engine.js';
import { keyAfter, whereAll } from '../store/keyset.js';
import type { PageRequest } from '../store/page.js';
import { type Sql, sql } from '../store/sql.js';

/** SQL for partner applications and partners (the rows an approval turns one into the other). */

export type ApplicationStatus = 'pending' | 'approved' | 'rejected';

export interface ApplicationRow {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contact_email: string;
  readonly website: string;
  /** JSON array of category ids. */
  readonly categories: string;
  readonly status: ApplicationStatus;
  readonly reason: string | null;
  readonly created_at: number;
  readonly decided_at: number | null;
  readonly decided_by: string | null;
  /** The partner created from it (approved applications only); from a join, not a column. */
  readonly partner_id: string | null;
}

export interface PartnerRow {
  readonly id: string;
  readonly slug: string;
  readonly company: string;
  readonly contact_email: string;
  readonly website: string;
  readonly categories: string;
  readonly application_id: string;
  readonly created_at: number;
}

const APPLICATION_COLUMNS = sql`a.id, a.slug, a.company, a.contact_email, a.website, a.categories, a.status,
  a.reason, a.created_at, a.decided_at, a.decided_by, p.id AS partner_id`;
const PARTNER_COLUMNS = sql`id, slug, company, contact_email, website, categories, application_id, created_at`;

/** Inserts a pending application; false if a live (pending or approved) one already holds the slug. */
export async function insertApplication(
  db: Queryable,
  row: Omit<ApplicationRow, 'status' | 'reason' | 'decided_at' | 'decided_by' | 'partner_id'>,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
        VALUES (${row.id}, ${row.slug}, ${row.company}, ${row.contact_email}, ${row.website}, ${row.categories},
          'pending', ${row.created_at})
        ON CONFLICT DO NOTHING`,
  );
  return changes === 1;
}

export function findApplication(db: Queryable, id: string): Promise<ApplicationRow | undefined> {
  return db.one<ApplicationRow>(
    sql`SELECT ${APPLICATION_COLUMNS} FROM partner_applications a
        LEFT JOIN partners p ON p.application_id = a.id WHERE a.id = ${id}`,
  );
}

/** Oldest first (the review queue order), keyed by (created_at, id); `limit + 1` rows. */
export function listApplications(
  db: Queryable,
  status: ApplicationStatus | undefined,
  page: PageRequest,
): Promise<ApplicationRow[]> {
  const where: Sql[] = [];
  if (status !== undefined) where.push(sql`a.status = ${status}`);
  if (page.after) where.push(keyAfter(['a.created_at', 'a.id'], page.after));
  return db.many<ApplicationRow>(
    sql`SELECT ${APPLICATION_COLUMNS} FROM partner_applications a
        LEFT JOIN partners p ON p.application_id = a.id ${whereAll(where)}
        ORDER BY a.created_at, a.id LIMIT ${page.limit + 1}`,
  );
}

/** True if a pending or approved application, or a partner, holds the slug. */
export async function slugTaken(db: Queryable, slug: string): Promise<boolean> {
  const row = await db.one<{ taken: boolean }>(
    sql`SELECT (EXISTS (SELECT 1 FROM partner_applications WHERE slug = ${slug} AND status <> 'rejected')
           OR EXISTS (SELECT 1 FROM partners WHERE slug = ${slug})) AS taken`,
    { booleans: ['taken'] },
  );
  return row?.taken === true;
}

/** Moves a pending application to its decision; false if it was no longer pending. */
export async function decideApplication(
  db: Queryable,
  decision: { id: string; status: 'approved' | 'rejected'; reason: string | null; at: number; by: string },
): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE partner_applications
        SET status = ${decision.status}, reason = ${decision.reason}, decided_at = ${decision.at},
          decided_by = ${decision.by}
        WHERE id = ${decision.id} AND status = 'pending'`,
  );
  return changes === 1;
}

export async function insertPartner(db: Queryable, row: PartnerRow): Promise<void> {
  await db.run(
    sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
        VALUES (${row.id}, ${row.slug}, ${row.company}, ${row.contact_email}, ${row.website}, ${row.categories},
          ${row.application_id}, ${row.created_at})`,
  );
}

export function findPartner(db: Queryable, id: string): Promise<PartnerRow | undefined> {
  return db.one<PartnerRow>(sql`SELECT ${PARTNER_COLUMNS} FROM partners WHERE id = ${id}`);
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listPartners(db: Queryable, page: PageRequest): Promise<PartnerRow[]> {
  return db.many<PartnerRow>(
    sql`SELECT ${PARTNER_COLUMNS} FROM partners
        ${page.after ? sql`WHERE ${keyAfter(['created_at', 'id'], page.after)}` : sql.empty}
        ORDER BY created_at, id LIMIT ${page.limit + 1}`,
  );
}
