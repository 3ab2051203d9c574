import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Queryable } from '../store/engine.js';
import { actorOf, type CommunityContext, newId, requireModerator } from './context.js';
import { deliver, type Notice } from './inbox.js';
import * as comments from './store-comments.js';
import * as events from './store-events.js';
import * as loop from './store-loop.js';
import * as posts from './store-posts.js';
import * as reports from './store-reports.js';
import * as votes from './store-votes.js';

/** Statuses a moderator sets directly; `duplicate` comes from a merge. */
export type SettableStatus = Exclude<posts.PostStatus, 'duplicate'>;

const VOTER_PAGE = 1000;

/** Every voter of the post, in pages (a post may have many). */
export async function allVoters(db: Queryable, postId: string): Promise<string[]> {
  const out: string[] = [];
  let after = '';
  for (;;) {
    const page = await votes.voterIds(db, postId, after, VOTER_PAGE);
    out.push(...page);
    const last = page.at(-1);
    if (page.length < VOTER_PAGE || last === undefined) return out;
    after = last;
  }
}

const STATUS_WORDS: Record<posts.PostStatus, string> = {
  open: 'is open again',
  planned: 'is planned',
  'in-beta': 'is in beta',
  shipped: 'has shipped',
  declined: 'was declined',
  duplicate: 'was merged into another post',
};

export function statusNotices(
  post: posts.PostRow,
  voters: readonly string[],
  to: posts.PostStatus,
  eventId: string,
  note: string | null,
  extra: Record<string, unknown> = {},
): Notice[] {
  return voters.map((userId) => ({
    userId,
    dedupKey: `status:${post.id}:${eventId}`,
    kind: 'status' as const,
    postId: post.id,
    body: {
      title: `“${post.title}” ${STATUS_WORDS[to]}`,
      message: note ?? `The post you voted for on ${post.model_id} ${STATUS_WORDS[to]}.`,
      data: { modelId: post.model_id, status: to, ...extra },
    },
  }));
}

/** What the model's partner (and the operator, everywhere) may do to posts and comments. */
export class Moderation {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  /** Sets the status; every voter hears about it (inbox + MQTT), once. */
  async setStatus(caller: Identity, postId: string, to: SettableStatus, note: string | null): Promise<void> {
    const c = this.#c;
    requireModerator(caller, await posts.postRow(c.store, postId), postId);
    const at = c.now();
    const eventId = newId('pev');
    const changed = await c.store.transaction(
      async (tx) => {
        const post = await posts.lockPost(tx, postId);
        if (post === undefined) throw new HubError('NOT_FOUND', `post ${postId} not found`);
        if (post.status === 'duplicate') {
          throw new HubError(
            'INVALID_STATE',
            `the post was merged into ${post.duplicate_of ?? 'another post'}`,
          );
        }
        if (post.status === to) return undefined;
        await posts.setStatus(tx, postId, to, null, at);
        await events.insertPostEvent(tx, {
          id: eventId,
          post_id: postId,
          model_id: post.model_id,
          kind: 'status',
          from_status: post.status,
          to_status: to,
          note,
          actor: actorOf(caller),
          at,
        });
        return { post, voters: await allVoters(tx, postId) };
      },
      { durable: true },
    );
    if (changed === undefined) return;
    c.metrics.statusChanges.inc({ status: to });
    c.log.info(
      { postId, from: changed.post.status, to, voters: changed.voters.length },
      'post status changed',
    );
    await deliver(c, statusNotices(changed.post, changed.voters, to, eventId, note));
  }

  /** Hides the post from other users (its author still sees it, with the reason); resolves its reports. */
  async hide(caller: Identity, postId: string, reason: string): Promise<void> {
    await this.#setHidden(caller, postId, reason, reason);
  }

  /** Shows a hidden post again; `note` (why) is kept in its history. */
  async show(caller: Identity, postId: string, note: string | null): Promise<void> {
    await this.#setHidden(caller, postId, null, note);
  }

