import { type TableSpec, table } from '../schema.js';

/**
 * Co-creation: posts, votes, comments, release links, notifications (src/community/): migration
 * 0150; reports (the moderation queue) 0410.
 */
export const communityTables: readonly TableSpec[] = [
  table('community_posts', {
    columns:
      'id text, model_id text, partner_id text, author_id text, kind text, title text, body text, status text, ' +
      'duplicate_of text?, locked bool, hidden_reason text?, hidden_at int?, attachment text?, ' +
      'attached_device_id text?, created_at int, updated_at int',
    primaryKey: 'id',
    indexes: {
      community_posts_by_model: 'model_id, created_at',
      community_posts_by_partner: 'partner_id, created_at',
      community_posts_by_author: 'author_id, created_at',
    },
    references: {
      model_id: 'models(id)',
      partner_id: 'partners(id)',
      author_id: 'users(id)',
      duplicate_of: 'community_posts(id)',
    },
  }),
  table('community_votes', {
    columns: 'post_id text, user_id text, created_at int, verified bool, device_id text?, owned_since int?',
    primaryKey: 'post_id, user_id',
    indexes: {
      community_votes_by_user: 'user_id',
      community_votes_by_post_time: 'post_id, created_at',
    },
    references: { post_id: 'community_posts(id)', user_id: 'users(id)' },
  }),
  table('community_comments', {
    columns:
      'id text, post_id text, author_kind text, author_id text, body text, firmware_version text?, ' +
      'hidden_reason text?, hidden_at int?, created_at int',
    primaryKey: 'id',
    indexes: { community_comments_by_post: 'post_id, created_at' },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_post_events', {
    columns:
      'id text, post_id text, model_id text, kind text, from_status text?, to_status text?, note text?, ' +
      'actor text, at int',
    primaryKey: 'id',
    indexes: {
      community_post_events_by_post: 'post_id, at',
      community_post_events_by_model: 'model_id, at',
    },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_release_links', {
    columns:
      'post_id text, release_id text, model_id text, version text, stage text, linked_at int, linked_by text',
    primaryKey: 'post_id, release_id',
    indexes: {
      community_release_links_by_release: 'release_id',
      community_release_links_by_version: 'model_id, version',
    },
    references: { post_id: 'community_posts(id)' },
  }),
  table('community_notifications', {
    columns:
      'id text, user_id text, dedup_key text, kind text, post_id text?, body text, created_at int, read_at int?',
    primaryKey: 'id',
    unique: ['user_id, dedup_key'],
    indexes: { community_notifications_by_user: 'user_id, created_at' },
    references: { user_id: 'users(id)', post_id: 'community_posts(id)' },
  }),

  // 0410 community reports (the moderation queue)
  table('community_reports', {
    columns: 'post_id text, user_id text, reason text, created_at int, resolution text?, resolved_at int?',
    primaryKey: 'post_id, user_id',
    indexes: {
      community_reports_open: 'post_id WHERE resolved_at IS NULL',
      community_reports_by_user: 'user_id, created_at',
    },
    references: { post_id: 'community_posts(id)', user_id: 'users(id)' },
  }),
];
