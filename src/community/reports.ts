import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import {
  actorOf,
  type CommunityContext,
  HOUR_MS,
  newId,
  rateLimited,
  requireModerator,
  requireReadable,
  TRENDING_WINDOW_MS,
} from './context.js';
import * as events from './store-events.js';
import * as posts from './store-posts.js';
import * as reports from './store-reports.js';
import { type PostView, postView } from './views.js';

/** Reasons shown per post in the queue (the newest; `reports.open` counts them all). */
export const QUEUE_REASONS = 5;

export interface QueuedPost {
  readonly post: PostView;
  readonly reports: {
    readonly open: number;
    readonly firstAt: string;
    readonly lastAt: string;
    /** The newest open reports' reasons, newest first; reporters are never named. */
    readonly reasons: ReadonlyArray<{ readonly reason: string; readonly at: string }>;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Reports and the moderation queue: a user flags a post it can read; the model's partner (its
 * models) and the operator (every model) read the queue and resolve it by hiding the post
 * (Moderation.hide) or dismissing the reports.
 */
export class Reports {
  readonly #c: CommunityContext;

  constructor(context: CommunityContext) {
    this.#c = context;
  }

  /** Files (or reopens) the caller's report of a post; the reason replaces an earlier one. */
  async report(caller: Identity, postId: string, reason: string): Promise<{ open: number }> {
    const c = this.#c;
    if (caller.kind !== 'user') {
      throw new HubError('FORBIDDEN', 'reports are filed by users; moderators hide the post instead');
    }
    const post = requireReadable(caller, await posts.postRow(c.store, postId), postId);
    if (post.hidden_at !== null) throw new HubError('INVALID_STATE', 'the post is hidden already');
    const at = c.now();
    const open = await c.store.transaction(async (tx) => {
      if ((await reports.countReportsSince(tx, caller.userId, at - HOUR_MS)) >= c.limits.reportsPerHour) {
        c.metrics.refused.inc({ reason: 'rate-limited' });
        throw rateLimited('reports', c.limits.reportsPerHour);
      }
      await reports.upsertReport(tx, postId, caller.userId, reason, at);
      return reports.openReportCount(tx, postId);
    });
    c.metrics.moderation.inc({ action: 'report' });
    c.log.info({ postId, open }, 'post reported');
    return { open };
  }

  /** Posts with open reports, most reported first (a partner: its models' posts; the operator: all). */
  async queue(caller: Identity, page: PageRequest): Promise<Page<QueuedPost>> {
    const c = this.#c;
    if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'the moderation queue is for moderators');
    const rows = await reports.queue(c.store, {
      partnerId: caller.kind === 'partner' ? caller.partnerId : undefined,
      trendingSince: c.now() - TRENDING_WINDOW_MS,
      after: page.after,
      limit: page.limit + 1,
    });
    const reasons = await reports.openReasons(
      c.store,
      rows.slice(0, page.limit).map((r) => r.id),
      QUEUE_REASONS,
    );
    return pageOf(
      rows,
      page.limit,
      (r) => [r.open_reports, r.last_reported_at, r.id],
      (r) => ({
        post: postView(r, {}),
        reports: {
          open: r.open_reports,
          firstAt: iso(r.first_reported_at),
          lastAt: iso(r.last_reported_at),
          reasons: reasons
            .filter((x) => x.post_id === r.id)
            .map((x) => ({ reason: x.reason, at: iso(x.created_at) })),
        },
      }),
    );
  }

  /** Keeps the post as it is and closes its open reports, with the moderator's reason (history). */
  async dismiss(caller: Identity, postId: string, reason: string): Promise<{ dismissed: number }> {
    const c = this.#c;
    const post = requireModerator(caller, await posts.postRow(c.store, postId), postId);
    const at = c.now();
    const dismissed = await c.store.transaction(async (tx) => {
      const n = await reports.resolveReports(tx, postId, 'dismissed', at);
      if (n === 0) return 0;
      await events.insertPostEvent(tx, {
        id: newId('pev'),
        post_id: postId,
        model_id: post.model_id,
        kind: 'reports-dismissed',
        from_status: null,
        to_status: null,
        note: reason,
        actor: actorOf(caller),
        at,
      });
      return n;
    });
    if (dismissed > 0) c.metrics.moderation.inc({ action: 'dismiss-reports' });
    return { dismissed };
  }
}
