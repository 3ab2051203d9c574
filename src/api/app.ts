import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AuthOptions, registerAuth } from './auth.js';
import { registerProblemHandlers } from './problems.js';
import { registerRequestLog } from './request-log.js';
import { ProblemSchema } from './schemas.js';
import type { App } from './types.js';
import { createValidatorCompiler } from './validation.js';

export interface ApiOptions {
  readonly log: Logger;
  readonly auth: Omit<AuthOptions, 'publicPrefixes'>;
  readonly publicUrl: string | undefined;
  readonly bodyLimit: number;
  readonly trustProxy: boolean;
  readonly version: string;
}

/**
 * Builds the fastify app with the cross-cutting pieces (validation, problems, auth, OpenAPI).
 * Route files are registered by the caller through `routes`, after these are in place, so every
 * route gets the same validator, error format and access check.
 */
export async function buildApi(options: ApiOptions, routes: (app: App) => void): Promise<App> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's logger type the default one.
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // fastify closes idle keep-alive sockets on close(): no open handles are left behind.
    forceCloseConnections: true,
    // fastify's two lines per request are off: request-log.ts writes one instead.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerRequestLog(app, { quietPaths: ['/healthz', '/readyz', '/metrics'] });
  registerProblemHandlers(app);
  registerAuth(app, { ...options.auth, publicPrefixes: ['/docs'] });
  app.addSchema(ProblemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ecohub API',
        version: options.version,
        description:
          'Device hub for a consumer IoT ecosystem. Errors are application/problem+json with a stable `code` (see docs/api.md).',
      },
      servers: options.publicUrl ? [{ url: options.publicUrl }] : [],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  routes(app);
  return app;
}
