import { Type } from '@sinclair/typebox';
import type { ModelService } from '../../registry/models/service.js';
import { MAX_MODEL_DOCUMENT_BYTES } from '../../registry/spec/index.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { modelImportRoutes } from './model-import.js';
import {
  LocalizedName,
  ModelDocument,
  ModelParams,
  ModelSchema,
  ModelState,
  VersionParams,
  VersionSchema,
} from './model-schemas.js';
import { modelTransitionRoutes } from './model-transitions.js';

const tags = ['models'];

/** The largest document body; a larger one is 413 PAYLOAD_TOO_LARGE before it is parsed. */
const bodyLimit = MAX_MODEL_DOCUMENT_BYTES;

// The code segment of a model id (src/registry/spec/schema.ts).
const VariantCode = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'e.g. bulb1s' });

export function modelRoutes(app: App, models: ModelService): void {
  app.post(
    '/v1/models',
    {
      config: { access: ['partner'] },
      bodyLimit,
      schema: {
        tags,
        summary: 'Create a model: its version 1 is a draft',
        description:
          'The body is the model document. Schema and quality-rule errors are reported in one 400 (up to 20), ' +
          'each with its JSON pointer and rule id; warnings are stored and returned.',
        body: ModelDocument,
        response: responses({ 201: VersionSchema }, 400, 401, 403, 409, 413),
      },
    },
    async (request, reply) => reply.code(201).send(await models.create(callerOf(request), request.body)),
  );

  app.get(
    '/v1/models',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'List models with their versions (a partner sees its own; the operator all)',
        querystring: Type.Object({
          partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          state: Type.Optional(ModelState),
          ...PageQuery,
        }),
        response: responses({ 200: PageOf(ModelSchema) }, 400, 401, 403),
      },
    },
    async (request) => {
      const { partnerId, state } = request.query;
      return pageResponse(
        await models.list(callerOf(request), { partnerId, state }, pageRequest(request.query, ['string'])),
      );
    },
  );

  app.get(
    '/v1/models/:modelId',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'One model and its versions, with their states and timestamps',
        params: ModelParams,
        response: responses({ 200: ModelSchema }, 401, 403, 404),
      },
    },
    async (request) => await models.model(callerOf(request), request.params.modelId),
  );

  app.get(
    '/v1/models/:modelId/versions/:version',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'One model version: document, state, warnings, certification note',
        params: VersionParams,
        response: responses({ 200: VersionSchema }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      await models.version(callerOf(request), request.params.modelId, request.params.version),
  );

  app.put(
    '/v1/models/:modelId/versions/:version',
    {
      config: { access: ['partner'] },
      bodyLimit,
      schema: {
        tags,
        summary: "Replace a draft's document (validated again)",
        params: VersionParams,
        body: ModelDocument,
        response: responses({ 200: VersionSchema }, 400, 401, 403, 404, 409, 413),
      },
    },
    async (request) => {
      const { modelId, version } = request.params;
      return await models.replaceDraft(callerOf(request), modelId, version, request.body);
    },
  );

  app.post(
    '/v1/models/:modelId/versions',
    {
      config: { access: ['partner'] },
      bodyLimit,
      schema: {
        tags,
        summary: 'Start the next version as a draft (once the latest is published or retired)',
        description:
          "Without a body, the draft is a copy of the latest version's document with specVersion bumped.",
        params: ModelParams,
        body: Type.Union([ModelDocument, Type.Null()]),
        response: responses({ 201: VersionSchema }, 400, 401, 403, 404, 409, 413),
      },
      // No body at all means "copy the latest version" (Ajv would refuse `undefined`).
      preValidation: async (request) => {
        request.body ??= null;
      },
    },
    async (request, reply) => {
      const version = await models.startVersion(callerOf(request), request.params.modelId, request.body);
      return reply.code(201).send(version);
    },
  );

  app.post(
    '/v1/models/:modelId/variants',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Derive an "S" variant from the latest published version of this model',
        description:
          'Creates model {slug}.{category}.{code} whose version 1 draft is the parent document with ' +
          '`model`, `parent`, `specVersion` (and `name`, if given) replaced.',
        params: ModelParams,
        body: Type.Object({ code: VariantCode, name: Type.Optional(LocalizedName) }),
        response: responses({ 201: VersionSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) => {
      const variant = await models.createVariant(callerOf(request), request.params.modelId, request.body);
      return reply.code(201).send(variant);
    },
  );

  modelTransitionRoutes(app, models);
  modelImportRoutes(app, models);
}
