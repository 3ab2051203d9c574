import { Counter, type Registry } from 'prom-client';

/** Prometheus counters of the community module (docs/community.md, "Metrics"). */
export class CommunityMetrics {
  readonly posts: Counter<'kind'>;
  readonly votes: Counter<'change'>;
  readonly comments: Counter;
  readonly statusChanges: Counter<'status'>;
  readonly moderation: Counter<'action'>;
  readonly notifications: Counter<'kind'>;
  readonly refused: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.posts = new Counter({
      name: 'ecohub_community_posts_total',
      help: 'Posts created, by kind (idea, bug)',
      labelNames: ['kind'],
      registers,
    });
    this.votes = new Counter({
      name: 'ecohub_community_votes_total',
      help: 'Votes cast and withdrawn (change: cast, withdrawn)',
      labelNames: ['change'],
      registers,
    });
    this.comments = new Counter({
      name: 'ecohub_community_comments_total',
      help: 'Comments written',
      registers,
    });
    this.statusChanges = new Counter({
      name: 'ecohub_community_status_changes_total',
      help: 'Post status changes, by new status',
      labelNames: ['status'],
      registers,
    });
    this.moderation = new Counter({
      name: 'ecohub_community_moderation_total',
      help: 'Moderation actions (hide, show, lock, unlock, merge, hide-comment, report, dismiss-reports)',
      labelNames: ['action'],
      registers,
    });
    this.notifications = new Counter({
      name: 'ecohub_community_notifications_total',
      help: 'Notices put in users’ inboxes (and sent on their MQTT topic), by kind',
      labelNames: ['kind'],
      registers,
    });
    this.refused = new Counter({
      name: 'ecohub_community_refused_total',
      help: 'Posts, comments and votes refused (not-owner, rate-limited, locked)',
      labelNames: ['reason'],
      registers,
    });
  }
}
