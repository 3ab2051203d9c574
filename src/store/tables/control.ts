import { type TableSpec, table } from '../schema.js';

/**
 * Who holds which device and what it should be set to (src/registry/control/): bindings and desired
 * state, migration 0050; refusals and share invitations 0070.
 */
export const controlTables: readonly TableSpec[] = [
  table('device_bindings', {
    columns: 'device_id text, user_id text, role text, created_at int',
    primaryKey: 'device_id, user_id',
    indexes: {
      device_bindings_one_owner: "UNIQUE device_id WHERE role = 'owner'",
      device_bindings_by_user: 'user_id',
    },
    references: { device_id: 'devices(id)', user_id: 'users(id)' },
  }),
  table('device_desired', {
    columns: 'device_id text, property text, value text, set_at int, set_by text',
    primaryKey: 'device_id, property',
    indexes: { device_desired_by_user: 'set_by' }, // 0070
    references: { device_id: 'devices(id)' },
  }),

  // 0070 ownership
  table('device_desired_refusals', {
    columns:
      'device_id text, property text, value text, code text, message text, refused_at int, set_by text',
    primaryKey: 'device_id, property',
    indexes: { device_desired_refusals_by_user: 'set_by' },
    references: { device_id: 'devices(id)' },
  }),
  table('device_share_invitations', {
    columns: 'device_id text, email text, invited_by text, created_at int',
    primaryKey: 'device_id, email',
    indexes: { device_share_invitations_by_email: 'email' },
    references: { device_id: 'devices(id)', invited_by: 'users(id)' },
  }),
];
