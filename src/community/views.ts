import type { CommentRow } from './store-comments.js';
import type { PostEventRow } from './store-events.js';
import type { NotificationRow, ReleaseLinkRow } from './store-loop.js';
import type { PostKind, PostStatus, RankedPostRow } from './store-posts.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export interface PostView {
  readonly id: string;
  readonly modelId: string;
  readonly kind: PostKind;
  readonly title: string;
  readonly body: string;
  readonly status: PostStatus;
  readonly duplicateOf: string | null;
  readonly locked: boolean;
  readonly hidden: { readonly reason: string; readonly at: string } | null;
  /** Every vote, and the ones from voters the registry says own or are shared a device of the model now. */
  readonly votes: { readonly total: number; readonly verified: number; readonly last7Days: number };
  /** Whether the caller voted (users); null for partners and the operator. */
  readonly voted: boolean | null;
  /** The author is the caller (users); authors are not named to other users. */
  readonly mine: boolean;
  readonly hasAttachment: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function postView(row: RankedPostRow, caller: { userId?: string; voted?: boolean }): PostView {
  return {
    id: row.id,
    modelId: row.model_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    status: row.status,
    duplicateOf: row.duplicate_of,
    locked: row.locked,
    hidden:
      row.hidden_reason === null || row.hidden_at === null
        ? null
        : { reason: row.hidden_reason, at: iso(row.hidden_at) },
    votes: { total: row.votes, verified: row.verified_votes, last7Days: row.trending_votes },
    voted: caller.voted ?? null,
    mine: caller.userId !== undefined && caller.userId === row.author_id,
    hasAttachment: row.attachment !== null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface CommentView {
  readonly id: string;
  readonly postId: string;
  /** 'user' (an owner), 'partner' (the model's maker: an official answer) or 'operator'. */
  readonly authorKind: CommentRow['author_kind'];
  readonly mine: boolean;
  readonly body: string;
  readonly firmwareVersion: string | null;
  readonly hidden: { readonly reason: string; readonly at: string } | null;
  readonly createdAt: string;
}

export function commentView(row: CommentRow, callerId: string | undefined): CommentView {
  return {
    id: row.id,
    postId: row.post_id,
    authorKind: row.author_kind,
    mine: callerId !== undefined && callerId === row.author_id,
    body: row.body,
    firmwareVersion: row.firmware_version,
    hidden:
      row.hidden_reason === null || row.hidden_at === null
        ? null
        : { reason: row.hidden_reason, at: iso(row.hidden_at) },
    createdAt: iso(row.created_at),
  };
}

export interface PostEventView {
  readonly id: string;
  readonly kind: PostEventRow['kind'];
  readonly fromStatus: string | null;
  readonly toStatus: string | null;
  readonly note: string | null;
  /** 'user', 'partner', 'operator' or 'hub' (the loop moved it): who, not which one. */
  readonly actor: string;
  readonly at: string;
}

export function postEventView(row: PostEventRow): PostEventView {
  return {
    id: row.id,
    kind: row.kind,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    note: row.note,
    actor: row.actor.split(':')[0] ?? row.actor,
    at: iso(row.at),
  };
}

export interface ReleaseLinkView {
  readonly postId: string;
  readonly releaseId: string;
  readonly modelId: string;
  readonly version: string;
  readonly linkedAt: string;
}

export function linkView(row: ReleaseLinkRow): ReleaseLinkView {
  return {
    postId: row.post_id,
    releaseId: row.release_id,
    modelId: row.model_id,
    version: row.version,
    linkedAt: iso(row.linked_at),
  };
}

export type NotificationKind = 'status' | 'beta-invitation' | 'shipped' | 'answered';

export interface NotificationView {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly postId: string | null;
  readonly title: string;
  readonly message: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: string;
  readonly readAt: string | null;
}

export interface NotificationBody {
  readonly title: string;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

export function notificationView(row: NotificationRow): NotificationView {
  const body = JSON.parse(row.body) as NotificationBody;
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    postId: row.post_id,
    title: body.title,
    message: body.message,
    data: body.data,
    createdAt: iso(row.created_at),
    readAt: isoOrNull(row.read_at),
  };
}
