import type { Migration } from '../migrations.js';

export const m0370: Migration = {
  version: 370,
  name: 'quality',
  up: `
    -- Live quality counters per model and UTC day (docs/certification.md, "Quality scorecards"):
    -- commands and their outcomes, reply latency buckets, offline time, connects, rejected reports.
    -- Added to in batches by the hub's quality recorder (n = n + the batch's count).
    CREATE TABLE quality_counters (
      model_id TEXT NOT NULL,
      partner_id TEXT NOT NULL,
      day TEXT NOT NULL,                   -- YYYY-MM-DD, UTC
      metric TEXT NOT NULL,                -- commands, commands_ok, commands_error, commands_timeout,
                                           -- latency_ms, offline_ms, connects, rejected
      label TEXT NOT NULL,                 -- error code, latency bucket, rejection reason, or ''
      n INTEGER NOT NULL,
      PRIMARY KEY (model_id, day, metric, label)
    ) STRICT;
    CREATE INDEX quality_counters_by_partner ON quality_counters(partner_id, day);
  `,
};
