import type { Migration } from '../migrations.js';

export const m0250: Migration = {
  version: 250,
  name: 'certification',
  up: `
    -- The hub's Ed25519 keys that sign certification reports. The newest unretired one signs; retired
    -- ones stay published so old reports still verify (docs/certification.md).
    CREATE TABLE certification_keys (
      id TEXT PRIMARY KEY,                 -- first 16 hex digits of SHA-256 of the raw public key
      public_key TEXT NOT NULL,            -- SPKI PEM
      private_key TEXT NOT NULL,           -- PKCS#8 PEM
      created_at INTEGER NOT NULL,
      retired_at INTEGER
    ) STRICT;

    -- One harness run of a model version's test plan against one device.
    CREATE TABLE certification_runs (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      device_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'cancelled')),
      verdict TEXT CHECK (verdict IN ('pass', 'fail')),
      plan TEXT NOT NULL,                  -- the derived plan (JSON)
      total INTEGER NOT NULL,
      passed INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      firmware_revision TEXT,
      note TEXT,                           -- why a run was cancelled
      started_by TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
    ) STRICT;
    CREATE INDEX certification_runs_by_partner ON certification_runs(partner_id, started_at, id);
    CREATE INDEX certification_runs_by_model ON certification_runs(model_id, version, started_at);
    CREATE INDEX certification_runs_by_device ON certification_runs(device_id, state);

    -- Each case as it is decided, so a run can be watched case by case.
    CREATE TABLE certification_cases (
      run_id TEXT NOT NULL REFERENCES certification_runs(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      case_id TEXT NOT NULL,
      verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
      result TEXT NOT NULL,                -- the case result (JSON, evidence included)
      PRIMARY KEY (run_id, case_id)
    ) STRICT;

    -- The signed report of a finished run: the canonical JSON body and its signature.
    CREATE TABLE certification_reports (
      run_id TEXT PRIMARY KEY REFERENCES certification_runs(id),
      key_id TEXT NOT NULL REFERENCES certification_keys(id),
      body TEXT NOT NULL,
      signature TEXT NOT NULL,             -- base64 Ed25519 signature of body's UTF-8 bytes
      created_at INTEGER NOT NULL
    ) STRICT;

    -- How each certification happened: on a passing report, or by an operator's written override.
    CREATE TABLE certification_decisions (
      id TEXT PRIMARY KEY,
      model_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('report', 'override')),
      run_id TEXT REFERENCES certification_runs(id),
      reason TEXT NOT NULL,
      decided_by TEXT NOT NULL,
      decided_at INTEGER NOT NULL,
      FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
    ) STRICT;
    CREATE INDEX certification_decisions_by_model ON certification_decisions(model_id, version, decided_at);
  `,
};
