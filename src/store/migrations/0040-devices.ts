import type { Migration } from '../migrations.js';

export const m0040: Migration = {
  version: 40,
  name: 'devices',
  up: `
    -- One provisioning run: N devices of one certified or published model version.
    CREATE TABLE device_batches (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      model_version INTEGER NOT NULL,
      size INTEGER NOT NULL CHECK (size >= 1),
      label TEXT,
      created_at INTEGER NOT NULL,
      FOREIGN KEY (model_id, model_version) REFERENCES model_versions(model_id, version)
    ) STRICT;
    CREATE INDEX device_batches_by_partner ON device_batches(partner_id, created_at);

    -- A device and its MQTT identity (clientId = username = id, password = secret; only sha256 kept).
    -- The pairing code is what the QR sticker holds; only its sha256 is kept, for a user to claim it.
    CREATE TABLE devices (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      model_version INTEGER NOT NULL,
      batch_id TEXT NOT NULL REFERENCES device_batches(id),
      secret_hash BLOB NOT NULL,
      pairing_hash BLOB,
      blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
      created_at INTEGER NOT NULL,
      firmware_version TEXT,
      online INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
      last_seen_at INTEGER,
      connected_at INTEGER,
      connection_count INTEGER NOT NULL DEFAULT 0,
      shadow_version INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX devices_by_partner_model ON devices(partner_id, model_id);
    CREATE INDEX devices_by_batch ON devices(batch_id);
    CREATE UNIQUE INDEX devices_by_pairing ON devices(pairing_hash) WHERE pairing_hash IS NOT NULL;

    -- Reported state: the latest value of each property and when it was reported.
    CREATE TABLE device_shadow (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,              -- service.property
      value TEXT NOT NULL,                 -- JSON
      reported_at INTEGER NOT NULL,
      version INTEGER NOT NULL,            -- the shadow version that set it
      PRIMARY KEY (device_id, property)
    ) STRICT, WITHOUT ROWID;

    -- Accepted reports by device sequence number: a redelivered report (same seq) is stored once.
    CREATE TABLE device_reports (
      device_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX device_reports_by_time ON device_reports(received_at);

    -- Property history. num holds numbers and booleans (0/1) for aggregation; value keeps the JSON.
    CREATE TABLE telemetry (
      device_id TEXT NOT NULL,
      property TEXT NOT NULL,
      ts INTEGER NOT NULL,                 -- hub receive time, ms
      device_ts INTEGER,
      seq INTEGER NOT NULL,
      value TEXT NOT NULL,
      num REAL
    ) STRICT;
    CREATE INDEX telemetry_by_device_property_time ON telemetry(device_id, property, ts);

    CREATE TABLE device_events (
      device_id TEXT NOT NULL,
      event TEXT NOT NULL,                 -- service.event
      ts INTEGER NOT NULL,
      device_ts INTEGER,
      seq INTEGER NOT NULL,
      arguments TEXT NOT NULL              -- JSON
    ) STRICT;
    CREATE INDEX device_events_by_device_time ON device_events(device_id, ts);
  `,
};
