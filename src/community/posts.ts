import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Page, PageRequest } from '../store/page.js';
import { pageOf } from '../store/page.js';
import {
  type CommunityContext,
  HOUR_MS,
  newId,
  rateLimited,
  requireReadable,
  TRENDING_WINDOW_MS,
} from './context.js';
import type { DeviceContext, OwnedDevice } from './ports.js';
import * as events from './store-events.js';
import * as posts from './store-posts.js';
import * as votes from './store-votes.js';
import { type PostView, postView } from './views.js';

export interface NewPost {
  readonly kind: posts.PostKind;
  readonly title: string;
  readonly body: string;
  /** A bug may carry one of the author's devices' recent state and events, with `consent: true`. */
  readonly attach?: { readonly deviceId: string; readonly consent: boolean } | undefined;
}

export interface PostListQuery {
  readonly sort: posts.PostSort;
  readonly status?: posts.PostStatus | undefined;
  readonly kind?: posts.PostKind | undefined;
  /** Moderators: only hidden posts (true) or only shown ones (false); users never list hidden ones. */
  readonly hidden?: boolean | undefined;
}

/** How much a post's verified votes can be trusted: tenure and activity of the voters' devices. */
export interface VoteBreakdown {
  readonly verified: number;
  readonly unverified: number;
  readonly last7Days: number;
  readonly byOwnership: {
    readonly under30Days: number;
    readonly days30To365: number;
    readonly over365Days: number;
  };
  /** Verified voters' devices seen in the last 7 days, and not; counted over at most ACTIVITY_SAMPLE voters. */
  readonly byActivity: {
    readonly activeLast7Days: number;
    readonly inactive: number;
    readonly sampled: number;
  };
}

export type PostDetail = PostView & { readonly ranking: VoteBreakdown };

/** How many voters' devices one detail asks the registry about. */
export const ACTIVITY_SAMPLE = 5000;

/**
 * Verification: the user's devices of the model as the registry records them, oldest first. The
 * vote or post is refused (NOT_AN_OWNER) without one.
 */
export async function ownedDevices(
  c: CommunityContext,
  userId: string,
  modelId: string,
): Promise<readonly OwnedDevice[]> {
  const owned = await c.registry.devicesOf(userId, modelId);
  if (owned.length === 0) {
    c.metrics.refused.inc({ reason: 'not-owner' });
    throw new HubError(
      'NOT_AN_OWNER',
      `you need a device of ${modelId}, claimed or shared with you, to post, vote or comment on it`,
    );
  }
  return owned;
}

export function verificationOf(owned: readonly OwnedDevice[]): votes.Verification {
  const first = owned[0];
  return first === undefined
    ? { verified: false, deviceId: null, ownedSince: null }
    : { verified: true, deviceId: first.deviceId, ownedSince: first.since };
}

/** Posts, votes and the ranking owners and partners read. */
export class CommunityPosts {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  async create(caller: Identity, modelId: string, input: NewPost): Promise<PostDetail> {
    const c = this.#c;
    if (caller.kind !== 'user')
      throw new HubError('FORBIDDEN', 'posts are written by users who own the model');
    const partnerId = await c.registry.partnerOf(modelId);
    if (partnerId === undefined) throw new HubError('NOT_FOUND', `model ${modelId} not found`);
    const owned = await ownedDevices(c, caller.userId, modelId);
    let attachment: DeviceContext | null = null;
    if (input.attach !== undefined) {
      if (input.kind !== 'bug' || !input.attach.consent) {
        throw new HubError('VALIDATION_FAILED', 'only a bug attaches a device, and only with consent: true', {
          errors: [{ path: '/attach/consent', message: 'must be true, on a bug' }],
        });
      }
      const deviceId = input.attach.deviceId;
      if (!owned.some((d) => d.deviceId === deviceId)) {
        throw new HubError(
          'VALIDATION_FAILED',
          `device ${deviceId} is not one of your devices of ${modelId}`,
          {
            errors: [{ path: '/attach/deviceId', message: 'must be your device of this model' }],
          },
        );
      }
      attachment = await c.registry.context(deviceId);
    }
    const at = c.now();
    const id = newId('post');
    await c.store.transaction(
      async (tx) => {
        if ((await posts.countPostsSince(tx, caller.userId, at - HOUR_MS)) >= c.limits.postsPerHour) {
          c.metrics.refused.inc({ reason: 'rate-limited' });
          throw rateLimited('posts', c.limits.postsPerHour);
        }
        await posts.insertPost(tx, {
          id,
          model_id: modelId,
          partner_id: partnerId,
          author_id: caller.userId,
          kind: input.kind,
          title: input.title,
          body: input.body,
          attachment: attachment === null ? null : JSON.stringify(attachment),
          attached_device_id: attachment?.deviceId ?? null,
          created_at: at,
        });
        // The author wants it too: their vote counts from the start (and can be withdrawn).
        await votes.insertVote(tx, id, caller.userId, at, verificationOf(owned));
        await events.insertPostEvent(tx, {
          id: newId('pev'),
          post_id: id,
          model_id: modelId,
          kind: 'created',
          from_status: null,
          to_status: 'open',
          note: null,
          actor: `user:${caller.userId}`,
          at,
        });
      },
      { durable: true },
    );
    c.metrics.posts.inc({ kind: input.kind });
    c.metrics.votes.inc({ change: 'cast' });
    c.log.info({ postId: id, modelId, kind: input.kind, attached: attachment !== null }, 'post created');
    return this.detail(caller, id);
  }

