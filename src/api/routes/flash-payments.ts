import { Type } from '@sinclair/typebox';
import type { FlashPaymentEvent } from '../../commerce/flash-payments.js';
import type { FlashService } from '../../commerce/flash-service.js';
import { responses } from '../schemas.js';
import {
  signedWebhookBody,
  signedWebhookScope,
  type VerifyWebhook,
  webhookEventChecker,
} from '../signed-webhook.js';
import type { App } from '../types.js';
import { FlashPaymentEventSchema, PreorderSchema, PurchaseSchema } from './flash-schemas.js';

const tags = ['flash sales'];

export interface FlashPaymentDeps {
  readonly flash: FlashService;
  /** The payment provider's signature check (CommerceService.verifyWebhook). */
  readonly verifyWebhook: VerifyWebhook;
}

/**
 * The payment provider's webhook for flash purchases: signed like /v1/payments/webhook (HMAC over the
 * raw bytes, checked before parsing) with the same secret; each event applies once.
 */
export function flashPaymentRoutes(app: App, deps: FlashPaymentDeps): void {
  const check = webhookEventChecker<FlashPaymentEvent>(FlashPaymentEventSchema, '/v1/flash-payments/webhook');
  signedWebhookScope(app, (scope) => {
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
        const event = check(signedWebhookBody(request, deps.verifyWebhook, 'flash payment webhook').body);
        // balance.succeeded pays a pre-order's balance (docs/flash-sales.md, "Pre-orders").
        if (event.type === 'balance.succeeded') return deps.flash.preorders.payBalance(event);
        return deps.flash.payments.pay(event);
      },
    );
  });
}
