import { type TableSpec, table } from '../schema.js';

/** Homes, their members and rooms, and where devices are placed (src/registry/homes/): migration 0050. */
export const homeTables: readonly TableSpec[] = [
  table('homes', {
    columns: 'id text, owner_id text, name text, created_at int',
    primaryKey: 'id',
    indexes: { homes_by_owner: 'owner_id' },
    references: { owner_id: 'users(id)' },
  }),
  table('home_members', {
    columns: 'home_id text, user_id text, role text, created_at int',
    primaryKey: 'home_id, user_id',
    indexes: { home_members_by_user: 'user_id' },
    references: { home_id: 'homes(id) ON DELETE CASCADE', user_id: 'users(id)' },
  }),
  table('rooms', {
    columns: 'id text, home_id text, name text, created_at int',
    primaryKey: 'id',
    indexes: { rooms_by_home: 'home_id' },
    references: { home_id: 'homes(id) ON DELETE CASCADE' },
  }),
  table('device_placements', {
    columns: 'device_id text, home_id text, room_id text?',
    primaryKey: 'device_id',
    indexes: { device_placements_by_home: 'home_id' },
    references: {
      device_id: 'devices(id)',
      home_id: 'homes(id) ON DELETE CASCADE',
      room_id: 'rooms(id) ON DELETE SET NULL',
    },
  }),
];
