import type { Migration } from '../migrations.js';

/** Firmware updates (issue 14, docs/ota.md): release key, packages, rollouts, executions, beta channel. */
export const m0100: Migration = {
  version: 100,
  name: 'firmware',
  up: `
    -- The hub's Ed25519 release key (one row, 'release'), created at first start. In the database,
    -- not a file, so every hub node signs with the same key and a backup carries it.
    CREATE TABLE firmware_keys (
      id TEXT PRIMARY KEY,
      public_key BLOB NOT NULL,
      private_key BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    -- A firmware binary for one model. 'draft' until its binary is uploaded and the manifest signed.
    CREATE TABLE firmware_packages (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      version TEXT NOT NULL,
      spec_version INTEGER NOT NULL,
      notes TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('draft', 'ready', 'withdrawn')),
      size INTEGER,
      sha256 TEXT,
      manifest TEXT,
      signature TEXT,
      partner_signature TEXT,
      -- Release channel: none (not released), beta (in the beta soak), stable (promoted).
      channel TEXT NOT NULL DEFAULT 'none' CHECK (channel IN ('none', 'beta', 'stable')),
      beta_at INTEGER,
      -- How long the release must soak on beta, healthy, before it may be promoted to stable.
      beta_soak_ms INTEGER,
      stable_at INTEGER,
      created_at INTEGER NOT NULL,
      ready_at INTEGER,
      UNIQUE (model_id, version)
    ) STRICT;
    CREATE INDEX firmware_packages_by_partner ON firmware_packages(partner_id, created_at, id);

    CREATE TABLE firmware_rollouts (
      id TEXT PRIMARY KEY,
      partner_id TEXT NOT NULL REFERENCES partners(id),
      model_id TEXT NOT NULL REFERENCES models(id),
      package_id TEXT NOT NULL REFERENCES firmware_packages(id),
      -- What it targets: {kind: 'model', fromVersions?} | {kind: 'devices', ids} | {kind: 'channel', channel}.
      target TEXT NOT NULL,
      rollback INTEGER NOT NULL DEFAULT 0 CHECK (rollback IN (0, 1)),
      state TEXT NOT NULL CHECK (state IN ('scheduled', 'running', 'paused', 'completed', 'cancelled')),
      -- The policy as given (stages, rate, thresholds, deadlines, retries), JSON.
      policy TEXT NOT NULL,
      stage INTEGER NOT NULL DEFAULT 0,
      stage_started_at INTEGER,
      halt_reason TEXT,
      halted_at INTEGER,
      start_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL
    ) STRICT;
    CREATE INDEX firmware_rollouts_by_partner ON firmware_rollouts(partner_id, created_at, id);
    CREATE INDEX firmware_rollouts_by_state ON firmware_rollouts(state, start_at);

    -- One device's update within a rollout: the state machine of docs/ota.md, "Executions".
    CREATE TABLE firmware_executions (
      id TEXT PRIMARY KEY,
      rollout_id TEXT NOT NULL REFERENCES firmware_rollouts(id),
      device_id TEXT NOT NULL REFERENCES devices(id),
      -- Order in which the rollout takes its devices (random, fixed at creation).
      position INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN
        ('queued', 'offered', 'in_progress', 'succeeded', 'failed', 'timed_out', 'rejected', 'cancelled')),
      -- The stage the device was taken in (0 = canary), NULL while it waits.
      stage INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      from_version TEXT,
      phase TEXT,
      percent INTEGER,
      reason TEXT,
      -- queued: not before; offered/in_progress: the server-side deadline.
      due_at INTEGER,
      offered_at INTEGER,
      succeeded_at INTEGER,
      finished_at INTEGER,
      updated_at INTEGER NOT NULL,
      -- Field health: error events and disconnects before the update, error events after it, and
      -- whether the device went offline soon after it.
      errors_before INTEGER NOT NULL DEFAULT 0,
      errors_after INTEGER NOT NULL DEFAULT 0,
      offline_before INTEGER NOT NULL DEFAULT 0,
      offline_after INTEGER NOT NULL DEFAULT 0 CHECK (offline_after IN (0, 1)),
      UNIQUE (rollout_id, device_id)
    ) STRICT;
    CREATE INDEX firmware_executions_by_rollout ON firmware_executions(rollout_id, state, position);
    CREATE INDEX firmware_executions_by_device ON firmware_executions(device_id, state);
    CREATE INDEX firmware_executions_due ON firmware_executions(due_at) WHERE due_at IS NOT NULL;

    -- Devices whose owner opted them into the beta channel.
    CREATE TABLE firmware_beta_devices (
      device_id TEXT PRIMARY KEY REFERENCES devices(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      enrolled_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX firmware_beta_devices_by_user ON firmware_beta_devices(user_id);
  `,
};
