import type { Migration } from '../migrations.js';

export const m0020: Migration = {
  version: 20,
  name: 'partners',
  up: `
    -- A company asking to join the ecosystem. The slug is its public handle and the first segment of
    -- every model id it may create ({slug}.{category}.{code}).
    CREATE TABLE partner_applications (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL,
      company TEXT NOT NULL,
      contact_email TEXT NOT NULL,
      website TEXT NOT NULL,
      categories TEXT NOT NULL,            -- JSON array of category ids
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      reason TEXT,                         -- why it was rejected
      created_at INTEGER NOT NULL,
      decided_at INTEGER,
      decided_by TEXT                      -- operator token id
    ) STRICT;
    CREATE INDEX partner_applications_by_status ON partner_applications(status, created_at);
    -- At most one live (pending or approved) application per slug.
    CREATE UNIQUE INDEX partner_applications_live_slug ON partner_applications(slug) WHERE status <> 'rejected';

    CREATE TABLE partners (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      company TEXT NOT NULL,
      contact_email TEXT NOT NULL,
      website TEXT NOT NULL,
      categories TEXT NOT NULL,
      application_id TEXT NOT NULL REFERENCES partner_applications(id),
      created_at INTEGER NOT NULL
    ) STRICT;

    -- API keys ek_<id>_<secret>: only sha256(secret) is kept.
    CREATE TABLE partner_api_keys (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      secret_hash BLOB NOT NULL,
      label TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER
    ) STRICT;
    CREATE INDEX partner_api_keys_by_partner ON partner_api_keys(partner_id);

    -- Commission contracts: append-only history. The rate in force at time t is the row with the
    -- latest effective_from <= t (ties: the latest created).
    CREATE TABLE partner_contracts (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
      effective_from INTEGER NOT NULL,     -- ms since epoch, UTC midnight of the effective date
      note TEXT,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX partner_contracts_by_partner ON partner_contracts(partner_id, effective_from);
  `,
};
