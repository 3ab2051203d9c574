import { useEffect, useState } from 'preact/hooks';

/**
 * History-API routing: real paths (`/devices/0a1b...`), so links can be shared and opened in a new
 * tab; the hub answers every page path with the app (src/api/web-app.ts).
 */
const listeners = new Set<() => void>();

export function currentPath(): string {
  return window.location.pathname;
}

export function navigate(path: string, replace = false): void {
  if (path === currentPath() + window.location.search) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
  // A new page starts at its top, with focus where a screen reader expects it.
  window.scrollTo(0, 0);
  queueMicrotask(() => document.getElementById('main')?.focus({ preventScroll: true }));
}

function currentLocation(): string {
  return window.location.pathname + window.location.search;
}

/** The current path; components using it render again when the path or the query changes. */
export function usePath(): string {
  const [location, setLocation] = useState(currentLocation());
  useEffect(() => {
    const update = () => setLocation(currentLocation());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location.split('?')[0] ?? '/';
}

/** Matches `/devices/:id` style patterns; the params, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.replace(/\/+$/, '').split('/');
  if (path === '/' && pattern === '/') return {};
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] ?? '';
    const actual = a[i] ?? '';
    if (part.startsWith(':')) {
      if (actual === '') return undefined;
      params[part.slice(1)] = decodeURIComponent(actual);
    } else if (part !== actual) return undefined;
  }
  return params;
}

/** Paths the hub serves itself (API docs, OpenAPI): a full page load, not an app page. */
function isHubPath(path: string): boolean {
  return ['/v1', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz'].some(
    (p) => path === p || path.startsWith(`${p}/`),
  );
}

/** Intercepts a click on an in-app link: same-origin, no modifier keys, left button. */
export function onLinkClick(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin || isHubPath(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
