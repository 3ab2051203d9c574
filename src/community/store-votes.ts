import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

export interface VoteRow {
  readonly post_id: string;
  readonly user_id: string;
  readonly created_at: number;
  readonly verified: boolean;
  readonly device_id: string | null;
  readonly owned_since: number | null;
}

/** What the registry said about the voter when the vote was cast or last re-checked. */
export interface Verification {
  readonly verified: boolean;
  readonly deviceId: string | null;
  readonly ownedSince: number | null;
}

/** False when the user had voted on the post already (one vote per user per post: the primary key). */
export async function insertVote(
  db: Queryable,
  postId: string,
  userId: string,
  at: number,
  v: Verification,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO community_votes (post_id, user_id, created_at, verified, device_id, owned_since)
        VALUES (${postId}, ${userId}, ${at}, ${v.verified}, ${v.deviceId}, ${v.ownedSince})
        ON CONFLICT (post_id, user_id) DO NOTHING`,
  );
  return changes === 1;
}

export async function deleteVote(db: Queryable, postId: string, userId: string): Promise<boolean> {
  const { changes } = await db.run(
    sql`DELETE FROM community_votes WHERE post_id = ${postId} AND user_id = ${userId}`,
  );
  return changes === 1;
}

export function findVote(db: Queryable, postId: string, userId: string): Promise<VoteRow | undefined> {
  return db.one<VoteRow>(
    sql`SELECT post_id, user_id, created_at, verified, device_id, owned_since FROM community_votes
        WHERE post_id = ${postId} AND user_id = ${userId}`,
  );
}

/** Which of these posts the user voted on. */
export async function votedAmong(
  db: Queryable,
  userId: string,
  postIds: readonly string[],
): Promise<Set<string>> {
  if (postIds.length === 0) return new Set();
  const rows = await db.many<{ post_id: string }>(
    sql`SELECT post_id FROM community_votes WHERE user_id = ${userId} AND post_id IN (${sql.join(postIds)})`,
  );
  return new Set(rows.map((r) => r.post_id));
}

/**
 * Moves the votes of `from` onto `into` (a merge): a voter of both keeps the older of the two
 * votes, counted once. Returns how many votes moved.
 */
export async function moveVotes(db: Queryable, from: string, into: string): Promise<number> {
  // Keep the earlier vote of a user who voted on both: it says since when they wanted it.
  await db.run(
    sql`UPDATE community_votes SET created_at = (
          SELECT min(o.created_at) FROM community_votes o WHERE o.user_id = community_votes.user_id
            AND o.post_id IN (${from}, ${into}))
        WHERE post_id = ${into} AND user_id IN (SELECT user_id FROM community_votes WHERE post_id = ${from})`,
  );
  const { changes } = await db.run(
    sql`UPDATE community_votes SET post_id = ${into}
        WHERE post_id = ${from} AND user_id NOT IN (SELECT user_id FROM community_votes WHERE post_id = ${into})`,
  );
  await db.run(sql`DELETE FROM community_votes WHERE post_id = ${from}`);
  return changes;
}

/** The models of the posts a user voted on, for re-checking the user's votes after an access change. */
export async function votedModels(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db.many<{ model_id: string }>(
    sql`SELECT DISTINCT p.model_id FROM community_votes v JOIN community_posts p ON p.id = v.post_id
        WHERE v.user_id = ${userId} ORDER BY p.model_id`,
  );
  return rows.map((r) => r.model_id);
}

/** Sets the verification of every vote of the user on posts of the model; returns how many changed. */
export async function reverify(
  db: Queryable,
  userId: string,
  modelId: string,
  v: Verification,
): Promise<number> {
  const { changes } = await db.run(
    sql`UPDATE community_votes SET verified = ${v.verified}, device_id = ${v.deviceId}, owned_since = ${v.ownedSince}
        WHERE user_id = ${userId}
          AND post_id IN (SELECT id FROM community_posts WHERE model_id = ${modelId})
          AND (verified <> ${v.verified} OR device_id IS DISTINCT FROM ${v.deviceId}
               OR owned_since IS DISTINCT FROM ${v.ownedSince})`,
  );
  return changes;
}

export interface TenureCounts {
  readonly under_30_days: number;
  readonly days_30_to_365: number;
  readonly over_365_days: number;
}

/** Verified votes of a post by how long the voter has had the device at `now`. */
export async function tenureCounts(db: Queryable, postId: string, now: number): Promise<TenureCounts> {
  const month = now - 30 * 86_400_000;
  const year = now - 365 * 86_400_000;
  const row = await db.one<TenureCounts>(
    sql`SELECT
          coalesce(sum(CASE WHEN owned_since > ${month} THEN 1 ELSE 0 END), 0) AS under_30_days,
          coalesce(sum(CASE WHEN owned_since <= ${month} AND owned_since > ${year} THEN 1 ELSE 0 END), 0)
            AS days_30_to_365,
          coalesce(sum(CASE WHEN owned_since <= ${year} THEN 1 ELSE 0 END), 0) AS over_365_days
        FROM community_votes WHERE post_id = ${postId} AND verified`,
  );
  return row ?? { under_30_days: 0, days_30_to_365: 0, over_365_days: 0 };
}

/** The devices behind a post's verified votes (at most `limit`), to ask the registry how active they are. */
export async function verifiedDevices(db: Queryable, postId: string, limit: number): Promise<string[]> {
  const rows = await db.many<{ device_id: string }>(
    sql`SELECT device_id FROM community_votes WHERE post_id = ${postId} AND verified AND device_id IS NOT NULL
        ORDER BY created_at LIMIT ${limit}`,
  );
  return rows.map((r) => r.device_id);
}

/** Every voter of the posts, once each (a page of them: `after` is the last user id seen). */
export async function votersOf(
  db: Queryable,
  postIds: readonly string[],
  after: string,
  limit: number,
): Promise<Array<{ user_id: string; post_id: string }>> {
  if (postIds.length === 0) return [];
  return db.many(
    sql`SELECT user_id, min(post_id) AS post_id FROM community_votes
        WHERE post_id IN (${sql.join(postIds)}) AND user_id > ${after}
        GROUP BY user_id ORDER BY user_id LIMIT ${limit}`,
  );
}

/** Votes cast on the model's posts in [from, to), for the digest. */
export async function countVotesBetween(
  db: Queryable,
  modelId: string,
  from: number,
  to: number,
): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_votes v JOIN community_posts p ON p.id = v.post_id
        WHERE p.model_id = ${modelId} AND v.created_at >= ${from} AND v.created_at < ${to}`,
  );
  return row?.n ?? 0;
}

/** Votes the user cast since `since` (the hourly limit survives a restart). */
export async function countVotesSince(db: Queryable, userId: string, since: number): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_votes WHERE user_id = ${userId} AND created_at >= ${since}`,
  );
  return row?.n ?? 0;
}

/** Every voter of one post (page through with `after`, the last user id seen). */
export async function voterIds(
  db: Queryable,
  postId: string,
  after: string,
  limit: number,
): Promise<string[]> {
  const rows = await db.many<{ user_id: string }>(
    sql`SELECT user_id FROM community_votes WHERE post_id = ${postId} AND user_id > ${after}
        ORDER BY user_id LIMIT ${limit}`,
  );
  return rows.map((r) => r.user_id);
}
