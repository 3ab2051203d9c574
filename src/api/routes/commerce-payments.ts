import { Type } from '@sinclair/typebox';
import type { PaymentEvent } from '../../commerce/payments.js';
import type { CommerceService } from '../../commerce/service.js';
import { responses } from '../schemas.js';
import { signedWebhookBody, signedWebhookScope, webhookEventChecker } from '../signed-webhook.js';
import type { App } from '../types.js';
import { PaymentEventSchema } from './commerce-schemas.js';

/**
 * The payment provider's webhook. Public, authenticated by an HMAC signature over the raw body bytes:
 * in this plugin's scope the JSON parser hands the handler the bytes, unparsed, so the signature is
 * checked on exactly what was sent. Nothing changes unless the signature, the timestamp, the event id
 * and the order all check out (docs/commerce.md, "Payments").
 */
export function commercePaymentRoutes(app: App, commerce: CommerceService): void {
  const check = webhookEventChecker<PaymentEvent>(PaymentEventSchema, '/v1/payments/webhook');

  signedWebhookScope(app, (scope) => {
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
        const signed = signedWebhookBody(
          request,
          (h, raw) => commerce.verifyWebhook(h, raw),
          'payment webhook',
        );
        return await commerce.payments.apply(check(signed.body), signed.signedAt);
      },
    );
  });
}
