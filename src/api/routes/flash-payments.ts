import { Type } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import type { FlashPaymentEvent } from '../../commerce/flash-payments.js';
import type { FlashService } from '../../commerce/flash-service.js';
import type { Verification } from '../../commerce/signature.js';
import { HubError } from '../../errors.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { createValidatorCompiler } from '../validation.js';
import { FlashPaymentEventSchema, PreorderSchema, PurchaseSchema } from './flash-schemas.js';

const tags = ['flash sales'];

export interface FlashPaymentDeps {
  readonly flash: FlashService;
  /** The payment provider's signature check (CommerceService.verifyWebhook). */
  readonly verifyWebhook: (
    h: { timestamp: string | undefined; signature: string | undefined },
    raw: Buffer,
  ) => Verification;
}

/** A body is small; anything larger is not from the provider. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

/**
 * The payment provider's webhook for flash purchases: signed like /v1/payments/webhook (HMAC over the
 * raw bytes, checked before parsing) with the same secret; each event applies once.
 */
export function flashPaymentRoutes(app: App, deps: FlashPaymentDeps): void {
  const validate = createValidatorCompiler()({
    schema: FlashPaymentEventSchema,
    httpPart: 'body',
    method: 'POST',
    url: '/v1/flash-payments/webhook',
  });
  const check = (data: unknown): FlashPaymentEvent => {
    const result = validate(data) as { error?: Error & { validation: ErrorObject[] } };
    if (result.error) throw Object.assign(result.error, { validationContext: 'body' });
    return data as FlashPaymentEvent;
  };
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/v1/flash-payments/webhook',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Payment provider events for flash purchases, HMAC-signed like /v1/payments/webhook',
          response: responses(
            { 200: Type.Union([PurchaseSchema, PreorderSchema]) },
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
        const verified = deps.verifyWebhook(
          { timestamp: header('x-ecohub-timestamp'), signature: header('x-ecohub-signature') },
          raw,
        );
        if (!verified.ok) {
          request.log.warn({ reason: verified.reason }, 'flash payment webhook refused');
          throw new HubError('UNAUTHENTICATED', `webhook refused: ${verified.reason}`);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HubError('INVALID_JSON', 'the signed body is not valid JSON');
        }
        const event = check(parsed);
        // balance.succeeded pays a pre-order's balance (docs/flash-sales.md, "Pre-orders").
        if (event.type === 'balance.succeeded') return deps.flash.preorders.payBalance(event);
        return deps.flash.payments.pay(event);
      },
    );
  });
}
