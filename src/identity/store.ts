import type { Queryable } from '../store/engine.js';
import { sql } from '../store/sql.js';

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

const USER_COLUMNS = sql`id, email, password_hash, display_name, created_at`;
const TOKEN_COLUMNS = sql`id, user_id, secret_hash, expires_at, revoked_at`;

export async function insertUser(
  db: Queryable,
  user: Omit<UserRow, 'display_name'> & { display_name?: string | null },
): Promise<boolean> {
  const { changes } = await db.run(
    sql`INSERT INTO users (id, email, password_hash, display_name, created_at)
        VALUES (${user.id}, ${user.email}, ${user.password_hash}, ${user.display_name ?? null}, ${user.created_at})
        ON CONFLICT (email) DO NOTHING`,
  );
  return changes === 1;
}

export function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return db.one<UserRow>(sql`SELECT ${USER_COLUMNS} FROM users WHERE email = ${email}`);
}

export function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.one<UserRow>(sql`SELECT ${USER_COLUMNS} FROM users WHERE id = ${id}`);
}

export async function insertUserToken(
  db: Queryable,
  row: { id: string; user_id: string; secret_hash: Buffer; created_at: number; expires_at: number },
): Promise<void> {
  await db.run(
    sql`INSERT INTO user_tokens (id, user_id, secret_hash, created_at, expires_at)
        VALUES (${row.id}, ${row.user_id}, ${row.secret_hash}, ${row.created_at}, ${row.expires_at})`,
  );
}

export function findUserToken(db: Queryable, id: string): Promise<TokenRow | undefined> {
  return db.one<TokenRow>(sql`SELECT ${TOKEN_COLUMNS} FROM user_tokens WHERE id = ${id}`);
}

/** Every token that still works at `now` (the MQTT token cache loads them at start). */
export function liveUserTokens(db: Queryable, now: number): Promise<TokenRow[]> {
  return db.many<TokenRow>(
    sql`SELECT ${TOKEN_COLUMNS} FROM user_tokens WHERE revoked_at IS NULL AND expires_at > ${now}`,
  );
}

export async function revokeUserToken(db: Queryable, id: string, at: number): Promise<boolean> {
  const { changes } = await db.run(
    sql`UPDATE user_tokens SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL`,
  );
  return changes === 1;
}

export async function deleteUserTokens(db: Queryable, userId: string): Promise<number> {
  return (await db.run(sql`DELETE FROM user_tokens WHERE user_id = ${userId}`)).changes;
}

/**
 * A deleted account keeps its row (orders and the ledger refer to it) with nothing personal left:
 * the email becomes a unique placeholder (the address is free to register again) and the password
 * hash one that no password matches.
 */
export async function scrubUser(db: Queryable, userId: string): Promise<void> {
  await db.run(
    sql`UPDATE users SET email = 'deleted-' || id || '@users.invalid', password_hash = '!', display_name = NULL
        WHERE id = ${userId}`,
  );
}

export async function deleteExpiredUserTokens(db: Queryable, before: number): Promise<number> {
  return (await db.run(sql`DELETE FROM user_tokens WHERE expires_at < ${before}`)).changes;
}
