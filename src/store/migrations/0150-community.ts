import type { Migration } from '../migrations.js';

/**
 * Co-creation (issue 15, docs/community.md): owners' posts per model, their votes and comments,
 * what moderators and partners did to them, the firmware releases that answer them and every
 * voter's inbox.
 */
export const m0150: Migration = {
  version: 150,
  name: 'community',
  up: `
    -- An idea or a bug about one model, by a user the registry said owned or was shared a device of
    -- it. partner_id is the model's partner (the moderator), copied so moderation needs no join.
    CREATE TABLE community_posts (
      id TEXT PRIMARY KEY,
      model_id TEXT NOT NULL REFERENCES models(id),
      partner_id TEXT NOT NULL REFERENCES partners(id),
      author_id TEXT NOT NULL REFERENCES users(id),
      kind TEXT NOT NULL CHECK (kind IN ('idea', 'bug')),
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'planned', 'in-beta', 'shipped', 'declined', 'duplicate')),
      duplicate_of TEXT REFERENCES community_posts(id),
      locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
      hidden_reason TEXT,
      hidden_at INTEGER,
      -- The device's recent state and events, attached by the author with consent (JSON), and which device.
      attachment TEXT,
      attached_device_id TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX community_posts_by_model ON community_posts(model_id, created_at);
    CREATE INDEX community_posts_by_partner ON community_posts(partner_id, created_at);
    CREATE INDEX community_posts_by_author ON community_posts(author_id, created_at);

    -- One vote per user per post (the primary key). verified: the registry says the voter owns or is
    -- shared a device of the model now; re-checked whenever the voter's access changes, so a voter
    -- who gives the device up keeps the vote but it stops counting as verified.
    CREATE TABLE community_votes (
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL,
      verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
      device_id TEXT,
      owned_since INTEGER,
      PRIMARY KEY (post_id, user_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX community_votes_by_user ON community_votes(user_id);
    CREATE INDEX community_votes_by_post_time ON community_votes(post_id, created_at);

    -- Comments by users (owners), the model's partner (official answers) or the operator.
    CREATE TABLE community_comments (
      id TEXT PRIMARY KEY,
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      author_kind TEXT NOT NULL CHECK (author_kind IN ('user', 'partner', 'operator')),
      author_id TEXT NOT NULL,
      body TEXT NOT NULL,
      -- The firmware the author's device of the model ran when commenting (feedback on a beta).
      firmware_version TEXT,
      hidden_reason TEXT,
      hidden_at INTEGER,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX community_comments_by_post ON community_comments(post_id, created_at);

    -- What happened to a post: status changes, moderation, merges, release links (the digest and
    -- the post's history read it).
    CREATE TABLE community_post_events (
      id TEXT PRIMARY KEY,
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      model_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      from_status TEXT,
      to_status TEXT,
      note TEXT,
      actor TEXT NOT NULL,
      at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX community_post_events_by_post ON community_post_events(post_id, at);
    CREATE INDEX community_post_events_by_model ON community_post_events(model_id, at);

    -- "Release R addresses #12, #40": version is the firmware revision devices of the model report
    -- (device-information.firmware-revision) once they run it.
    CREATE TABLE community_release_links (
      post_id TEXT NOT NULL REFERENCES community_posts(id),
      release_id TEXT NOT NULL,
      model_id TEXT NOT NULL,
      version TEXT NOT NULL,
      -- Where the release is, as the firmware domain reports it: linked (not out yet), beta, stable.
      stage TEXT NOT NULL DEFAULT 'linked' CHECK (stage IN ('linked', 'beta', 'stable')),
      linked_at INTEGER NOT NULL,
      linked_by TEXT NOT NULL,
      PRIMARY KEY (post_id, release_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX community_release_links_by_release ON community_release_links(release_id);
    CREATE INDEX community_release_links_by_version ON community_release_links(model_id, version);

    -- Each user's inbox. dedup_key makes every notice once-only: a voter hears that a post shipped
    -- once, however many devices and releases tell the hub so.
    CREATE TABLE community_notifications (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      dedup_key TEXT NOT NULL,
      kind TEXT NOT NULL,
      post_id TEXT REFERENCES community_posts(id),
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      read_at INTEGER,
      UNIQUE (user_id, dedup_key)
    ) STRICT;
    CREATE INDEX community_notifications_by_user ON community_notifications(user_id, created_at);
  `,
};
