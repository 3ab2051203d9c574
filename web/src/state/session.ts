import { isRecord } from '../api/decode.js';
import type { User } from '../api/types.js';

/** A signed-in user, kept across visits like a phone app keeps its login (until it expires). */
export interface UserSession {
  readonly kind: 'user';
  readonly token: string;
  readonly expiresAt: string;
  readonly user: User;
}

const KEY = 'ecohub.session';

export function loadSession(storage: Storage = window.localStorage): UserSession | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(KEY) ?? 'null');
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed['kind'] !== 'user') return undefined;
  const { token, expiresAt, user } = parsed;
  if (typeof token !== 'string' || typeof expiresAt !== 'string' || !isRecord(user)) return undefined;
  if (typeof user['id'] !== 'string' || typeof user['email'] !== 'string') return undefined;
  if (Date.parse(expiresAt) <= Date.now()) {
    storage.removeItem(KEY);
    return undefined;
  }
  const displayName = typeof user['displayName'] === 'string' ? user['displayName'] : null;
  return { kind: 'user', token, expiresAt, user: { id: user['id'], email: user['email'], displayName } };
}

export function saveSession(session: UserSession, storage: Storage = window.localStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = window.localStorage): void {
  storage.removeItem(KEY);
}
