import type { Migration } from '../../migrations.js';

// PostgreSQL twin of ../0050-control.ts.
export const m0050: Migration = {
  version: 50,
  name: 'control',
  up: `
    CREATE TABLE device_bindings (
      device_id TEXT NOT NULL REFERENCES devices(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
      created_at BIGINT NOT NULL,
      PRIMARY KEY (device_id, user_id)
    );
    CREATE UNIQUE INDEX device_bindings_one_owner ON device_bindings(device_id) WHERE role = 'owner';
    CREATE INDEX device_bindings_by_user ON device_bindings(user_id);

    CREATE TABLE homes (
      id TEXT PRIMARY KEY,
      owner_id TEXT NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX homes_by_owner ON homes(owner_id);

    CREATE TABLE home_members (
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id),
      role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
      created_at BIGINT NOT NULL,
      PRIMARY KEY (home_id, user_id)
    );
    CREATE INDEX home_members_by_user ON home_members(user_id);

    CREATE TABLE rooms (
      id TEXT PRIMARY KEY,
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX rooms_by_home ON rooms(home_id);

    CREATE TABLE device_placements (
      device_id TEXT PRIMARY KEY REFERENCES devices(id),
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL
    );
    CREATE INDEX device_placements_by_home ON device_placements(home_id);

    CREATE TABLE device_desired (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,
      value TEXT NOT NULL,
      set_at BIGINT NOT NULL,
      set_by TEXT NOT NULL,
      PRIMARY KEY (device_id, property)
    );
  `,
};
