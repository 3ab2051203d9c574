import type { Queryable } from '../store/engine.js';
import type { PageKey } from '../store/page.js';
import { sql } from '../store/sql.js';

export type ReleaseStage = 'linked' | 'beta' | 'stable';

export interface ReleaseLinkRow {
  readonly post_id: string;
  readonly release_id: string;
  readonly model_id: string;
  readonly version: string;
  readonly stage: ReleaseStage;
  readonly linked_at: number;
  readonly linked_by: string;
}

const LINK_COLUMNS = sql.raw('post_id, release_id, model_id, version, stage, linked_at, linked_by');

/** False when the post was linked to the release already. */
export async function insertLink(db: Queryable, row: ReleaseLinkRow): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO community_release_links (post_id, release_id, model_id, version, stage, linked_at, linked_by)
        VALUES (${row.post_id}, ${row.release_id}, ${row.model_id}, ${row.version}, ${row.stage}, ${row.linked_at},
          ${row.linked_by})
        ON CONFLICT (post_id, release_id) DO NOTHING`,
  );
  return changes === 1;
}

export function linksOfRelease(db: Queryable, releaseId: string): Promise<ReleaseLinkRow[]> {
  return db.many<ReleaseLinkRow>(
    sql`SELECT ${LINK_COLUMNS} FROM community_release_links WHERE release_id = ${releaseId} ORDER BY post_id`,
  );
}

/** A page of a post's links in the order they were made (`LIMIT limit + 1`: the extra row says more follow). */
export function linksOfPost(
  db: Queryable,
  postId: string,
  page: { readonly after?: PageKey | undefined; readonly limit: number },
): Promise<ReleaseLinkRow[]> {
  const after =
    page.after === undefined
      ? sql.empty
      : sql`AND (linked_at > ${Number(page.after[0])} OR (linked_at = ${Number(page.after[0])} AND release_id > ${String(page.after[1])}))`;
  return db.many<ReleaseLinkRow>(
    sql`SELECT ${LINK_COLUMNS} FROM community_release_links WHERE post_id = ${postId} ${after}
        ORDER BY linked_at, release_id LIMIT ${page.limit + 1}`,
  );
}

/** Links whose firmware version a device of the model now reports. */
export function linksOfVersion(db: Queryable, modelId: string, version: string): Promise<ReleaseLinkRow[]> {
  return db.many<ReleaseLinkRow>(
    sql`SELECT ${LINK_COLUMNS} FROM community_release_links
        WHERE model_id = ${modelId} AND version = ${version} ORDER BY post_id`,
  );
}

/** The release moved on (beta, stable): every link to it says so. */
export async function setStage(db: Queryable, releaseId: string, stage: ReleaseStage): Promise<number> {
  const { changes } = await db.run(
    sql`UPDATE community_release_links SET stage = ${stage} WHERE release_id = ${releaseId} AND stage <> ${stage}`,
  );
  return changes;
}

/** Releases whose links are not on stable yet (for catching up with the firmware channel at start). */
export function pendingReleases(
  db: Queryable,
  limit: number,
): Promise<Array<{ release_id: string; stage: ReleaseStage }>> {
  return db.many(
    sql`SELECT release_id, MAX(stage) AS stage FROM community_release_links WHERE stage <> 'stable'
        GROUP BY release_id ORDER BY release_id LIMIT ${limit}`,
  );
}

/** Merging moves the duplicate's release links to the post it duplicates. */
export async function moveLinks(db: Queryable, from: string, into: string): Promise<void> {
  await db.run(
    sql`UPDATE community_release_links SET post_id = ${into}
        WHERE post_id = ${from} AND release_id NOT IN (
          SELECT release_id FROM community_release_links WHERE post_id = ${into})`,
  );
  await db.run(sql`DELETE FROM community_release_links WHERE post_id = ${from}`);
}

export interface NotificationRow {
  readonly id: string;
  readonly user_id: string;
  readonly dedup_key: string;
  readonly kind: string;
  readonly post_id: string | null;
  readonly body: string;
  readonly created_at: number;
  readonly read_at: number | null;
}

const NOTE_COLUMNS = sql.raw('id, user_id, dedup_key, kind, post_id, body, created_at, read_at');

/** False when the user was told this already (same dedup key): every notice is once-only. */
export async function insertNotification(
  db: Queryable,
  row: Omit<NotificationRow, 'read_at'>,
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO community_notifications (id, user_id, dedup_key, kind, post_id, body, created_at)
        VALUES (${row.id}, ${row.user_id}, ${row.dedup_key}, ${row.kind}, ${row.post_id}, ${row.body}, ${row.created_at})
        ON CONFLICT (user_id, dedup_key) DO NOTHING`,
  );
  return changes === 1;
}

/** The user's inbox, newest first, keyed [created_at, id]. */
export function listNotifications(
  db: Queryable,
  userId: string,
  unreadOnly: boolean,
  after: PageKey | undefined,
  limit: number,
): Promise<NotificationRow[]> {
  return db.many<NotificationRow>(
    sql`SELECT ${NOTE_COLUMNS} FROM community_notifications WHERE user_id = ${userId}
        ${unreadOnly ? sql`AND read_at IS NULL` : sql.empty}
        ${after === undefined ? sql.empty : sql`AND (created_at, id) < (${Number(after[0])}, ${String(after[1])})`}
        ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
  );
}

export async function markRead(db: Queryable, userId: string, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE community_notifications SET read_at = coalesce(read_at, ${at})
        WHERE user_id = ${userId} AND id = ${id}`,
  );
  return changes === 1;
}

export async function countUnread(db: Queryable, userId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM community_notifications WHERE user_id = ${userId} AND read_at IS NULL`,
  );
  return row?.n ?? 0;
}

/** Keeps a user's inbox bounded: read notices past the newest `keep` go. */
export async function pruneRead(db: Queryable, userId: string, keep: number): Promise<void> {
  await db.run(
    sql`DELETE FROM community_notifications WHERE user_id = ${userId} AND read_at IS NOT NULL AND id NOT IN (
          SELECT id FROM community_notifications WHERE user_id = ${userId}
          ORDER BY created_at DESC, id DESC LIMIT ${keep})`,
  );
}

/** Versions of releases on stable that some post is linked to (for the report hot path's cache). */
export async function stableVersions(db: Queryable): Promise<string[]> {
  const rows = await db.many<{ version: string }>(
    sql`SELECT DISTINCT version FROM community_release_links WHERE stage = 'stable' ORDER BY version`,
  );
  return rows.map((r) => r.version);
}

/** Voters whose vote was verified with this device, on posts a stable release of this version addresses. */
export function votersReached(
  db: Queryable,
  deviceId: string,
  version: string,
): Promise<Array<{ post_id: string; user_id: string; release_id: string }>> {
  return db.many(
    sql`SELECT l.post_id, v.user_id, min(l.release_id) AS release_id FROM community_release_links l
        JOIN community_votes v ON v.post_id = l.post_id
        WHERE l.version = ${version} AND l.stage = 'stable' AND v.device_id = ${deviceId}
        GROUP BY l.post_id, v.user_id ORDER BY l.post_id, v.user_id`,
  );
}
