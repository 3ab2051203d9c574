import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0410-community-reports.ts.
export const m0410: Migration = {
  version: 410,
  name: 'community-reports',
  up: `
    CREATE TABLE community_reports (
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      reason TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      resolution TEXT CHECK (resolution IN ('hidden', 'dismissed')),
      resolved_at BIGINT,
      PRIMARY KEY (post_id, user_id)
    );
    CREATE INDEX community_reports_open ON community_reports(post_id) WHERE resolved_at IS NULL;
    CREATE INDEX community_reports_by_user ON community_reports(user_id, created_at);
  `,
};
