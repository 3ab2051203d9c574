/**
 * Every list route answers a page `{ items, next }` whose `next` is the cursor of the following
 * page (null on the last one), passed back as `cursor` (docs/api.md, "Lists"). A bare or wrapped
 * array is still read, for an older hub. A cursor that is a path (`/v1/...`) is fetched as it is.
 */
export const CURSOR_PARAM = 'cursor';

/** A runaway server (a cursor that never ends) stops here instead of looping forever. */
export const MAX_PAGES = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The path of the page after `path` for cursor `next`. */
export function nextPagePath(path: string, next: string | number): string {
  const cursor = String(next);
  if (cursor.startsWith('/')) return cursor;
  const [base = '', query = ''] = path.split('?', 2);
  const params = new URLSearchParams(query);
  params.set(CURSOR_PARAM, cursor);
  return `${base}?${params.toString()}`;
}

export interface Page {
  readonly items: unknown[];
  readonly next: string | number | null;
}

/** One response as a page; throws when it is no list at all (the API changed under us). */
export function asPage(body: unknown, legacyKey?: string): Page {
  if (Array.isArray(body)) return { items: body, next: null };
  if (isRecord(body)) {
    const next = typeof body['next'] === 'string' || typeof body['next'] === 'number' ? body['next'] : null;
    if (Array.isArray(body['items'])) return { items: body['items'], next };
    // Today's paged lists name their array (`{ devices, next }`, `{ entries, next }`).
    if (legacyKey !== undefined && Array.isArray(body[legacyKey])) return { items: body[legacyKey], next };
  }
  throw new Error(`expected a list${legacyKey ? ` (or "${legacyKey}")` : ''}, got ${typeof body}`);
}

/** Every item of a list route, following `next` until the last page. */
export async function collectPages(
  path: string,
  fetchPage: (path: string) => Promise<unknown>,
  legacyKey?: string,
): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let current = path;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items: pageItems, next } = asPage(await fetchPage(current), legacyKey);
    items.push(...pageItems);
    if (next === null || pageItems.length === 0) return items;
    current = nextPagePath(path, next);
    if (seen.has(current)) return items;
    seen.add(current);
  }
  return items;
}
