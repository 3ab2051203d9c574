import { Type } from '@sinclair/typebox';
import type { ModelService } from '../../registry/models/service.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { CatalogEntrySchema, ModelDocument, ModelParams } from './model-schemas.js';

const tags = ['catalog'];

/** The public catalog: published models, what a phone app needs to list them and render controls. */
export function catalogRoutes(app: App, models: ModelService): void {
  app.get(
    '/v1/catalog/models',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Published models (the latest published version of each), by model id',
        querystring: Type.Object({
          category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          ...PageQuery,
        }),
        response: responses({ 200: PageOf(CatalogEntrySchema) }, 400),
      },
    },
    async (request) =>
      pageResponse(await models.catalog(request.query.category, pageRequest(request.query, ['string']))),
  );

  app.get(
    '/v1/catalog/models/:modelId',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The latest published document of a model',
        params: ModelParams,
        response: responses({ 200: ModelDocument }, 404),
      },
    },
    async (request) => await models.catalogDocument(request.params.modelId),
  );
}
