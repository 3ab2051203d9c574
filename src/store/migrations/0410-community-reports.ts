import type { Migration } from '../migrations.js';

/**
 * Reports (docs/community.md "Reports and the moderation queue"): a user flags a post it can read
 * for moderators, with a reason. Open reports (resolved_at NULL) make the moderation queue; hiding
 * the post or dismissing its reports resolves them, and reporting again reopens the user's report.
 */
export const m0410: Migration = {
  version: 410,
  name: 'community-reports',
  up: `
    CREATE TABLE community_reports (
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      -- 'hidden' (the post was hidden) or 'dismissed' (a moderator kept it), with when.
      resolution TEXT CHECK (resolution IN ('hidden', 'dismissed')),
      resolved_at INTEGER,
      PRIMARY KEY (post_id, user_id)
    ) STRICT, WITHOUT ROWID;
    -- The queue reads open reports only; the per-user limit counts a user's reports of the last hour.
    CREATE INDEX community_reports_open ON community_reports(post_id) WHERE resolved_at IS NULL;
    CREATE INDEX community_reports_by_user ON community_reports(user_id, created_at);
  `,
};
