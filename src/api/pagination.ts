import { type TSchema, Type } from '@sinclair/typebox';
import { HubError } from '../errors.js';
import type { Page, PageKey, PageRequest } from '../store/page.js';

/**
 * Every list route answers `{ items, next }` and takes `limit` and `cursor` (docs/api.md,
 * "Lists"). `next` is an opaque cursor: base64url of the last item's sort key, meaningful only to
 * the route that issued it.
 */
export const PAGE_LIMITS = { default: 100, max: 1000 } as const;
/** Time series (history points and buckets, events) come in bigger pages: a chart wants them whole. */
export const SERIES_LIMITS = { default: 1000, max: 10_000 } as const;

function limitField(limits: { readonly default: number; readonly max: number }) {
  return Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: limits.max,
      default: limits.default,
      description: `items per page (at most ${limits.max})`,
    }),
  );
}

const cursorField = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'the `next` of the previous page',
  }),
);

/** Query fields of a list route; spread into its querystring schema. */
export const PageQuery = { cursor: cursorField, limit: limitField(PAGE_LIMITS) };
export const SeriesPageQuery = { cursor: cursorField, limit: limitField(SERIES_LIMITS) };

/** Response schema of a list route: `{ items, next }`, plus any fields that describe the list. */
export function PageOf<T extends TSchema>(item: T, extra: Record<string, TSchema> = {}) {
  return Type.Object({
    ...extra,
    items: Type.Array(item),
    next: Type.Union([Type.String(), Type.Null()], {
      description: 'cursor of the next page (pass it as `cursor`); null on the last page',
    }),
  });
}

/** The column types of a route's sort key, to check a cursor handed back by a client. */
export type KeyShape = readonly ('string' | 'number')[];

export function encodeCursor(key: PageKey | null): string | null {
  return key === null ? null : Buffer.from(JSON.stringify(key)).toString('base64url');
}

function badCursor(): HubError {
  return new HubError('VALIDATION_FAILED', 'querystring: /cursor is not a cursor this list issued', {
    errors: [{ path: '/cursor', message: 'must be the `next` of a previous page of this list' }],
  });
}

export function decodeCursor(cursor: string, shape: KeyShape): PageKey {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(key) || key.length !== shape.length) throw badCursor();
  for (const [i, type] of shape.entries()) {
    const value: unknown = key[i];
    if (type === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string') throw badCursor();
  }
  return key as PageKey;
}

/** The page a list request asks for: its cursor decoded against the route's key shape. */
export function pageRequest(
  q: { cursor?: string | undefined; limit?: number | undefined },
  shape: KeyShape,
  limits: { readonly default: number } = PAGE_LIMITS,
): PageRequest {
  return {
    limit: q.limit ?? limits.default,
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor, shape),
  };
}

/** A page as the route answers it: the next key becomes an opaque cursor. */
export function pageResponse<T>(page: Page<T>): { items: T[]; next: string | null } {
  return { items: page.items, next: encodeCursor(page.next) };
}
