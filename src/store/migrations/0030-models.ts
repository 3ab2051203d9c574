import type { Migration } from '../migrations.js';

export const m0030: Migration = {
  version: 30,
  name: 'models',
  up: `
    -- A device model ({partner}.{category}.{code}); an "S" variant names its parent.
    CREATE TABLE models (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      category TEXT NOT NULL,
      parent_id TEXT REFERENCES models(id),
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX models_by_partner ON models(partner_id);

    -- One row per spec version. draft -> submitted -> certified -> published -> retired.
    -- Only a draft's document may change; a submitted or later version is immutable.
    CREATE TABLE model_versions (
      model_id TEXT NOT NULL REFERENCES models(id),
      version INTEGER NOT NULL CHECK (version >= 1),
      state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'certified', 'published', 'retired')),
      document TEXT NOT NULL,              -- the model document (JSON), as validated
      warnings TEXT NOT NULL DEFAULT '[]', -- quality-rule warnings found at the last validation (JSON)
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      submitted_at INTEGER,
      certified_at INTEGER,
      certified_by TEXT,
      certification_note TEXT,
      published_at INTEGER,
      retired_at INTEGER,
      PRIMARY KEY (model_id, version)
    ) STRICT;
    CREATE INDEX model_versions_published ON model_versions(state, model_id);
  `,
};
