import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0040-devices.ts. blocked and online are real booleans here.
export const m0040: Migration = {
  version: 40,
  name: 'devices',
  up: `
    CREATE TABLE device_batches (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      model_version BIGINT NOT NULL,
      size BIGINT NOT NULL CHECK (size >= 1),
      label TEXT,
      created_at BIGINT NOT NULL,
      FOREIGN KEY (model_id, model_version) REFERENCES model_versions(model_id, version)
    );
    CREATE INDEX device_batches_by_partner ON device_batches(partner_id, created_at);

    CREATE TABLE devices (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      model_version BIGINT NOT NULL,
      batch_id TEXT NOT NULL REFERENCES device_batches(id),
      secret_hash BYTEA NOT NULL,
      pairing_hash BYTEA,
      blocked BOOLEAN NOT NULL DEFAULT false,
      created_at BIGINT NOT NULL,
      firmware_version TEXT,
      online BOOLEAN NOT NULL DEFAULT false,
      last_seen_at BIGINT,
      connected_at BIGINT,
      connection_count BIGINT NOT NULL DEFAULT 0,
      shadow_version BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX devices_by_partner_model ON devices(partner_id, model_id);
    CREATE INDEX devices_by_batch ON devices(batch_id);
    CREATE UNIQUE INDEX devices_by_pairing ON devices(pairing_hash) WHERE pairing_hash IS NOT NULL;

    CREATE TABLE device_shadow (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      reported_at BIGINT NOT NULL,
      version BIGINT NOT NULL,
      PRIMARY KEY (device_id, property)
    );

    CREATE TABLE device_reports (
      device_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      received_at BIGINT NOT NULL,
      PRIMARY KEY (device_id, seq)
    );
    CREATE INDEX device_reports_by_time ON device_reports(received_at);

    CREATE TABLE telemetry (
      device_id TEXT NOT NULL,
      property TEXT NOT NULL,
      ts BIGINT NOT NULL,
      device_ts BIGINT,
      seq BIGINT NOT NULL,
      value TEXT NOT NULL,
      num DOUBLE PRECISION
    );
    CREATE INDEX telemetry_by_device_property_time ON telemetry(device_id, property, ts);

    CREATE TABLE device_events (
      device_id TEXT NOT NULL,
      event TEXT NOT NULL,
      ts BIGINT NOT NULL,
      device_ts BIGINT,
      seq BIGINT NOT NULL,
      arguments TEXT NOT NULL
    );
    CREATE INDEX device_events_by_device_time ON device_events(device_id, ts);
  `,
};
