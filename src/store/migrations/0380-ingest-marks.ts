import type { Migration } from '../migrations.js';

export const m0380: Migration = {
  version: 380,
  name: 'ingest-marks',
  up: `
    -- Deduplication of reports and events by a per-device high-water mark instead of a row per
    -- message (src/registry/telemetry/seq-marks.ts): the highest seq stored, and seq_recent, the
    -- bit mask of the 1024 numbers below it (hexadecimal) plus the last stragglers stored below those.
    ALTER TABLE devices ADD COLUMN seq_high INTEGER;
    ALTER TABLE devices ADD COLUMN seq_recent TEXT;
    -- A device's remembered seqs become its mark; every number of the window below it counts as
    -- stored (a redelivery of a recent message must not be stored twice across the upgrade).
    UPDATE devices SET seq_high = (SELECT max(seq) FROM device_reports WHERE device_id = devices.id),
      seq_recent = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
      WHERE id IN (SELECT device_id FROM device_reports);
    DROP TABLE device_reports;
  `,
};
