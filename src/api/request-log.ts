import type { FastifyInstance } from 'fastify';
import type { ErrorCode } from '../errors.js';

/** What the problem handler answered, for the request's log line. */
export interface ProblemOutcome {
  readonly code: ErrorCode;
  /** The thrown error when it was a bug (INTERNAL): logged with its stack. */
  readonly unexpected?: Error | undefined;
}

declare module 'fastify' {
  interface FastifyReply {
    problem: ProblemOutcome | null;
  }
}

export interface RequestLogOptions {
  /** Paths probed by load balancers and scrapers: logged at debug, or every few seconds is noise. */
  readonly quietPaths: readonly string[];
}

/** Client-chosen text in a log line is cut here: a line stays small whatever the URL. */
const MAX_URL_CHARS = 256;

/**
 * One log line per request, written when the response is sent (fastify's own two lines, "incoming
 * request" and "request completed", are off). Probes are at debug. An answered problem (a 4xx, a
 * device timeout, a 503 while starting) is an expected outcome: info, with its code and no stack.
 * Only a bug (500 INTERNAL) is an error, with the stack of what was thrown.
 */
export function registerRequestLog(app: FastifyInstance, options: RequestLogOptions): void {
  const quiet = new Set(options.quietPaths);
  app.decorateReply('problem', null);
  app.addHook('onResponse', async (request, reply) => {
    const url =
      request.url.length > MAX_URL_CHARS ? `${request.url.slice(0, MAX_URL_CHARS)}...` : request.url;
    const line = {
      method: request.method,
      url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ip: request.ip,
      ...(request.identity ? { caller: request.identity.kind } : {}),
      ...(reply.problem ? { code: reply.problem.code } : {}),
    };
    if (reply.problem?.unexpected) {
      request.log.error({ ...line, err: reply.problem.unexpected }, 'request failed');
    } else if (quiet.has(request.routeOptions.url ?? '')) {
      request.log.debug(line, 'request');
    } else {
      request.log.info(line, 'request');
    }
  });
}
