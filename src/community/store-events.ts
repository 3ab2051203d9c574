import type { Queryable } from '../store/engine.js';
import type { PageKey } from '../store/page.js';
import { sql } from '../store/sql.js';

/** What happened to a post: its history and the digest's source. */
export type PostEventKind =
  | 'created'
  | 'status'
  | 'hidden'
  | 'shown'
  | 'locked'
  | 'unlocked'
  | 'merged'
  | 'release-linked'
  | 'reports-dismissed';

export interface PostEventRow {
  readonly id: string;
  readonly post_id: string;
  readonly model_id: string;
  readonly kind: PostEventKind;
  readonly from_status: string | null;
  readonly to_status: string | null;
  readonly note: string | null;
  readonly actor: string;
  readonly at: number;
}

const COLUMNS = sql.raw('id, post_id, model_id, kind, from_status, to_status, note, actor, at');

export async function insertPostEvent(db: Queryable, row: PostEventRow): Promise<void> {
  await db.run(
    sql`INSERT INTO community_post_events (id, post_id, model_id, kind, from_status, to_status, note, actor, at)
        VALUES (${row.id}, ${row.post_id}, ${row.model_id}, ${row.kind}, ${row.from_status}, ${row.to_status},
          ${row.note}, ${row.actor}, ${row.at})`,
  );
}

/** A post's history, oldest first, keyed [at, id]. */
export function listPostEvents(
  db: Queryable,
  postId: string,
  after: PageKey | undefined,
  limit: number,
): Promise<PostEventRow[]> {
  return db.many<PostEventRow>(
    sql`SELECT ${COLUMNS} FROM community_post_events WHERE post_id = ${postId}
        ${after === undefined ? sql.empty : sql`AND (at, id) > (${Number(after[0])}, ${String(after[1])})`}
        ORDER BY at, id LIMIT ${limit}`,
  );
}

/** Everything that happened on the model's posts in [from, to), for the digest (at most `limit`). */
export function modelEventsBetween(
  db: Queryable,
  modelId: string,
  from: number,
  to: number,
  limit: number,
): Promise<PostEventRow[]> {
  return db.many<PostEventRow>(
    sql`SELECT ${COLUMNS} FROM community_post_events
        WHERE model_id = ${modelId} AND at >= ${from} AND at < ${to} ORDER BY at, id LIMIT ${limit}`,
  );
}
