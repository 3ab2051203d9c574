import type { Migration } from '../migrations.js';

export const m0090: Migration = {
  version: 90,
  name: 'operator-tokens',
  up: `
    -- Where an operator token came from: 'env' (ECOHUB_ADMIN_TOKEN, removed when the variable is
    -- unset), 'bootstrap' (minted on first start), 'cli' (ecohub admin token), 'api' (REST).
    ALTER TABLE admin_tokens ADD COLUMN source TEXT NOT NULL DEFAULT 'cli'
      CHECK (source IN ('env', 'bootstrap', 'cli', 'api'));
    UPDATE admin_tokens SET source = 'env' WHERE id = 'env';
    UPDATE admin_tokens SET source = 'bootstrap' WHERE id <> 'env' AND label = 'bootstrap';
    -- Refreshed at most once a minute, so a busy operator script does not write on every request.
    ALTER TABLE admin_tokens ADD COLUMN last_used_at INTEGER;
    CREATE INDEX admin_tokens_by_created ON admin_tokens(created_at, id);
  `,
};