  async detail(caller: Identity, postId: string): Promise<PostDetail> {
    const c = this.#c;
    const now = c.now();
    const row = requireReadable(
      caller,
      await posts.findPost(c.store, postId, now - TRENDING_WINDOW_MS),
      postId,
    );
    const voted =
      caller.kind === 'user'
        ? (await votes.findVote(c.store, postId, caller.userId)) !== undefined
        : undefined;
    const tenure = await votes.tenureCounts(c.store, postId, now);
    const sample = await votes.verifiedDevices(c.store, postId, ACTIVITY_SAMPLE);
    const seen = await c.registry.lastSeen(sample);
    let active = 0;
    for (const id of sample) if ((seen.get(id) ?? 0) >= now - TRENDING_WINDOW_MS) active++;
    return {
      ...postView(row, {
        ...(caller.kind === 'user' ? { userId: caller.userId } : {}),
        ...(voted === undefined ? {} : { voted }),
      }),
      ranking: {
        verified: row.verified_votes,
        unverified: row.votes - row.verified_votes,
        last7Days: row.trending_votes,
        byOwnership: {
          under30Days: tenure.under_30_days,
          days30To365: tenure.days_30_to_365,
          over365Days: tenure.over_365_days,
        },
        byActivity: { activeLast7Days: active, inactive: sample.length - active, sampled: sample.length },
      },
    };
  }

  /** The device context a bug carries: for its author, the model's partner and the operator. */
  async attachment(caller: Identity, postId: string): Promise<DeviceContext> {
    const row = requireReadable(caller, await posts.postRow(this.#c.store, postId), postId);
    if (caller.kind === 'user' && row.author_id !== caller.userId) {
      throw new HubError('NOT_FOUND', 'the attachment is shown to its author and the model’s partner only');
    }
    if (row.attachment === null) throw new HubError('NOT_FOUND', `post ${postId} has no attachment`);
    return JSON.parse(row.attachment) as DeviceContext;
  }

  /**
   * A model's posts, ranked: `top` by verified votes, `trending` by verified votes of the last 7
   * days, `new` newest first. Users see every model's posts; a partner its own models'.
   */
  async list(
    caller: Identity,
    scope: { modelId?: string | undefined; partnerId?: string | undefined },
    q: PostListQuery,
    page: PageRequest,
  ): Promise<Page<PostView>> {
    const c = this.#c;
    let partnerId = scope.partnerId;
    if (caller.kind === 'partner') {
      if (partnerId !== undefined && partnerId !== caller.partnerId) {
        throw new HubError('NOT_FOUND', `partner ${partnerId} not found`);
      }
      partnerId = caller.partnerId;
    }
    if (scope.modelId !== undefined) {
      const owner = await c.registry.partnerOf(scope.modelId);
      if (owner === undefined || (caller.kind === 'partner' && owner !== caller.partnerId)) {
        throw new HubError('NOT_FOUND', `model ${scope.modelId} not found`);
      }
    }
    const rows = await posts.listPosts(c.store, {
      modelId: scope.modelId,
      partnerId,
      status: q.status,
      kind: q.kind,
      includeHidden: caller.kind !== 'user',
      hidden: q.hidden,
      sort: q.sort,
      trendingSince: c.now() - TRENDING_WINDOW_MS,
      after: page.after,
      limit: page.limit + 1,
    });
    const mine =
      caller.kind === 'user'
        ? await votes.votedAmong(
            c.store,
            caller.userId,
            rows.map((r) => r.id),
          )
        : undefined;
    return pageOf(
      rows,
      page.limit,
      (r) => posts.postKey(q.sort, r),
      (r) =>
        postView(r, caller.kind === 'user' ? { userId: caller.userId, voted: mine?.has(r.id) ?? false } : {}),
    );
  }

  /** One vote per user per post: voting again changes nothing (200 with the post as it is). */
  async vote(caller: Identity, postId: string): Promise<{ post: PostView; changed: boolean }> {
    const c = this.#c;
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'votes are cast by users who own the model');
    const found = requireReadable(caller, await posts.postRow(c.store, postId), postId);
    if (found.locked) {
      c.metrics.refused.inc({ reason: 'locked' });
      throw new HubError('POST_LOCKED', 'the post is locked: votes are closed');
    }
    if (found.status === 'duplicate' && found.duplicate_of !== null) {
      throw new HubError('INVALID_STATE', `the post was merged into ${found.duplicate_of}: vote there`);
    }
    const owned = await ownedDevices(c, caller.userId, found.model_id);
    const at = c.now();
    const changed = await c.store.transaction(async (tx) => {
      if ((await votes.findVote(tx, postId, caller.userId)) !== undefined) return false;
      if ((await votes.countVotesSince(tx, caller.userId, at - HOUR_MS)) >= c.limits.votesPerHour) {
        c.metrics.refused.inc({ reason: 'rate-limited' });
        throw rateLimited('votes', c.limits.votesPerHour);
      }
      return votes.insertVote(tx, postId, caller.userId, at, verificationOf(owned));
    });
    if (changed) c.metrics.votes.inc({ change: 'cast' });
    return { post: await this.detail(caller, postId), changed };
  }

  async withdraw(caller: Identity, postId: string): Promise<PostView> {
    const c = this.#c;
    if (caller.kind !== 'user') throw new HubError('FORBIDDEN', 'votes are cast by users');
    const found = requireReadable(caller, await posts.postRow(c.store, postId), postId);
    if (found.locked) throw new HubError('POST_LOCKED', 'the post is locked: votes are closed');
    const removed = await votes.deleteVote(c.store, postId, caller.userId);
    if (!removed) throw new HubError('NOT_FOUND', 'you have not voted on this post');
    c.metrics.votes.inc({ change: 'withdrawn' });
    return this.detail(caller, postId);
  }
}
