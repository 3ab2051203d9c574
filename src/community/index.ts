import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Identity } from '../identity/identity.js';
import type { Engine } from '../store/engine.js';
import { Comments } from './comments.js';
import { type CommunityContext, type CommunityLimits, DEFAULT_COMMUNITY_LIMITS } from './context.js';
import { type Digest, weeklyDigest } from './digest.js';
import { Inbox } from './inbox.js';
import { ReleaseLoop } from './loop.js';
import { CommunityMetrics } from './metrics.js';
import { Moderation } from './moderation.js';
import type { CommunityNotifier, CommunityRegistry, CommunityReleases } from './ports.js';
import { CommunityPosts } from './posts.js';
import { ReleaseReach } from './reach.js';
import { Reports } from './reports.js';
import { BetaTesting } from './testing.js';
import { VoteVerifier } from './verification.js';

export type { CommunityLimits } from './context.js';
export type {
  CommunityNotifier,
  CommunityRegistry,
  CommunityReleases,
  DeviceContext,
  OwnedDevice,
  ReleaseFacts,
} from './ports.js';

export interface CommunityOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly registry: CommunityRegistry;
  /** The firmware releases posts are linked to (issue 14's packages). */
  readonly releases: CommunityReleases;
  readonly notifier: CommunityNotifier;
  readonly metricsRegistry: Registry;
  readonly limits?: Partial<CommunityLimits> | undefined;
}

/** Co-creation (docs/community.md): posts, votes, moderation, release links, inboxes. */
export interface Community {
  readonly posts: CommunityPosts;
  readonly comments: Comments;
  readonly moderation: Moderation;
  /** Users' reports of posts and the moderation queue they make. */
  readonly reports: Reports;
  readonly releases: ReleaseLoop;
  /** Tells each voter when a linked stable release reaches their device (device reports feed it). */
  readonly reach: ReleaseReach;
  readonly inbox: Inbox;
  readonly verifier: VoteVerifier;
  /** Tester credit: releases' beta testing for partners, each user's own credit. */
  readonly testing: BetaTesting;
  digest(caller: Identity, modelId: string, week: number | undefined): Promise<Digest>;
  stop(): Promise<void>;
}

export async function createCommunity(o: CommunityOptions): Promise<Community> {
  const context: CommunityContext = {
    store: o.store,
    log: o.log,
    now: o.now,
    registry: o.registry,
    releases: o.releases,
    notifier: o.notifier,
    limits: { ...DEFAULT_COMMUNITY_LIMITS, ...o.limits },
    metrics: new CommunityMetrics(o.metricsRegistry),
  };
  const releases = new ReleaseLoop(context);
  const reach = new ReleaseReach(context);
  await reach.start();
  const verifier = new VoteVerifier(context);
  return {
    posts: new CommunityPosts(context),
    comments: new Comments(context),
    moderation: new Moderation(context),
    reports: new Reports(context),
    releases,
    reach,
    inbox: new Inbox(context),
    verifier,
    testing: new BetaTesting(context),
    digest: (caller, modelId, week) => weeklyDigest(context, caller, modelId, week),
    async stop() {
      await reach.stop();
      await verifier.idle();
    },
  };
}
