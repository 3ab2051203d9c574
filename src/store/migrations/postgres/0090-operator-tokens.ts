import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0090-operator-tokens.ts.
export const m0090: Migration = {
  version: 90,
  name: 'operator-tokens',
  up: `
    ALTER TABLE admin_tokens ADD COLUMN source TEXT NOT NULL DEFAULT 'cli'
      CHECK (source IN ('env', 'bootstrap', 'cli', 'api'));
    UPDATE admin_tokens SET source = 'env' WHERE id = 'env';
    UPDATE admin_tokens SET source = 'bootstrap' WHERE id <> 'env' AND label = 'bootstrap';
    ALTER TABLE admin_tokens ADD COLUMN last_used_at BIGINT;
    CREATE INDEX admin_tokens_by_created ON admin_tokens(created_at, id);
  `,
};
