import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0380-ingest-marks.ts.
export const m0380: Migration = {
  version: 380,
  name: 'ingest-marks',
  up: `
    ALTER TABLE devices ADD COLUMN seq_high BIGINT;
    ALTER TABLE devices ADD COLUMN seq_recent TEXT;
    UPDATE devices SET seq_high = (SELECT max(seq) FROM device_reports WHERE device_id = devices.id),
      seq_recent = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'
      WHERE id IN (SELECT device_id FROM device_reports);
    DROP TABLE device_reports;
  `,
};