  async #setHidden(caller: Identity, postId: string, reason: string | null, note: string | null) {
    const c = this.#c;
    const post = requireModerator(caller, await posts.postRow(c.store, postId), postId);
    const at = c.now();
    await c.store.transaction(async (tx) => {
      await posts.setHidden(tx, postId, reason, at);
      // Hiding answers every open report of the post: it leaves the moderation queue.
      if (reason !== null) await reports.resolveReports(tx, postId, 'hidden', at);
      await events.insertPostEvent(tx, {
        id: newId('pev'),
        post_id: postId,
        model_id: post.model_id,
        kind: reason === null ? 'shown' : 'hidden',
        from_status: null,
        to_status: null,
        note,
        actor: actorOf(caller),
        at,
      });
    });
    c.metrics.moderation.inc({ action: reason === null ? 'show' : 'hide' });
  }

  async lock(caller: Identity, postId: string, locked: boolean, note: string | null): Promise<void> {
    const c = this.#c;
    const post = requireModerator(caller, await posts.postRow(c.store, postId), postId);
    const at = c.now();
    await c.store.transaction(async (tx) => {
      await posts.setLocked(tx, postId, locked, at);
      await events.insertPostEvent(tx, {
        id: newId('pev'),
        post_id: postId,
        model_id: post.model_id,
        kind: locked ? 'locked' : 'unlocked',
        from_status: null,
        to_status: null,
        note,
        actor: actorOf(caller),
        at,
      });
    });
    c.metrics.moderation.inc({ action: locked ? 'lock' : 'unlock' });
  }

  async hideComment(caller: Identity, commentId: string, reason: string | null): Promise<void> {
    const c = this.#c;
    const comment = await comments.findComment(c.store, commentId);
    if (comment === undefined) throw new HubError('NOT_FOUND', `comment ${commentId} not found`);
    requireModerator(caller, await posts.postRow(c.store, comment.post_id), comment.post_id);
    await comments.setCommentHidden(c.store, commentId, reason, c.now());
    c.metrics.moderation.inc({ action: reason === null ? 'show-comment' : 'hide-comment' });
  }

  /**
   * Merges `from` into `into` (same model): its votes move over, a voter of both counted once; its
   * comments and release links follow; `from` becomes `duplicate`. Its voters hear where it went.
   */
  async merge(caller: Identity, from: string, into: string): Promise<{ moved: number }> {
    const c = this.#c;
    if (from === into) {
      throw new HubError('VALIDATION_FAILED', 'a post cannot be merged into itself', {
        errors: [{ path: '/into', message: 'must be another post' }],
      });
    }
    const source = requireModerator(caller, await posts.postRow(c.store, from), from);
    const target = requireModerator(caller, await posts.postRow(c.store, into), into);
    if (source.model_id !== target.model_id) {
      throw new HubError('VALIDATION_FAILED', 'posts are merged only within one model', {
        errors: [{ path: '/into', message: `must be a post about ${source.model_id}` }],
      });
    }
    const at = c.now();
    const eventId = newId('pev');
    const result = await c.store.transaction(
      async (tx) => {
        const a = await posts.lockPost(tx, from);
        const b = await posts.lockPost(tx, into);
        if (a === undefined || b === undefined) throw new HubError('NOT_FOUND', 'post not found');
        if (a.status === 'duplicate' || b.status === 'duplicate') {
          throw new HubError(
            'INVALID_STATE',
            'one of the posts was already merged; merge into the surviving post',
          );
        }
        const voters = await allVoters(tx, from);
        const moved = await votes.moveVotes(tx, from, into);
        await comments.moveComments(tx, from, into);
        await loop.moveLinks(tx, from, into);
        await posts.setStatus(tx, from, 'duplicate', into, at);
        const note = `merged into ${into}`;
        const actor = actorOf(caller);
        await events.insertPostEvent(tx, {
          id: eventId,
          post_id: from,
          model_id: a.model_id,
          kind: 'merged',
          from_status: a.status,
          to_status: 'duplicate',
          note,
          actor,
          at,
        });
        await events.insertPostEvent(tx, {
          id: newId('pev'),
          post_id: into,
          model_id: b.model_id,
          kind: 'merged',
          from_status: null,
          to_status: null,
          note: `${from} merged into this post`,
          actor,
          at,
        });
        return { post: a, voters, moved };
      },
      { durable: true, isolation: 'serializable' },
    );
    c.metrics.moderation.inc({ action: 'merge' });
    c.metrics.statusChanges.inc({ status: 'duplicate' });
    c.log.info({ from, into, moved: result.moved }, 'posts merged');
    await deliver(
      c,
      statusNotices(
        result.post,
        result.voters,
        'duplicate',
        eventId,
        `Merged into “${target.title}”: your vote counts there.`,
        {
          duplicateOf: into,
        },
      ),
    );
    return { moved: result.moved };
  }
}
