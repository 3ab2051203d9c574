import { Type } from '@sinclair/typebox';
import type { CatalogService } from '../../commerce/catalog.js';
import { callerOf } from '../auth.js';
import { encodeCursor, PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import {
  BomSchema,
  CurrencyCode,
  Id,
  MarginPeriodSchema,
  MarginSchema,
  MinorUnits,
  SkuSchema,
  StoreSkuSchema,
} from './commerce-schemas.js';
import { ModelParams } from './model-schemas.js';

const tags = ['commerce'];
const SkuParams = Type.Object({ skuId: Id });

/** SKUs, the public store, BOM costs and margins (docs/commerce.md). */
export function commerceCatalogRoutes(app: App, catalog: CatalogService): void {
  app.post(
    '/v1/skus',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'List a SKU: one of your published models (an "S" variant is its own model) at a price',
        description:
          'A new SKU replaces the active SKU of the same model and currency (its price never changes). ' +
          "Stock is the model's provisioned devices not sold or reserved.",
        body: Type.Object({
          modelId: Type.String({ minLength: 1, maxLength: 128 }),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          priceMinor: MinorUnits(1, 'price per unit in minor units (cents for EUR)'),
          currency: CurrencyCode,
        }),
        response: responses({ 201: SkuSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await catalog.createSku(callerOf(request), request.body)),
  );

  app.get(
    '/v1/skus',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'SKUs with stock (a partner sees its own)',
        querystring: Type.Object({
          active: Type.Optional(Type.Boolean({ description: 'only active ones' })),
          ...PageQuery,
        }),
        response: responses({ 200: PageOf(SkuSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await catalog.skus(
          callerOf(request),
          { activeOnly: request.query.active === true },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/skus/:skuId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'One SKU with its stock: provisioned = available + reserved + sold',
        params: SkuParams,
        response: responses({ 200: SkuSchema }, 401, 403, 404),
      },
    },
    async (request) => catalog.sku(callerOf(request), request.params.skuId),
  );

  app.post(
    '/v1/skus/:skuId/deactivate',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Take a SKU off the store (orders already placed are kept)',
        params: SkuParams,
        response: responses({ 200: SkuSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => catalog.deactivate(callerOf(request), request.params.skuId),
  );

  app.get(
    '/v1/skus/:skuId/margins',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary:
          "A SKU's gross margin per BOM period, oldest first (price - BOM cost, minor units and basis points)",
        params: SkuParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(MarginPeriodSchema, { sku: SkuSchema }) }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const history = await catalog.marginHistory(
        callerOf(request),
        request.params.skuId,
        pageRequest(request.query, ['string']),
      );
      return { ...history, next: encodeCursor(history.next) };
    },
  );

  app.get(
    '/v1/margins',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Gross margin of every active SKU now, oldest SKU first (a partner sees its own)',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(MarginSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await catalog.margins(callerOf(request), pageRequest(request.query, ['number', 'string'])),
      ),
  );

  app.get(
    '/v1/store/skus',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The store: active SKUs of published models, with price and availability, by model id',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(StoreSkuSchema) }, 400),
      },
    },
    async (request) => pageResponse(await catalog.store(pageRequest(request.query, ['string', 'string']))),
  );

  app.post(
    '/v1/models/:modelId/bom-costs',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Record the BOM cost per unit of one of your models from a date (append-only)',
        params: ModelParams,
        body: Type.Object({
          costMinor: MinorUnits(0, 'cost per unit in minor units'),
          currency: CurrencyCode,
          effectiveFrom: Type.String({
            pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
            description: 'YYYY-MM-DD (UTC)',
          }),
        }),
        response: responses({ 201: BomSchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await catalog.addBom(callerOf(request), request.params.modelId, request.body)),
  );

  app.get(
    '/v1/models/:modelId/bom-costs',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'BOM cost in force now and a page of the history (latest effective date first)',
        params: ModelParams,
        querystring: Type.Object(PageQuery),
        response: responses(
          { 200: PageOf(BomSchema, { current: Type.Union([BomSchema, Type.Null()]) }) },
          400,
          401,
          403,
          404,
        ),
      },
    },
    async (request) => {
      const bom = await catalog.bom(
        callerOf(request),
        request.params.modelId,
        pageRequest(request.query, ['number', 'number', 'string']),
      );
      return { ...bom, next: encodeCursor(bom.next) };
    },
  );
}
