import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0370-quality.ts.

export const m0370: Migration = {
  version: 370,
  name: 'quality',
  up: `
    CREATE TABLE quality_counters (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      day TEXT NOT NULL,
      metric TEXT NOT NULL,
      label TEXT NOT NULL,
      n BIGINT NOT NULL,
      PRIMARY KEY (model_id, day, metric, label)
    );
    CREATE INDEX quality_counters_by_partner ON quality_counters(partner_id, day);
  `,
};
