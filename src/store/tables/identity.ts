import { type TableSpec, table } from '../schema.js';

/**
 * Users, their access tokens and the operators' tokens (src/identity/): migration 0010; admin_tokens'
 * source and last_used_at 0090.
 */
export const identityTables: readonly TableSpec[] = [
  table('users', {
    columns: 'id text, email text, password_hash text, display_name text?, created_at int',
    primaryKey: 'id',
    unique: ['email'],
  }),
  table('user_tokens', {
    columns: 'id text, user_id text, secret_hash blob, created_at int, expires_at int, revoked_at int?',
    primaryKey: 'id',
    indexes: { user_tokens_by_user: 'user_id' },
    references: { user_id: 'users(id) ON DELETE CASCADE' },
  }),
  table('admin_tokens', {
    // source and last_used_at: 0090
    columns:
      'id text, secret_hash blob, label text, created_at int, revoked_at int?, source text, last_used_at int?',
    primaryKey: 'id',
    indexes: { admin_tokens_by_created: 'created_at, id' },
  }),
];
