import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.js';
import type { CredentialResolver, Identity, Role } from '../identity/identity.js';

/** Who may call a route. Every route must say; a route that does not fails the boot (deny by default). */
export type Access = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    identity: Identity | null;
  }
}

export interface AuthOptions {
  /** Resolvers by credential prefix (`eu`, `eo`, `ek`, ...). */
  readonly resolvers: Readonly<Record<string, CredentialResolver>>;
  /** Tried for a bearer without a known prefix (the operator token from ECOHUB_ADMIN_TOKEN). */
  readonly fallback: CredentialResolver;
  /** Route prefixes served by plugins we do not write (Swagger UI) and that are public. */
  readonly publicPrefixes: readonly string[];
}

// RFC 7235 section 2.1: the auth-scheme is case-insensitive and is followed by 1*SP.
const BEARER = /^bearer +([\x21-\x7e]{1,512})$/i;

async function resolve(request: FastifyRequest, options: AuthOptions): Promise<Identity | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new HubError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
  const token = match[1];
  const prefix = token.slice(0, token.indexOf('_'));
  const identity = await (options.resolvers[prefix] ?? options.fallback)(token);
  if (!identity) throw new HubError('UNAUTHENTICATED', 'the token is unknown, revoked or expired');
  return identity;
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('identity', null);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      if (options.publicPrefixes.some((p) => route.url.startsWith(p))) {
        route.config = { ...route.config, access: 'public' };
        return;
      }
      throw new Error(`route ${route.method} ${route.url} does not declare config.access`);
    }
    if (access !== 'public' && route.schema) {
      route.schema = { ...route.schema, security: [{ bearer: [] }] } as typeof route.schema;
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    request.identity = await resolve(request, options);
    if (access === undefined || access === 'public') return;
    if (!request.identity) throw new HubError('UNAUTHENTICATED', 'this route needs a bearer token');
    if (!access.includes(request.identity.kind)) {
      throw new HubError('FORBIDDEN', `a ${request.identity.kind} may not call this route`);
    }
  });
}

/** The caller's identity on a route that declared roles (the hook already refused anyone else). */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new HubError('UNAUTHENTICATED');
  return request.identity;
}

export function userIdOf(request: FastifyRequest): string {
  const identity = callerOf(request);
  if (identity.kind !== 'user') throw new HubError('FORBIDDEN', 'this route is for users');
  return identity.userId;
}
