import { Type } from '@sinclair/typebox';
import type { FlashService } from '../../commerce/flash-service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { CurrencyCode, Id, MinorUnits, Nullable } from './commerce-schemas.js';
import { PreorderSchema } from './flash-schemas.js';
import { ModelParams } from './model-schemas.js';

const tags = ['flash sales'];

const Margin = Type.Object({
  priceMinor: Nullable(Type.Integer()),
  bomCostMinor: Nullable(Type.Integer()),
  commissionMinor: Nullable(Type.Integer()),
  rateBp: Type.Integer(),
  marginMinor: Nullable(Type.Integer()),
  marginBp: Nullable(Type.Integer()),
});

const BatchSchema = Type.Object({
  batchId: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  currency: Type.String(),
  units: Type.Integer(),
  bomCostMinor: Type.Integer({ description: 'BOM cost per unit at build time' }),
  status: Type.String({ description: 'held or released' }),
  holdUntilMarginBp: Nullable(Type.Integer()),
  allocated: Type.Integer({ description: 'units given to pre-orders' }),
  createdAt: Type.String(),
  releasedAt: Nullable(Type.String()),
  releaseReason: Nullable(Type.String({ description: 'not_held, margin or partner' })),
  margin: Margin,
  marginNow: Margin,
  links: Type.Object({ chart: Type.String() }),
});

const Lifetime = Type.Object({
  currency: Type.String(),
  unitsSold: Type.Integer(),
  revenueMinor: Type.Integer(),
  commissionMinor: Type.Integer(),
  bomCostMinor: Type.Integer(),
  unitsWithoutBatchCost: Type.Integer(),
  marginMinor: Type.Integer(),
  marginBp: Nullable(Type.Integer()),
});

const BatchParams = Type.Object({ batchId: Id });
const PreorderParams = Type.Object({ purchaseId: Id });

/** Pre-orders, production batches, margins and the margin chart (docs/flash-sales.md). */
export function flashBatchRoutes(app: App, flash: FlashService): void {
  app.get(
    '/v1/flash-preorders',
    {
      config: { access: ['user', 'partner', 'operator'] },
      schema: {
        tags,
        summary: "Your pre-orders (user), or a sale's (partner, operator: saleId required)",
        querystring: Type.Object({ ...PageQuery, saleId: Type.Optional(Id) }),
        response: responses({ 200: PageOf(PreorderSchema) }, 400, 401, 404),
      },
    },
    async (request) =>
      pageResponse(
        await flash.preorders.list(
          callerOf(request),
          { saleId: request.query.saleId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/flash-preorders/:purchaseId',
    {
      config: { access: ['user', 'partner', 'operator'] },
      schema: {
        tags,
        summary: 'One pre-order',
        params: PreorderParams,
        response: responses({ 200: PreorderSchema }, 401, 404),
      },
    },
    async (request) => flash.preorders.view(callerOf(request), request.params.purchaseId),
  );

  app.post(
    '/v1/flash-preorders/:purchaseId/cancel',
    {
      config: { access: ['user', 'operator'] },
      schema: {
        tags,
        summary:
          "Give up a pre-order: before its units, the deposit is refunded; after, the sale's missed-balance rule",
        params: PreorderParams,
        response: responses({ 200: PreorderSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => flash.preorders.cancel(callerOf(request), request.params.purchaseId),
  );

  app.post(
    '/v1/production-batches',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary:
          'Record a provisioning batch as a production batch: its BOM cost, and an optional hold by margin',
        body: Type.Object(
          {
            batchId: Id,
            bomCostMinor: Type.Optional(
              MinorUnits(0, 'BOM cost per unit at build time (default: in force now)'),
            ),
            currency: Type.Optional(CurrencyCode),
            holdUntilMarginBp: Type.Optional(
              Type.Integer({
                minimum: -10000,
                maximum: 10000,
                description: 'hold until the margin reaches this (bp)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: BatchSchema, 201: BatchSchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const { created, batch } = await flash.batches.create(callerOf(request), request.body);
      return reply.code(created ? 201 : 200).send(batch);
    },
  );

  app.get(
    '/v1/production-batches',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Production batches (yours; an operator sees all), oldest first',
        querystring: Type.Object({ ...PageQuery, modelId: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: responses({ 200: PageOf(BatchSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await flash.batches.list(
          callerOf(request),
          { modelId: request.query.modelId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/production-batches/:batchId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'One production batch',
        params: BatchParams,
        response: responses({ 200: BatchSchema }, 401, 404),
      },
    },
    async (request) => flash.batches.view(callerOf(request), request.params.batchId),
  );

  app.post(
    '/v1/production-batches/:batchId/release',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Release a held batch now, whatever its margin: to waiting pre-orders first, then stock',
        params: BatchParams,
        response: responses({ 200: BatchSchema }, 401, 404, 409),
      },
    },
    async (request) => flash.batches.release(callerOf(request), request.params.batchId),
  );

  app.get(
    '/v1/models/:modelId/batch-margins',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "A model's margin over its lifetime and per production batch, with a link to its chart",
        params: ModelParams,
        response: responses(
          {
            200: Type.Object({
              modelId: Type.String(),
              lifetime: Type.Array(Lifetime),
              batches: Type.Array(BatchSchema),
              links: Type.Object({ chart: Type.String() }),
            }),
          },
          401,
          404,
        ),
      },
    },
    async (request) => flash.margins.model(callerOf(request), request.params.modelId),
  );

  app.get(
    '/v1/models/:modelId/margin-chart.svg',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "The model's price, BOM cost and margin over time, with its batches, as an SVG image",
        params: ModelParams,
        querystring: Type.Object({ currency: Type.Optional(CurrencyCode) }),
        response: responses({ 200: Type.String({ description: 'image/svg+xml' }) }, 400, 401, 404),
      },
    },
    async (request, reply) =>
      reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(await flash.margins.chart(callerOf(request), request.params.modelId, request.query.currency)),
  );
}
