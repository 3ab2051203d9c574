// ecohub service worker: makes the app installable and quick to reopen. It keeps the app shell
// (index.html, hashed assets, icons) and NEVER touches API answers, MQTT or docs: those always go
// to the network, so a device state or a token is never served from a cache.
const SHELL = 'ecohub-shell-v1';
const ASSETS = 'ecohub-assets-v1';
// Hashed files are immutable; each build adds new ones, so the cache keeps only the newest few.
const MAX_ASSETS = 60;
const HUB_PATHS = ['/v1', '/docs', '/openapi.json', '/mqtt', '/healthz', '/readyz', '/metrics'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(['/', '/manifest.webmanifest', '/icons/icon.svg']))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k !== SHELL && k !== ASSETS).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

function isHubPath(path) {
  return HUB_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

async function trim(cache) {
  const keys = await cache.keys();
  for (const key of keys.slice(0, Math.max(0, keys.length - MAX_ASSETS))) await cache.delete(key);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || isHubPath(url.pathname)) return;

  if (request.mode === 'navigate') {
    // Pages: the network first (a new build shows at once); the cached shell when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(SHELL).then((cache) => cache.put('/', copy));
          }
          return response;
        })
        .catch(() => caches.match('/').then((cached) => cached ?? Response.error())),
    );
    return;
  }

  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.open(ASSETS).then((cache) =>
        cache.match(request).then(
          (cached) =>
            cached ??
            fetch(request).then((response) => {
              if (response.ok) cache.put(request, response.clone()).then(() => trim(cache));
              return response;
            }),
        ),
      ),
    );
    return;
  }

  if (url.pathname.startsWith('/icons/') || url.pathname === '/manifest.webmanifest') {
    // Small and rarely changed: the cached copy now, a fresh one for next time.
    event.respondWith(
      caches.open(SHELL).then((cache) =>
        cache.match(request).then((cached) => {
          const fresh = fetch(request).then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          });
          if (cached === undefined) return fresh;
          fresh.catch(() => undefined);
          return cached;
        }),
      ),
    );
  }
});
