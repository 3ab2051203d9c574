import { HubError } from '../errors.js';
import type { Queryable } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { type CommunityContext, newId } from './context.js';
import * as loop from './store-loop.js';
import {
  type NotificationBody,
  type NotificationKind,
  type NotificationView,
  notificationView,
} from './views.js';

/** Read notices kept per user past the newest ones (unread ones are always kept). */
export const INBOX_KEEP = 500;

export interface Notice {
  readonly userId: string;
  /** Once-only key per user: the same notice is never put in an inbox twice. */
  readonly dedupKey: string;
  readonly kind: NotificationKind;
  readonly postId: string | null;
  readonly body: NotificationBody;
}

/**
 * Puts the notices in their users' inboxes inside the caller's transaction; returns those that were
 * new (the others were delivered before), to publish once the transaction committed.
 */
export async function queueNotices(
  tx: Queryable,
  notices: readonly Notice[],
  at: number,
): Promise<loop.NotificationRow[]> {
  const fresh: loop.NotificationRow[] = [];
  for (const n of notices) {
    const row = {
      id: newId('ntf'),
      user_id: n.userId,
      dedup_key: n.dedupKey,
      kind: n.kind,
      post_id: n.postId,
      body: JSON.stringify(n.body),
      created_at: at,
    };
    if (await loop.insertNotification(tx, row)) fresh.push({ ...row, read_at: null });
  }
  return fresh;
}

/** Sends committed notices on each user's MQTT topic and counts them. */
export function publishNotices(c: CommunityContext, rows: readonly loop.NotificationRow[]): void {
  for (const row of rows) {
    c.metrics.notifications.inc({ kind: row.kind });
    c.notifier.toUser(row.user_id, notificationView(row));
  }
}

/** Notices in one transaction per `batch`, published after each commits. */
export async function deliver(c: CommunityContext, notices: readonly Notice[], batch = 500): Promise<number> {
  let delivered = 0;
  for (let i = 0; i < notices.length; i += batch) {
    const part = notices.slice(i, i + batch);
    const fresh = await c.store.transaction((tx) => queueNotices(tx, part, c.now()), { durable: true });
    publishNotices(c, fresh);
    delivered += fresh.length;
  }
  return delivered;
}

/** A user's inbox over REST: `GET /v1/me/notifications`. */
export class Inbox {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  async list(
    userId: string,
    unreadOnly: boolean,
    page: PageRequest,
  ): Promise<Page<NotificationView> & { unread: number }> {
    const rows = await loop.listNotifications(this.#c.store, userId, unreadOnly, page.after, page.limit + 1);
    const unread = await loop.countUnread(this.#c.store, userId);
    return { ...pageOf(rows, page.limit, (r) => [r.created_at, r.id], notificationView), unread };
  }

  async markRead(userId: string, id: string): Promise<void> {
    const c = this.#c;
    if (!(await loop.markRead(c.store, userId, id, c.now()))) {
      throw new HubError('NOT_FOUND', `notification ${id} not found`);
    }
    await loop.pruneRead(c.store, userId, INBOX_KEEP);
  }
}
