import type { Queryable } from '../store/engine.js';
import type { PageKey } from '../store/page.js';
import { type Sql, sql } from '../store/sql.js';
import { countColumns, POST_COLUMNS, type RankedPostRow } from './store-posts.js';

export type ReportResolution = 'hidden' | 'dismissed';

/** A post in the moderation queue: its open reports counted, first and last. */
export interface QueuedPostRow extends RankedPostRow {
  readonly open_reports: number;
  readonly first_reported_at: number;
  readonly last_reported_at: number;
}

export interface OpenReasonRow {
  readonly post_id: string;
  readonly reason: string;
  readonly created_at: number;
}

/**
 * Records the user's report of a post; reporting again replaces the reason and reopens a report a
 * moderator resolved. Returns whether the user's report is new or was reopened (a repeat of an
 * open report changes only its reason).
 */
export async function upsertReport(
  db: Queryable,
  postId: string,
  userId: string,
  reason: string,
  at: number,
): Promise<boolean> {
  const before = await db.one<{ resolved_at: number | null }>(
    sql`SELECT resolved_at FROM community_reports WHERE post_id = ${postId} AND user_id = ${userId}`,
  );
  await db.run(
    sql`INSERT INTO community_reports (post_id, user_id, reason, created_at)
        VALUES (${postId}, ${userId}, ${reason}, ${at})
        ON CONFLICT (post_id, user_id) DO UPDATE SET reason = excluded.reason,
          created_at = CASE WHEN community_reports.resolved_at IS NULL THEN community_reports.created_at
            ELSE excluded.created_at END,
          resolution = NULL, resolved_at = NULL`,
  );
  return before === undefined || before.resolved_at !== null;
}

/** Reports a user filed (or reopened) since `since`, for the per-user limit that survives a restart. */
export async function countReportsSince(db: Queryable, userId: string, since: number): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_reports WHERE user_id = ${userId} AND created_at >= ${since}`,
  );
  return row?.n ?? 0;
}

/** Resolves every open report of the post; returns how many. */
export async function resolveReports(
  db: Queryable,
  postId: string,
  resolution: ReportResolution,
  at: number,
): Promise<number> {
  const rows = await db.many<{ user_id: string }>(
    sql`UPDATE community_reports SET resolution = ${resolution}, resolved_at = ${at}
        WHERE post_id = ${postId} AND resolved_at IS NULL RETURNING user_id`,
  );
  return rows.length;
}

export async function openReportCount(db: Queryable, postId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_reports WHERE post_id = ${postId} AND resolved_at IS NULL`,
  );
  return row?.n ?? 0;
}

/**
 * Posts with open reports, most reported first, then most recently reported; a partner's models
 * only when `partnerId` is given. Key: [open_reports, last_reported_at, id], descending.
 */
export function queue(
  db: Queryable,
  f: { partnerId: string | undefined; trendingSince: number; after: PageKey | undefined; limit: number },
): Promise<QueuedPostRow[]> {
  const partner = f.partnerId === undefined ? sql.empty : sql`AND p.partner_id = ${f.partnerId}`;
  const after: Sql =
    f.after === undefined
      ? sql.empty
      : sql`WHERE (open_reports, last_reported_at, id) <
          (${f.after[0] ?? 0}, ${f.after[1] ?? 0}, ${String(f.after[2] ?? '')})`;
  return db.many<QueuedPostRow>(
    sql`SELECT * FROM (
          SELECT ${POST_COLUMNS}, ${countColumns(f.trendingSince)}, r.open_reports, r.first_reported_at,
            r.last_reported_at
          FROM (SELECT post_id, count(*) AS open_reports, min(created_at) AS first_reported_at,
                  max(created_at) AS last_reported_at
                FROM community_reports WHERE resolved_at IS NULL GROUP BY post_id) r
          JOIN community_posts p ON p.id = r.post_id
          WHERE 1 = 1 ${partner}
        ) q ${after}
        ORDER BY open_reports DESC, last_reported_at DESC, id DESC LIMIT ${f.limit}`,
  );
}

/** The newest `perPost` open reasons of each post. */
export function openReasons(
  db: Queryable,
  postIds: readonly string[],
  perPost: number,
): Promise<OpenReasonRow[]> {
  if (postIds.length === 0) return Promise.resolve([]);
  return db.many<OpenReasonRow>(
    sql`SELECT post_id, reason, created_at FROM (
          SELECT post_id, reason, created_at,
            row_number() OVER (PARTITION BY post_id ORDER BY created_at DESC, user_id) AS n
          FROM community_reports WHERE resolved_at IS NULL AND post_id IN (${sql.join(postIds)})
        ) r WHERE n <= ${perPost} ORDER BY post_id, created_at DESC`,
  );
}
