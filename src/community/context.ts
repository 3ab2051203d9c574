import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import type { CommunityMetrics } from './metrics.js';
import type { CommunityNotifier, CommunityRegistry, CommunityReleases } from './ports.js';
import type { PostRow } from './store-posts.js';

/** Per-user limits, counted in the database over the last hour (so they survive a restart). */
export interface CommunityLimits {
  readonly postsPerHour: number;
  readonly commentsPerHour: number;
  readonly votesPerHour: number;
  readonly reportsPerHour: number;
}

export const DEFAULT_COMMUNITY_LIMITS: CommunityLimits = {
  postsPerHour: 10,
  commentsPerHour: 60,
  votesPerHour: 200,
  reportsPerHour: 30,
};

/** What every part of the community module shares. */
export interface CommunityContext {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly registry: CommunityRegistry;
  readonly releases: CommunityReleases;
  readonly notifier: CommunityNotifier;
  readonly limits: CommunityLimits;
  readonly metrics: CommunityMetrics;
}

export const TRENDING_WINDOW_MS = 7 * 86_400_000;
export const HOUR_MS = 3_600_000;

/**
 * `{prefix}_` and 32 hex characters: the monotonic clock first, so ids made in one process sort in
 * the order they were made (events of one millisecond list in order), then 64 random bits.
 */
export function newId(prefix: string): string {
  const clock = (process.hrtime.bigint() & 0xffff_ffff_ffff_ffffn).toString(16).padStart(16, '0');
  return `${prefix}_${clock}${randomBytes(8).toString('hex')}`;
}

/** Who did something, as post events record it: kind and id (only the kind is shown). */
export function actorOf(caller: Identity | 'hub'): string {
  if (caller === 'hub') return 'hub';
  if (caller.kind === 'user') return `user:${caller.userId}`;
  if (caller.kind === 'partner') return `partner:${caller.partnerId}`;
  return `operator:${caller.tokenId}`;
}

/**
 * Whether the caller may read the post: users read every post that is not hidden (and their own
 * hidden ones); a partner reads its own models' posts; the operator every post. Else NOT_FOUND.
 */
export function requireReadable<T extends PostRow>(caller: Identity, post: T | undefined, postId: string): T {
  const readable =
    post !== undefined &&
    (caller.kind === 'operator' ||
      (caller.kind === 'partner' && post.partner_id === caller.partnerId) ||
      (caller.kind === 'user' && (post.hidden_at === null || post.author_id === caller.userId)));
  if (!readable) throw new HubError('NOT_FOUND', `post ${postId} not found`);
  return post;
}

/** Moderators: the model's partner and the operator. Users get 403; other partners 404 (not theirs). */
export function requireModerator<T extends PostRow>(
  caller: Identity,
  post: T | undefined,
  postId: string,
): T {
  const found = requireReadable(caller, post, postId);
  if (caller.kind === 'user') {
    throw new HubError('FORBIDDEN', "only the model's partner or the operator may moderate posts");
  }
  return found;
}

export function rateLimited(what: string, perHour: number): HubError {
  return new HubError('RATE_LIMITED', `at most ${perHour} ${what} per hour; try again later`, {
    headers: { 'retry-after': '60' },
  });
}
