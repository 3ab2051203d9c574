import { isRecord } from '../api/decode.js';

/**
 * A partner (API key) or operator (operator token) signed in to a console. Kept for this tab only
 * (sessionStorage): these credentials do more than a user's and do not expire by themselves.
 */
export type ConsoleSession =
  | {
      readonly kind: 'partner';
      readonly token: string;
      readonly partner: { readonly id: string; readonly slug: string; readonly company: string };
    }
  | { readonly kind: 'operator'; readonly token: string };

const KEY = 'ecohub.console';

export function loadConsoleSession(storage: Storage = window.sessionStorage): ConsoleSession | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(KEY) ?? 'null');
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed['token'] !== 'string') return undefined;
  if (parsed['kind'] === 'operator') return { kind: 'operator', token: parsed['token'] };
  const partner = parsed['partner'];
  if (parsed['kind'] !== 'partner' || !isRecord(partner)) return undefined;
  const { id, slug, company } = partner;
  if (typeof id !== 'string' || typeof slug !== 'string' || typeof company !== 'string') return undefined;
  return { kind: 'partner', token: parsed['token'], partner: { id, slug, company } };
}

export function saveConsoleSession(session: ConsoleSession, storage: Storage = window.sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearConsoleSession(storage: Storage = window.sessionStorage): void {
  storage.removeItem(KEY);
}
