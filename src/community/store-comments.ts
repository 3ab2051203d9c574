import type { Queryable } from '../store/engine.js';
import type { PageKey } from '../store/page.js';
import { sql } from '../store/sql.js';

export type AuthorKind = 'user' | 'partner' | 'operator';

export interface CommentRow {
  readonly id: string;
  readonly post_id: string;
  readonly author_kind: AuthorKind;
  readonly author_id: string;
  readonly body: string;
  readonly firmware_version: string | null;
  readonly hidden_reason: string | null;
  readonly hidden_at: number | null;
  readonly created_at: number;
}

const COLUMNS = sql.raw(
  'id, post_id, author_kind, author_id, body, firmware_version, hidden_reason, hidden_at, created_at',
);

export async function insertComment(
  db: Queryable,
  row: Omit<CommentRow, 'hidden_reason' | 'hidden_at'>,
): Promise<void> {
  await db.run(
    sql`INSERT INTO community_comments (id, post_id, author_kind, author_id, body, firmware_version, created_at)
        VALUES (${row.id}, ${row.post_id}, ${row.author_kind}, ${row.author_id}, ${row.body},
          ${row.firmware_version}, ${row.created_at})`,
  );
}

export function findComment(db: Queryable, id: string): Promise<CommentRow | undefined> {
  return db.one<CommentRow>(sql`SELECT ${COLUMNS} FROM community_comments WHERE id = ${id}`);
}

/** A post's comments, oldest first, keyed [created_at, id]. */
export function listComments(
  db: Queryable,
  postId: string,
  includeHidden: boolean,
  after: PageKey | undefined,
  limit: number,
): Promise<CommentRow[]> {
  return db.many<CommentRow>(
    sql`SELECT ${COLUMNS} FROM community_comments WHERE post_id = ${postId}
        ${includeHidden ? sql.empty : sql`AND hidden_at IS NULL`}
        ${after === undefined ? sql.empty : sql`AND (created_at, id) > (${Number(after[0])}, ${String(after[1])})`}
        ORDER BY created_at, id LIMIT ${limit}`,
  );
}

export async function setCommentHidden(
  db: Queryable,
  id: string,
  reason: string | null,
  at: number,
): Promise<void> {
  await db.run(
    sql`UPDATE community_comments SET hidden_reason = ${reason}, hidden_at = ${reason === null ? null : at}
        WHERE id = ${id}`,
  );
}

/** Comments the user wrote since `since` (the hourly limit survives a restart). */
export async function countCommentsSince(db: Queryable, userId: string, since: number): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_comments
        WHERE author_kind = 'user' AND author_id = ${userId} AND created_at >= ${since}`,
  );
  return row?.n ?? 0;
}

/** Merging moves the comments of the duplicate under the post it duplicates. */
export async function moveComments(db: Queryable, from: string, into: string): Promise<void> {
  await db.run(sql`UPDATE community_comments SET post_id = ${into} WHERE post_id = ${from}`);
}

/** Comments on the model's posts carrying a firmware version, per version: beta feedback for tester credit. */
export async function feedbackByVersion(
  db: Queryable,
  modelId: string,
  versions: readonly string[],
): Promise<Map<string, number>> {
  if (versions.length === 0) return new Map();
  const rows = await db.many<{ firmware_version: string; n: number }>(
    sql`SELECT c.firmware_version, count(*) AS n FROM community_comments c
        JOIN community_posts p ON p.id = c.post_id
        WHERE p.model_id = ${modelId} AND c.firmware_version IN (${sql.join(versions)}) AND c.hidden_at IS NULL
        GROUP BY c.firmware_version`,
  );
  return new Map(rows.map((r) => [r.firmware_version, r.n]));
}

/** Owners' comments (not hidden) on the model's posts written from a device running `version`. */
export async function feedbackOfRelease(
  db: Queryable,
  modelId: string,
  version: string,
): Promise<{ comments: number; authors: number }> {
  const row = await db.one<{ comments: number; authors: number }>(
    sql`SELECT count(*) AS comments, count(DISTINCT c.author_id) AS authors FROM community_comments c
        JOIN community_posts p ON p.id = c.post_id
        WHERE p.model_id = ${modelId} AND c.firmware_version = ${version} AND c.author_kind = 'user'
          AND c.hidden_at IS NULL`,
  );
  return { comments: Number(row?.comments ?? 0), authors: Number(row?.authors ?? 0) };
}

/** A user's comments (not hidden) per model and firmware version they were written on. */
export function feedbackOfUser(
  db: Queryable,
  userId: string,
): Promise<Array<{ model_id: string; firmware_version: string; n: number }>> {
  return db.many(
    sql`SELECT p.model_id, c.firmware_version, count(*) AS n FROM community_comments c
        JOIN community_posts p ON p.id = c.post_id
        WHERE c.author_kind = 'user' AND c.author_id = ${userId} AND c.firmware_version IS NOT NULL
          AND c.hidden_at IS NULL
        GROUP BY p.model_id, c.firmware_version`,
  );
}
