import { Type } from '@sinclair/typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../../commerce/idempotency.js';
import type { OrderService } from '../../commerce/orders.js';
import type { RefundService } from '../../commerce/refunds.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { Id, OrderSchema, RefundSchema } from './commerce-schemas.js';

const tags = ['commerce'];
const OrderParams = Type.Object({ orderId: Id });

/** Orders, cancellation and refunds (docs/commerce.md). */
export function commerceOrderRoutes(app: App, deps: { orders: OrderService; refunds: RefundService }): void {
  const { orders, refunds } = deps;

  app.post(
    '/v1/orders',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Place an order: reserves the devices until payment (Idempotency-Key required)',
        description:
          'The same Idempotency-Key with the same body answers the stored response byte for byte and creates ' +
          'nothing; with a different body it is 422 IDEMPOTENCY_KEY_REUSED. Keys are per user. ' +
          'Pay within the payment window (expiresAt) or the reservation is released.',
        headers: Type.Object(
          { 'idempotency-key': Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN }) },
          { additionalProperties: true },
        ),
        body: Type.Object({
          lines: Type.Array(
            Type.Object({ skuId: Id, quantity: Type.Integer({ minimum: 1, maximum: 1000 }) }),
            { minItems: 1, maxItems: 50 },
          ),
        }),
        response: responses({ 201: OrderSchema }, 400, 401, 403, 404, 409, 422),
      },
    },
    async (request, reply) => {
      const placed = await orders.place(
        callerOf(request),
        request.headers['idempotency-key'],
        request.body.lines,
      );
      if (placed.replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .code(placed.status)
        .type('application/json; charset=utf-8')
        .serializer((body: string) => body)
        .send(placed.body);
    },
  );

  app.get(
    '/v1/orders',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary: 'Orders, newest first (a user sees only their own)',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(OrderSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(await orders.list(callerOf(request), pageRequest(request.query, ['number', 'string']))),
  );

  app.get(
    '/v1/orders/:orderId',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary: 'One order; once paid, each line lists the device ids sold on it',
        params: OrderParams,
        response: responses({ 200: OrderSchema }, 401, 403, 404),
      },
    },
    async (request) => orders.order(callerOf(request), request.params.orderId),
  );

  app.post(
    '/v1/orders/:orderId/cancel',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary: 'Cancel an unpaid order: its reserved stock returns at once',
        params: OrderParams,
        response: responses({ 200: OrderSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => orders.cancel(callerOf(request), request.params.orderId),
  );

  app.post(
    '/v1/orders/:orderId/refunds',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary:
          'Refund a paid order, whole or some lines: the buyer within the return window, the operator any time',
        params: OrderParams,
        body: Type.Object({
          lines: Type.Optional(
            Type.Array(Type.Integer({ minimum: 0, maximum: 49 }), {
              minItems: 1,
              maxItems: 50,
              description: 'line numbers; omitted = every line not yet refunded',
            }),
          ),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
        }),
        response: responses(
          { 201: Type.Object({ refund: RefundSchema, order: OrderSchema }) },
          400,
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await refunds.refund(callerOf(request), request.params.orderId, request.body)),
  );
}
