import { type Db, prepared } from '../store/database.js';

export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly password_hash: string;
  readonly display_name: string | null;
  readonly created_at: number;
}

export interface TokenRow {
  readonly id: string;
  readonly user_id: string;
  readonly secret_hash: Buffer;
  readonly expires_at: number;
  readonly revoked_at: number | null;
}

export interface AdminTokenRow {
  readonly id: string;
  readonly secret_hash: Buffer;
  readonly revoked_at: number | null;
}

export function insertUser(
  db: Db,
  user: Omit<UserRow, 'display_name'> & { display_name?: string | null },
): boolean {
  const info = prepared(
    db,
    `INSERT INTO users (id, email, password_hash, display_name, created_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
  ).run(user.id, user.email, user.password_hash, user.display_name ?? null, user.created_at);
  return info.changes === 1;
}

export function findUserByEmail(db: Db, email: string): UserRow | undefined {
  return prepared(db, 'SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
}

export function findUserById(db: Db, id: string): UserRow | undefined {
  return prepared(db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function insertUserToken(
  db: Db,
  row: { id: string; user_id: string; secret_hash: Buffer; created_at: number; expires_at: number },
): void {
  prepared(
    db,
    `INSERT INTO user_tokens (id, user_id, secret_hash, created_at, expires_at)
     VALUES (@id, @user_id, @secret_hash, @created_at, @expires_at)`,
  ).run(row);
}

export function findUserToken(db: Db, id: string): TokenRow | undefined {
  return prepared(
    db,
    'SELECT id, user_id, secret_hash, expires_at, revoked_at FROM user_tokens WHERE id = ?',
  ).get(id) as TokenRow | undefined;
}

export function revokeUserToken(db: Db, id: string, at: number): void {
  prepared(db, 'UPDATE user_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
}

export function deleteUserTokens(db: Db, userId: string): number {
  return prepared(db, 'DELETE FROM user_tokens WHERE user_id = ?').run(userId).changes;
}

/**
 * A deleted account keeps its row (orders and the ledger refer to it) with nothing personal left:
 * the email becomes a unique placeholder (the address is free to register again) and the password
 * hash one that no password matches.
 */
export function scrubUser(db: Db, userId: string): void {
  prepared(
    db,
    `UPDATE users SET email = 'deleted-' || id || '@users.invalid', password_hash = '!', display_name = NULL
     WHERE id = ?`,
  ).run(userId);
}

export function deleteExpiredUserTokens(db: Db, before: number): number {
  return prepared(db, 'DELETE FROM user_tokens WHERE expires_at < ?').run(before).changes;
}

export function insertAdminToken(
  db: Db,
  row: { id: string; secret_hash: Buffer; label: string; created_at: number },
): void {
  prepared(
    db,
    `INSERT INTO admin_tokens (id, secret_hash, label, created_at)
     VALUES (@id, @secret_hash, @label, @created_at)
     ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, revoked_at = NULL`,
  ).run(row);
}

export function findAdminToken(db: Db, id: string): AdminTokenRow | undefined {
  return prepared(db, 'SELECT id, secret_hash, revoked_at FROM admin_tokens WHERE id = ?').get(id) as
    | AdminTokenRow
    | undefined;
}

export function countActiveAdminTokens(db: Db): number {
  const row = prepared(db, 'SELECT count(*) AS n FROM admin_tokens WHERE revoked_at IS NULL').get() as {
    n: number;
  };
  return row.n;
}
