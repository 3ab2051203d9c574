import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.js';

export interface WebAppOptions {
  /** The built web app (web/dist), or undefined when the hub should not serve one. */
  readonly root: string | undefined;
}

/**
 * Paths the web app never answers, even when no route matches below them: an unknown `/v1/...`
 * stays a `404 ROUTE_NOT_FOUND` problem instead of becoming the app's HTML.
 */
const RESERVED = ['/v1', '/docs', '/openapi.json', '/mqtt', '/healthz', '/readyz', '/metrics'];

/** Paths that name a static file: when it is not in the build, the answer is 404. */
const ASSET = /\.(?:m?js|css|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|json|webmanifest|txt|xml|html)$/i;

/** Dotfiles (and `..`) are never part of a build, nor a page. */
function hidden(path: string): boolean {
  return path.split('/').some((segment) => segment.startsWith('.'));
}

function reserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

// The app talks to its own origin only: REST, and MQTT over WebSocket at /mqtt.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
    // MQTT.js runs its keepalive timer in a blob worker, which background tabs do not throttle.
    "worker-src 'self' blob:; " +
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecohub: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web app is not built</h1>
<p>This hub runs, but it has no web app to serve: <code>web/dist</code> is missing.
Build it with <code>npm run build</code> (<code>npm start</code> builds it when it is missing), then reload.</p>
<p>The API works meanwhile: <a href="/docs">API documentation</a>, <a href="/openapi.json">OpenAPI document</a>.</p>
</body></html>
`;

/** Request path without query, or undefined when it cannot be decoded. */
function pathOf(request: FastifyRequest): string | undefined {
  const raw = request.url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Serves the single-page web app (docs/web.md): files of the build as they are, hashed assets as
 * immutable, and index.html for every other page path so deep links work. API, docs, MQTT and
 * operations paths are never shadowed. Without a build, pages explain how to make one.
 */
export function registerWebApp(app: App, options: WebAppOptions): void {
  const root = options.root === undefined ? undefined : resolve(options.root);
  // Only reply.sendFile is used: routes are declared here, with their access, like every other route.
  app.register(fastifyStatic, { root: root ?? process.cwd(), serve: false });

  const built = () => root !== undefined && existsSync(resolve(root, 'index.html'));

  /** A regular file inside the build, or undefined (never a path that escapes the root). */
  function fileIn(path: string): string | undefined {
    if (root === undefined) return undefined;
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep)) return undefined;
    try {
      return statSync(file).isFile() ? file.slice(root.length + 1) : undefined;
    } catch {
      return undefined;
    }
  }

  function sendFile(reply: FastifyReply, relative: string): FastifyReply {
    const immutable = relative.startsWith(`assets${sep}`);
    reply.headers(SECURITY_HEADERS);
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.sendFile(relative, { cacheControl: false, dotfiles: 'deny' });
  }

  async function handler(request: FastifyRequest, reply: FastifyReply) {
    const path = pathOf(request);
    if (path === undefined || reserved(path) || hidden(path)) return reply.callNotFound();
    const file = fileIn(path);
    if (file !== undefined) return sendFile(reply, file);
    // A missing asset is a 404, not the app. Page paths may hold dots (`/partner/models/acme.light.bulb1`).
    if (ASSET.test(path)) return reply.callNotFound();
    if (!built()) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    }
    return sendFile(reply, 'index.html');
  }

  const route = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get('/', route, handler);
  app.get('/*', route, handler);
}
