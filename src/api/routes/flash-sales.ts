import { Type } from '@sinclair/typebox';
import type { FlashService } from '../../commerce/flash-service.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../../commerce/idempotency.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { Id } from './commerce-schemas.js';
import {
  DrawTicketSchema,
  PurchaseAnswerSchema,
  PurchaseParams,
  PurchaseSchema,
  RegistrationSchema,
  SaleInputSchema,
  SaleParams,
  SaleSchema,
} from './flash-schemas.js';

const tags = ['flash sales'];

/** Flash sales, registrations, priority codes, purchases and the draw (docs/flash-sales.md). */
export function flashSaleRoutes(app: App, flash: FlashService): void {
  app.get(
    '/v1/flash-sales',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Flash sales, oldest first (public: the store front)',
        querystring: Type.Object({ ...PageQuery, partnerId: Type.Optional(Id) }),
        response: responses({ 200: PageOf(SaleSchema) }, 400),
      },
    },
    async (request) =>
      pageResponse(
        await flash.sales.list(
          { partnerId: request.query.partnerId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.post(
    '/v1/flash-sales',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Create a flash sale of one of your SKUs',
        body: SaleInputSchema,
        response: responses({ 201: SaleSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await flash.sales.create(callerOf(request), request.body)),
  );

  app.get(
    '/v1/flash-sales/:saleId',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'One flash sale',
        params: SaleParams,
        response: responses({ 200: SaleSchema }, 404),
      },
    },
    async (request) => flash.sales.view(request.params.saleId),
  );

  app.post(
    '/v1/flash-sales/:saleId/registrations',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Register for a sale (during its registration window): only registrants may buy',
        params: SaleParams,
        response: responses({ 200: RegistrationSchema, 201: RegistrationSchema }, 401, 403, 404, 409, 429),
      },
    },
    async (request, reply) => {
      await flash.limit('address', request.ip);
      const { created, registration } = await flash.sales.register(callerOf(request), request.params.saleId);
      return reply.code(created ? 201 : 200).send(registration);
    },
  );

  app.get(
    '/v1/flash-sales/:saleId/registration',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Your registration for a sale (your ticket in the draw)',
        params: SaleParams,
        response: responses({ 200: RegistrationSchema }, 401, 403, 404),
      },
    },
    async (request) => flash.sales.registration(callerOf(request), request.params.saleId),
  );

  app.post(
    '/v1/flash-sales/:saleId/purchases',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Buy: a reservation (201), a waitlist place or a queue position (202), or sold out (409)',
        description:
          'Idempotency-Key required: the same key and body replay the stored answer byte for byte and create ' +
          'nothing. Pay the reservation within its window (expiresAt) or it goes to the waitlist. `code` redeems ' +
          'a priority code (one unit, no registration needed). 429 with Retry-After past the per-user or per-address rate.',
        params: SaleParams,
        headers: Type.Object(
          { 'idempotency-key': Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN }) },
          { additionalProperties: true },
        ),
        body: Type.Object({
          quantity: Type.Integer({ minimum: 1, maximum: 100, default: 1 }),
          code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: responses(
          { 201: PurchaseAnswerSchema, 202: PurchaseAnswerSchema },
          400,
          401,
          403,
          404,
          409,
          422,
          429,
        ),
      },
    },
    async (request, reply) => {
      const answer = await flash.buy(
        callerOf(request),
        request.ip,
        request.params.saleId,
        request.headers['idempotency-key'],
        request.body,
      );
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      if (answer.retryAfter !== undefined) reply.header('retry-after', String(answer.retryAfter));
      return reply
        .code(answer.status)
        .type('application/json; charset=utf-8')
        .serializer((body: string) => body)
        .send(answer.body);
    },
  );

  app.get(
    '/v1/flash-sales/:saleId/draw',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The draw: seed hash, the seed once the sale closed, every ticket and whether it won',
        params: SaleParams,
        querystring: Type.Object(PageQuery),
        response: responses(
          {
            200: PageOf(DrawTicketSchema, {
              saleId: Type.String(),
              seedHash: Type.String(),
              seed: Type.Union([Type.String(), Type.Null()]),
              drawnAt: Type.Union([Type.String(), Type.Null()]),
            }),
          },
          400,
          404,
        ),
      },
    },
    async (request) => {
      const page = await flash.sales.draw(request.params.saleId, pageRequest(request.query, ['number']));
      return { ...page, ...pageResponse(page) };
    },
  );

  app.post(
    '/v1/flash-sales/:saleId/codes',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Issue priority codes: each guarantees one unit to whoever redeems it (shown once)',
        params: SaleParams,
        body: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 1000 }) }),
        response: responses(
          { 201: Type.Object({ codes: Type.Array(Type.String()), sale: SaleSchema }) },
          400,
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await flash.sales.issueCodes(callerOf(request), request.params.saleId, request.body.count)),
  );

  app.get(
    '/v1/flash-purchases',
    {
      config: { access: ['user', 'partner', 'operator'] },
      schema: {
        tags,
        summary: "Your purchases (user), or a sale's (partner, operator: saleId required)",
        querystring: Type.Object({ ...PageQuery, saleId: Type.Optional(Id) }),
        response: responses({ 200: PageOf(PurchaseSchema) }, 400, 401, 404),
      },
    },
    async (request) =>
      pageResponse(
        await flash.purchases.list(
          callerOf(request),
          { saleId: request.query.saleId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/flash-purchases/:purchaseId',
    {
      config: { access: ['user', 'partner', 'operator'] },
      schema: {
        tags,
        summary: 'One purchase',
        params: PurchaseParams,
        response: responses({ 200: PurchaseSchema }, 401, 404),
      },
    },
    async (request) => flash.purchases.view(callerOf(request), request.params.purchaseId),
  );

  app.post(
    '/v1/flash-purchases/:purchaseId/cancel',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary: 'Give back an unpaid reservation: its units go to the waitlist at once',
        params: PurchaseParams,
        response: responses({ 200: PurchaseSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => flash.purchases.cancel(callerOf(request), request.params.purchaseId),
  );
}
