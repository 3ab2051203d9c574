import type { Migration } from '../migrations.js';

export const m0050: Migration = {
  version: 50,
  name: 'control',
  up: `
    -- Who may watch and control a device. One owner (who claimed it); members it was shared with.
    CREATE TABLE device_bindings (
      device_id TEXT NOT NULL REFERENCES devices(id),
      user_id TEXT NOT NULL REFERENCES users(id),
      role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
      created_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, user_id)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX device_bindings_one_owner ON device_bindings(device_id) WHERE role = 'owner';
    CREATE INDEX device_bindings_by_user ON device_bindings(user_id);

    -- Homes group a user's devices (as in Mi Home) and are shared with household members, who
    -- may then watch and control every device placed in the home.
    CREATE TABLE homes (
      id TEXT PRIMARY KEY,
      owner_id TEXT NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX homes_by_owner ON homes(owner_id);

    CREATE TABLE home_members (
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      user_id TEXT NOT NULL REFERENCES users(id),
      role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
      created_at INTEGER NOT NULL,
      PRIMARY KEY (home_id, user_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX home_members_by_user ON home_members(user_id);

    CREATE TABLE rooms (
      id TEXT PRIMARY KEY,
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX rooms_by_home ON rooms(home_id);

    -- Where the owner put a device: one home, optionally one of its rooms.
    CREATE TABLE device_placements (
      device_id TEXT PRIMARY KEY REFERENCES devices(id),
      home_id TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
      room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL
    ) STRICT;
    CREATE INDEX device_placements_by_home ON device_placements(home_id);

    -- Desired state: values set while the device was offline (or not yet reflected), delivered on
    -- reconnect and cleared when a report matches.
    CREATE TABLE device_desired (
      device_id TEXT NOT NULL REFERENCES devices(id),
      property TEXT NOT NULL,
      value TEXT NOT NULL,                 -- JSON
      set_at INTEGER NOT NULL,
      set_by TEXT NOT NULL,                -- user id
      PRIMARY KEY (device_id, property)
    ) STRICT, WITHOUT ROWID;
  `,
};
