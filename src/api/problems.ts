import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, errorTable, type FieldError, HubError, MAX_FIELD_ERRORS } from '../errors.js';
import { fieldErrors } from './validation.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
  /** Present (true) when more problems exist than `errors` lists. */
  errorsTruncated?: true;
}

function send(reply: FastifyReply, request: FastifyRequest, err: HubError): FastifyReply {
  const body: Problem = {
    type: `urn:ecohub:error:${err.code}`,
    title: errorTable[err.code].title,
    status: err.status,
    code: err.code,
    detail: err.message,
    instance: request.url,
    requestId: String(request.id),
  };
  if (err.errors.length > 0) body.errors = [...err.errors];
  if (err.errorsTruncated) body.errorsTruncated = true;
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  return reply.code(err.status).type('application/problem+json').send(body);
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/** Translates any thrown error into the one problem format. Internal errors are logged, never echoed. */
export function toHubError(err: FastifyError | Error): HubError {
  if (err instanceof HubError) return err;
  const fe = err as FastifyError & {
    validation?: ErrorObject[];
    validationContext?: string;
    validationTruncated?: boolean;
  };
  if (fe.validation) {
    const errors = fieldErrors(fe.validation.slice(0, MAX_FIELD_ERRORS));
    const truncated = fe.validationTruncated === true || fe.validation.length > MAX_FIELD_ERRORS;
    const where = fe.validationContext ?? 'request';
    const listed = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return new HubError('VALIDATION_FAILED', `${where}: ${listed}${truncated ? '; and more' : ''}`, {
      errors,
      errorsTruncated: truncated,
    });
  }
  const mapped = fe.code ? fastifyCodes[fe.code] : undefined;
  if (mapped) return new HubError(mapped, fe.message);
  if (err instanceof SyntaxError || (fe.statusCode === 400 && fe.message.includes('JSON'))) {
    return new HubError('INVALID_JSON', fe.message);
  }
  if (fe.statusCode === 429) return new HubError('RATE_LIMITED', fe.message);
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new HubError('VALIDATION_FAILED', fe.message);
  }
  return new HubError('INTERNAL');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const hubError = toHubError(err);
    if (hubError.status >= 500) request.log.error({ err }, 'request failed');
    return send(reply, request, hubError);
  });
  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      request,
      new HubError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
