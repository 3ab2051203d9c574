import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0030-models.ts.
export const m0030: Migration = {
  version: 30,
  name: 'models',
  up: `
    CREATE TABLE models (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      category TEXT NOT NULL,
      parent_id TEXT REFERENCES models(id),
      created_at BIGINT NOT NULL
    );
    CREATE INDEX models_by_partner ON models(partner_id);

    CREATE TABLE model_versions (
      model_id TEXT NOT NULL REFERENCES models(id),
      version BIGINT NOT NULL CHECK (version >= 1),
      state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'certified', 'published', 'retired')),
      document TEXT NOT NULL,
      warnings TEXT NOT NULL DEFAULT '[]',
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      submitted_at BIGINT,
      certified_at BIGINT,
      certified_by TEXT,
      certification_note TEXT,
      published_at BIGINT,
      retired_at BIGINT,
      PRIMARY KEY (model_id, version)
    );
    CREATE INDEX model_versions_published ON model_versions(state, model_id);
  `,
};
