import { Type } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import type { PaymentEvent } from '../../commerce/payments.js';
import type { CommerceService } from '../../commerce/service.js';
import { HubError } from '../../errors.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { createValidatorCompiler } from '../validation.js';
import { PaymentEventSchema } from './commerce-schemas.js';

/** A webhook body is small; anything larger is not from the provider. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

function eventChecker(): (data: unknown) => PaymentEvent {
  const validate = createValidatorCompiler()({
    schema: PaymentEventSchema,
    httpPart: 'body',
    method: 'POST',
    url: '/v1/payments/webhook',
  });
  return (data) => {
    const result = validate(data) as { value?: unknown; error?: Error & { validation: ErrorObject[] } };
    if (result.error) throw Object.assign(result.error, { validationContext: 'body' });
    return data as PaymentEvent;
  };
}

/**
 * The payment provider's webhook. Public, authenticated by an HMAC signature over the raw body bytes:
 * in this plugin's scope the JSON parser hands the handler the bytes, unparsed, so the signature is
 * checked on exactly what was sent. Nothing changes unless the signature, the timestamp, the event id
 * and the order all check out (docs/commerce.md, "Payments").
 */
export function commercePaymentRoutes(app: App, commerce: CommerceService): void {
  const check = eventChecker();

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );

    scope.post(
      '/v1/payments/webhook',
      {
        config: { access: 'public' },
        schema: {
          tags: ['commerce'],
          summary: 'Payment provider events (payment.succeeded, refund.succeeded), HMAC-signed',
          description:
            'Headers: `x-ecohub-timestamp` (unix seconds) and `x-ecohub-signature: sha256=<hex HMAC-SHA256(secret, ' +
            'timestamp + "." + raw body)>`. Bad or missing signature, or a timestamp more than 5 minutes off: 401. ' +
            'An event id already processed: 409. Unknown order: 404. Payments not configured: 503.',
          response: responses(
            { 200: Type.Object({ eventId: Type.String(), orderId: Type.String(), status: Type.String() }) },
            400,
            401,
            404,
            409,
            413,
            415,
            503,
          ),
        },
      },
      async (request) => {
        const raw = request.body;
        if (!Buffer.isBuffer(raw))
          throw new HubError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
        const header = (name: string) => {
          const value = request.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        const verified = commerce.verifyWebhook(
          { timestamp: header('x-ecohub-timestamp'), signature: header('x-ecohub-signature') },
          raw,
        );
        if (!verified.ok) {
          request.log.warn({ reason: verified.reason }, 'payment webhook refused');
          throw new HubError('UNAUTHENTICATED', `webhook refused: ${verified.reason}`);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HubError('INVALID_JSON', 'the signed body is not valid JSON');
        }
        return await commerce.payments.apply(check(parsed), verified.signedAt);
      },
    );
  });
}
