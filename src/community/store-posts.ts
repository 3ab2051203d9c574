import type { Queryable } from '../store/engine.js';
import type { PageKey } from '../store/page.js';
import { type Sql, sql } from '../store/sql.js';

export const POST_STATUSES = ['open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];
export type PostKind = 'idea' | 'bug';

export interface PostRow {
  readonly id: string;
  readonly model_id: string;
  readonly partner_id: string;
  readonly author_id: string;
  readonly kind: PostKind;
  readonly title: string;
  readonly body: string;
  readonly status: PostStatus;
  readonly duplicate_of: string | null;
  readonly locked: boolean;
  readonly hidden_reason: string | null;
  readonly hidden_at: number | null;
  readonly attachment: string | null;
  readonly attached_device_id: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** A post with its vote counts, as lists and the detail read it. */
export interface RankedPostRow extends PostRow {
  readonly votes: number;
  readonly verified_votes: number;
  readonly trending_votes: number;
}

export const POST_COLUMNS = sql.raw(
  'p.id, p.model_id, p.partner_id, p.author_id, p.kind, p.title, p.body, p.status, p.duplicate_of, p.locked, ' +
    'p.hidden_reason, p.hidden_at, p.attachment, p.attached_device_id, p.created_at, p.updated_at',
);

/** Vote counts of post p: every vote, verified ones, verified ones since `since` (trending). */
export function countColumns(since: number): Sql {
  return sql`(SELECT count(*) FROM community_votes v WHERE v.post_id = p.id) AS votes,
    (SELECT count(*) FROM community_votes v WHERE v.post_id = p.id AND v.verified) AS verified_votes,
    (SELECT count(*) FROM community_votes v WHERE v.post_id = p.id AND v.verified AND v.created_at >= ${since})
      AS trending_votes`;
}

export async function insertPost(
  db: Queryable,
  row: Omit<PostRow, 'locked' | 'hidden_reason' | 'hidden_at' | 'duplicate_of' | 'status' | 'updated_at'>,
): Promise<void> {
  await db.run(
    sql`INSERT INTO community_posts (id, model_id, partner_id, author_id, kind, title, body, attachment,
          attached_device_id, created_at, updated_at)
        VALUES (${row.id}, ${row.model_id}, ${row.partner_id}, ${row.author_id}, ${row.kind}, ${row.title},
          ${row.body}, ${row.attachment}, ${row.attached_device_id}, ${row.created_at}, ${row.created_at})`,
  );
}

export function findPost(
  db: Queryable,
  id: string,
  trendingSince: number,
): Promise<RankedPostRow | undefined> {
  return db.one<RankedPostRow>(
    sql`SELECT ${POST_COLUMNS}, ${countColumns(trendingSince)} FROM community_posts p WHERE p.id = ${id}`,
  );
}

/** The post row locked for an update (PostgreSQL: FOR UPDATE; SQLite has one writer). */
export function lockPost(db: Queryable, id: string): Promise<PostRow | undefined> {
  return db.one<PostRow>(
    sql`SELECT ${POST_COLUMNS} FROM community_posts p WHERE p.id = ${id}
        ${sql.dialect({ sqlite: sql.empty, postgres: sql`FOR UPDATE` })}`,
  );
}

export type PostSort = 'top' | 'trending' | 'new';

export interface PostFilter {
  readonly modelId?: string | undefined;
  readonly partnerId?: string | undefined;
  readonly authorId?: string | undefined;
  readonly status?: PostStatus | undefined;
  readonly kind?: PostKind | undefined;
  /** Hidden posts are listed for moderators only. */
  readonly includeHidden: boolean;
  /** Moderators: only hidden posts (true) or only shown ones (false). */
  readonly hidden?: boolean | undefined;
  readonly sort: PostSort;
  readonly trendingSince: number;
  readonly after: PageKey | undefined;
  readonly limit: number;
}

/** The sort key of a listed post: [score, created_at, id] (score 0 for 'new'), descending. */
export function postKey(sort: PostSort, row: RankedPostRow): PageKey {
  const score = sort === 'top' ? row.verified_votes : sort === 'trending' ? row.trending_votes : 0;
  return [score, row.created_at, row.id];
}

export function listPosts(db: Queryable, f: PostFilter): Promise<RankedPostRow[]> {
  const where: Sql[] = [sql`1 = 1`];
  if (f.modelId !== undefined) where.push(sql`p.model_id = ${f.modelId}`);
  if (f.partnerId !== undefined) where.push(sql`p.partner_id = ${f.partnerId}`);
  if (f.authorId !== undefined) where.push(sql`p.author_id = ${f.authorId}`);
  if (f.status !== undefined) where.push(sql`p.status = ${f.status}`);
  if (f.kind !== undefined) where.push(sql`p.kind = ${f.kind}`);
  if (!f.includeHidden || f.hidden === false) where.push(sql`p.hidden_at IS NULL`);
  else if (f.hidden === true) where.push(sql`p.hidden_at IS NOT NULL`);
  const score = sql.raw(f.sort === 'top' ? 'verified_votes' : f.sort === 'trending' ? 'trending_votes' : '0');
  const after =
    f.after === undefined
      ? sql.empty
      : sql`WHERE (score, created_at, id) < (${f.after[0] ?? 0}, ${f.after[1] ?? 0}, ${String(f.after[2] ?? '')})`;
  return db.many<RankedPostRow>(
    sql`SELECT * FROM (
          SELECT q.*, ${score} AS score FROM (
            SELECT ${POST_COLUMNS}, ${countColumns(f.trendingSince)} FROM community_posts p
            WHERE ${sql.join(where, ' AND ')}
          ) q
        ) r ${after}
        ORDER BY score DESC, created_at DESC, id DESC LIMIT ${f.limit}`,
  );
}

export async function setStatus(
  db: Queryable,
  id: string,
  status: PostStatus,
  duplicateOf: string | null,
  at: number,
): Promise<void> {
  await db.run(
    sql`UPDATE community_posts SET status = ${status}, duplicate_of = ${duplicateOf}, updated_at = ${at}
        WHERE id = ${id}`,
  );
}

export async function setHidden(db: Queryable, id: string, reason: string | null, at: number): Promise<void> {
  await db.run(
    sql`UPDATE community_posts SET hidden_reason = ${reason}, hidden_at = ${reason === null ? null : at},
          updated_at = ${at} WHERE id = ${id}`,
  );
}

export async function setLocked(db: Queryable, id: string, locked: boolean, at: number): Promise<void> {
  await db.run(sql`UPDATE community_posts SET locked = ${locked}, updated_at = ${at} WHERE id = ${id}`);
}

/** Posts a user wrote since `since`, for the per-user limit that survives a restart. */
export async function countPostsSince(db: Queryable, authorId: string, since: number): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_posts WHERE author_id = ${authorId} AND created_at >= ${since}`,
  );
  return row?.n ?? 0;
}

/** The post without its counts. */
export function postRow(db: Queryable, id: string): Promise<PostRow | undefined> {
  return db.one<PostRow>(sql`SELECT ${POST_COLUMNS} FROM community_posts p WHERE p.id = ${id}`);
}
