import type { TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import type { FastifyBaseLogger } from 'fastify';
import type { Verification } from '../commerce/signature.js';
import { HubError } from '../errors.js';
import type { App } from './types.js';
import { createValidatorCompiler } from './validation.js';

/**
 * The payment provider's signed webhooks (/v1/payments/webhook, /v1/flash-payments/webhook): each
 * route's plugin scope hands the handler the raw body bytes, unparsed, so the HMAC signature is
 * checked on exactly what was sent before anything is parsed (docs/commerce.md, "Payments").
 */

/** A webhook body is small; anything larger is not from the provider. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

/** Registers `routes` in a plugin scope of their own, where a JSON body reaches the handler as its raw bytes. */
export function signedWebhookScope(app: App, routes: (scope: App) => void): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    routes(scope);
  });
}

/** The provider's signature check over the raw bytes (CommerceService.verifyWebhook). */
export type VerifyWebhook = (
  h: { timestamp: string | undefined; signature: string | undefined },
  raw: Buffer,
) => Verification;

/** The request as a webhook handler reads it: the raw bytes, the signature headers, its logger. */
interface WebhookRequest {
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly log: FastifyBaseLogger;
}

/**
 * A webhook's body once its signature checks out: 415 unless the body is the raw JSON bytes, 401
 * (logged with why) for a bad or missing signature or timestamp, 400 for signed bytes that are not JSON.
 */
export function signedWebhookBody(
  request: WebhookRequest,
  verify: VerifyWebhook,
  what: string,
): { readonly body: unknown; readonly signedAt: number } {
  const raw = request.body;
  if (!Buffer.isBuffer(raw))
    throw new HubError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const verified = verify(
    { timestamp: header('x-ecohub-timestamp'), signature: header('x-ecohub-signature') },
    raw,
  );
  if (!verified.ok) {
    request.log.warn({ reason: verified.reason }, `${what} refused`);
    throw new HubError('UNAUTHENTICATED', `webhook refused: ${verified.reason}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HubError('INVALID_JSON', 'the signed body is not valid JSON');
  }
  return { body: parsed, signedAt: verified.signedAt };
}

/** Checks a parsed webhook body against the route's schema: a 400 problem naming the field, as for any body. */
export function webhookEventChecker<T>(schema: TSchema, url: string): (data: unknown) => T {
  const validate = createValidatorCompiler()({ schema, httpPart: 'body', method: 'POST', url });
  return (data) => {
    const result = validate(data) as { error?: Error & { validation: ErrorObject[] } };
    if (result.error) throw Object.assign(result.error, { validationContext: 'body' });
    return data as T;
  };
}
