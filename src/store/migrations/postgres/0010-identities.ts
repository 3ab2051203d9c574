import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0010-identities.ts: same tables, columns and constraints (schema-tables.ts).
export const m0010: Migration = {
  version: 10,
  name: 'identities',
  up: `
    -- SQLite's COLLATE NOCASE: equality, UNIQUE and ON CONFLICT ignore case. An ICU collation at
    -- secondary strength (case-insensitive, accent-sensitive); ICU is part of every mainstream
    -- PostgreSQL build. LIKE does not work on it before PostgreSQL 18: compare with =.
    CREATE COLLATION IF NOT EXISTS ecohub_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT COLLATE ecohub_nocase NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      display_name TEXT,
      created_at BIGINT NOT NULL
    );

    -- Opaque access tokens: the token is eu_<id>_<secret>; only sha256(secret) is kept.
    CREATE TABLE user_tokens (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      secret_hash BYTEA NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      revoked_at BIGINT
    );
    CREATE INDEX user_tokens_by_user ON user_tokens(user_id);

    -- Operator tokens: minted ones are eo_<id>_<secret>; the one taken from ECOHUB_ADMIN_TOKEN has id 'env'.
    CREATE TABLE admin_tokens (
      id TEXT PRIMARY KEY,
      secret_hash BYTEA NOT NULL,
      label TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      revoked_at BIGINT
    );
  `,
};
