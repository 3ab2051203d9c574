import { type TableSpec, table } from '../schema.js';

/**
 * Devices, their batches, shadows, telemetry and events (src/registry/devices/, telemetry/):
 * migration 0040; devices' deduplication marks 0380.
 */
export const deviceTables: readonly TableSpec[] = [
  table('device_batches', {
    columns:
      'id text, partner_id text, model_id text, model_version int, size int, label text?, created_at int',
    primaryKey: 'id',
    indexes: { device_batches_by_partner: 'partner_id, created_at' },
    references: {
      partner_id: 'partners(id)',
      'model_id, model_version': 'model_versions(model_id, version)',
    },
  }),
  table('devices', {
    columns:
      'id text, partner_id text, model_id text, model_version int, batch_id text, secret_hash blob, ' +
      'pairing_hash blob?, blocked bool, created_at int, firmware_version text?, online bool, ' +
      'last_seen_at int?, connected_at int?, connection_count int, shadow_version int, ' +
      // 0380: deduplication marks (src/registry/telemetry/seq-marks.ts)
      'seq_high int?, seq_recent text?',
    primaryKey: 'id',
    indexes: {
      devices_by_partner_model: 'partner_id, model_id',
      devices_by_batch: 'batch_id',
      devices_by_pairing: 'UNIQUE pairing_hash WHERE pairing_hash IS NOT NULL',
    },
    references: { partner_id: 'partners(id)', batch_id: 'device_batches(id)' },
  }),
  table('device_shadow', {
    columns: 'device_id text, property text, value text, reported_at int, version int',
    primaryKey: 'device_id, property',
    references: { device_id: 'devices(id)' },
  }),

  // device_reports: dropped by 0380 (replaced by devices.seq_high and seq_recent)
  table('telemetry', {
    columns: 'device_id text, property text, ts int, device_ts int?, seq int, value text, num real?',
    indexes: { telemetry_by_device_property_time: 'device_id, property, ts' },
  }),
  table('device_events', {
    columns: 'device_id text, event text, ts int, device_ts int?, seq int, arguments text',
    indexes: { device_events_by_device_time: 'device_id, ts' },
  }),
];
