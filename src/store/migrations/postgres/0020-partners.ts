import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0020-partners.ts.
export const m0020: Migration = {
  version: 20,
  name: 'partners',
  up: `
    CREATE TABLE partner_applications (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL,
      company TEXT NOT NULL,
      contact_email TEXT NOT NULL,
      website TEXT NOT NULL,
      categories TEXT NOT NULL,            -- JSON array of category ids
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      reason TEXT,
      created_at BIGINT NOT NULL,
      decided_at BIGINT,
      decided_by TEXT
    );
    CREATE INDEX partner_applications_by_status ON partner_applications(status, created_at);
    CREATE UNIQUE INDEX partner_applications_live_slug ON partner_applications(slug) WHERE status <> 'rejected';

    CREATE TABLE partners (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      company TEXT NOT NULL,
      contact_email TEXT NOT NULL,
      website TEXT NOT NULL,
      categories TEXT NOT NULL,
      application_id TEXT NOT NULL REFERENCES partner_applications(id),
      created_at BIGINT NOT NULL
    );

    CREATE TABLE partner_api_keys (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      secret_hash BYTEA NOT NULL,
      label TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      last_used_at BIGINT,
      revoked_at BIGINT
    );
    CREATE INDEX partner_api_keys_by_partner ON partner_api_keys(partner_id);

    -- Append-only history. rowid stands in for SQLite's implicit rowid, which the store orders by
    -- to break a same-millisecond tie.
    CREATE TABLE partner_contracts (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      rate_bp BIGINT NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
      effective_from BIGINT NOT NULL,
      note TEXT,
      created_at BIGINT NOT NULL,
      created_by TEXT NOT NULL,
      rowid BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX partner_contracts_by_partner ON partner_contracts(partner_id, effective_from);
  `,
};
