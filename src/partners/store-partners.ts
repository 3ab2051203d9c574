import { type Db, prepared } from '../store/database.js';
import { afterClause, type PageRequest } from '../store/page.js';

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

const APPLICATION_COLUMNS = `a.id, a.slug, a.company, a.contact_email, a.website, a.categories, a.status, a.reason,
  a.created_at, a.decided_at, a.decided_by, p.id AS partner_id`;

/** Inserts a pending application; false if a live (pending or approved) one already holds the slug. */
export function insertApplication(
  db: Db,
  row: Omit<ApplicationRow, 'status' | 'reason' | 'decided_at' | 'decided_by' | 'partner_id'>,
): boolean {
  const info = prepared(
    db,
    `INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
       VALUES (@id, @slug, @company, @contact_email, @website, @categories, 'pending', @created_at)
       ON CONFLICT DO NOTHING`,
  ).run(row);
  return info.changes === 1;
}

export function findApplication(db: Db, id: string): ApplicationRow | undefined {
  return prepared(
    db,
    `SELECT ${APPLICATION_COLUMNS} FROM partner_applications a
       LEFT JOIN partners p ON p.application_id = a.id WHERE a.id = ?`,
  ).get(id) as ApplicationRow | undefined;
}

/** Oldest first (the review queue order), keyed by (created_at, id); `limit + 1` rows. */
export function listApplications(
  db: Db,
  status: ApplicationStatus | undefined,
  page: PageRequest,
): ApplicationRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (status !== undefined) {
    where.push('a.status = ?');
    args.push(status);
  }
  const after = afterClause(['a.created_at', 'a.id'], page.after);
  if (after) {
    where.push(after.sql);
    args.push(...after.args);
  }
  return prepared(
    db,
    `SELECT ${APPLICATION_COLUMNS} FROM partner_applications a
       LEFT JOIN partners p ON p.application_id = a.id ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.created_at, a.id LIMIT ?`,
  ).all(...args, page.limit + 1) as ApplicationRow[];
}

/** True if a pending or approved application, or a partner, holds the slug. */
export function slugTaken(db: Db, slug: string): boolean {
  const row = prepared(
    db,
    `SELECT EXISTS (SELECT 1 FROM partner_applications WHERE slug = @slug AND status <> 'rejected')
           OR EXISTS (SELECT 1 FROM partners WHERE slug = @slug) AS taken`,
  ).get({ slug }) as { taken: number };
  return row.taken === 1;
}

/** Moves a pending application to its decision; false if it was no longer pending. */
export function decideApplication(
  db: Db,
  decision: { id: string; status: 'approved' | 'rejected'; reason: string | null; at: number; by: string },
): boolean {
  const info = prepared(
    db,
    `UPDATE partner_applications SET status = @status, reason = @reason, decided_at = @at, decided_by = @by
       WHERE id = @id AND status = 'pending'`,
  ).run(decision);
  return info.changes === 1;
}

export function insertPartner(db: Db, row: PartnerRow): void {
  prepared(
    db,
    `INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
     VALUES (@id, @slug, @company, @contact_email, @website, @categories, @application_id, @created_at)`,
  ).run(row);
}

export function findPartner(db: Db, id: string): PartnerRow | undefined {
  return prepared(db, 'SELECT * FROM partners WHERE id = ?').get(id) as PartnerRow | undefined;
}

/** Oldest first, keyed by (created_at, id); `limit + 1` rows. */
export function listPartners(db: Db, page: PageRequest): PartnerRow[] {
  const after = afterClause(['created_at', 'id'], page.after);
  return prepared(
    db,
    `SELECT * FROM partners ${after ? `WHERE ${after.sql}` : ''} ORDER BY created_at, id LIMIT ?`,
  ).all(...(after?.args ?? []), page.limit + 1) as PartnerRow[];
}
