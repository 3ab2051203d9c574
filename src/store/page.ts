/**
 * Keyset pagination, the one way every list is paged. A list is ordered by a key (a tuple of
 * columns ending in something unique, e.g. `[created_at, id]`); a page is the first `limit` items
 * whose key is past `after`, and `next` is the key of its last item when more follow. Unlike an
 * offset, a key stays right while rows are added or removed between two requests.
 */
export type PageKey = readonly (string | number)[];

export interface PageRequest {
  /** Key of the last item of the previous page; absent for the first page. */
  readonly after?: PageKey | undefined;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Key of the last item when more items follow, else null. */
  readonly next: PageKey | null;
}

/**
 * The page for rows read with `LIMIT limit + 1`: the extra row only says that a next page exists.
 */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => PageKey,
  view: (row: R) => T,
): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(view),
    next: rows.length > limit && last !== undefined ? keyOf(last) : null,
  };
}

/** Orders two keys of the same shape, column by column. */
export function compareKeys(a: PageKey, b: PageKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

/**
 * A page of a list held in memory (a small, already bounded collection, e.g. one device's shares),
 * with the same contract as a page read from SQL. `items` are in list order, which is `keyOf`
 * order (`direction`). The page starts after the item whose key is `after`, or, if that item is
 * gone, after where it would be.
 */
export function pageOfList<T>(
  items: readonly T[],
  req: PageRequest,
  keyOf: (item: T) => PageKey,
  direction: 'asc' | 'desc' = 'asc',
): Page<T> {
  const after = req.after;
  let start = 0;
  if (after !== undefined) {
    const sign = direction === 'asc' ? 1 : -1;
    const exact = items.findIndex((item) => compareKeys(keyOf(item), after) === 0);
    const past = items.findIndex((item) => sign * compareKeys(keyOf(item), after) > 0);
    start = exact >= 0 ? exact + 1 : past >= 0 ? past : items.length;
  }
  return pageOf(items.slice(start, start + req.limit + 1), req.limit, keyOf, (item) => item);
}
