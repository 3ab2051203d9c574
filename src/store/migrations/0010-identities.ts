import type { Migration } from '../migrations.js';

export const m0010: Migration = {
  version: 10,
  name: 'identities',
  up: `
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      display_name TEXT,
      created_at INTEGER NOT NULL
    ) STRICT;

    -- Opaque access tokens: the token is eu_<id>_<secret>; only sha256(secret) is kept.
    CREATE TABLE user_tokens (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      secret_hash BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    ) STRICT;
    CREATE INDEX user_tokens_by_user ON user_tokens(user_id);

    -- Operator tokens: minted ones are eo_<id>_<secret>; the one taken from ECOHUB_ADMIN_TOKEN has id 'env'.
    CREATE TABLE admin_tokens (
      id TEXT PRIMARY KEY,
      secret_hash BLOB NOT NULL,
      label TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    ) STRICT;
  `,
};
