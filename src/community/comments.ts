import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { type CommunityContext, HOUR_MS, newId, rateLimited, requireReadable } from './context.js';
import { deliver } from './inbox.js';
import { ownedDevices } from './posts.js';
import * as comments from './store-comments.js';
import * as events from './store-events.js';
import * as posts from './store-posts.js';
import { type CommentView, commentView, type PostEventView, postEventView } from './views.js';

/** Comments (owners' and official answers) and a post's history. */
export class Comments {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  /**
   * Users who own or are shared a device of the model comment (with the firmware their device runs,
   * so feedback on a beta counts for it); the model's partner and the operator answer officially,
   * and the post's author hears about an official answer.
   */
  async add(caller: Identity, postId: string, body: string): Promise<CommentView> {
    const c = this.#c;
    const post = requireReadable(caller, await posts.postRow(c.store, postId), postId);
    if (caller.kind === 'partner' && post.partner_id !== caller.partnerId) {
      throw new HubError('NOT_FOUND', `post ${postId} not found`);
    }
    if (post.locked) {
      c.metrics.refused.inc({ reason: 'locked' });
      throw new HubError('POST_LOCKED', 'the post is locked: comments are closed');
    }
    if (post.status === 'duplicate') {
      throw new HubError('INVALID_STATE', `the post was merged into ${post.duplicate_of ?? 'another post'}`);
    }
    let firmware: string | null = null;
    if (caller.kind === 'user') {
      const owned = await ownedDevices(c, caller.userId, post.model_id);
      firmware = owned[0]?.firmwareVersion ?? null;
    }
    const at = c.now();
    const row: comments.CommentRow = {
      id: newId('cmt'),
      post_id: postId,
      author_kind: caller.kind,
      author_id:
        caller.kind === 'user'
          ? caller.userId
          : caller.kind === 'partner'
            ? caller.partnerId
            : caller.tokenId,
      body,
      firmware_version: firmware,
      hidden_reason: null,
      hidden_at: null,
      created_at: at,
    };
    await c.store.transaction(async (tx) => {
      if (
        caller.kind === 'user' &&
        (await comments.countCommentsSince(tx, caller.userId, at - HOUR_MS)) >= c.limits.commentsPerHour
      ) {
        c.metrics.refused.inc({ reason: 'rate-limited' });
        throw rateLimited('comments', c.limits.commentsPerHour);
      }
      await comments.insertComment(tx, row);
    });
    c.metrics.comments.inc();
    if (caller.kind !== 'user') {
      await deliver(c, [
        {
          userId: post.author_id,
          dedupKey: `answered:${row.id}`,
          kind: 'answered',
          postId,
          body: {
            title: `The maker answered “${post.title}”`,
            message: body.length > 280 ? `${body.slice(0, 277)}...` : body,
            data: { modelId: post.model_id, commentId: row.id },
          },
        },
      ]);
    }
    return commentView(row, caller.kind === 'user' ? caller.userId : undefined);
  }

  async list(caller: Identity, postId: string, page: PageRequest): Promise<Page<CommentView>> {
    const c = this.#c;
    requireReadable(caller, await posts.postRow(c.store, postId), postId);
    const moderator = caller.kind !== 'user';
    const rows = await comments.listComments(c.store, postId, moderator, page.after, page.limit + 1);
    const me = caller.kind === 'user' ? caller.userId : undefined;
    return pageOf(
      rows,
      page.limit,
      (r) => [r.created_at, r.id],
      (r) => commentView(r, me),
    );
  }

  async history(caller: Identity, postId: string, page: PageRequest): Promise<Page<PostEventView>> {
    const c = this.#c;
    requireReadable(caller, await posts.postRow(c.store, postId), postId);
    const rows = await events.listPostEvents(c.store, postId, page.after, page.limit + 1);
    return pageOf(rows, page.limit, (r) => [r.at, r.id], postEventView);
  }
}
