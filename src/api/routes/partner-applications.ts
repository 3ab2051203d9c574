import { Type } from '@sinclair/typebox';
import type { PartnerService } from '../../partners/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { Email, responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';
import { ContractSchema, IssuedApiKeySchema, PartnerSchema, RateBp } from './partner-schemas.js';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]);

const ApplicationSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  company: Type.String(),
  contactEmail: Type.String(),
  website: Type.String(),
  categories: Type.Array(Type.String()),
  status: Status,
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was rejected' }),
  createdAt: Timestamp,
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  partnerId: Type.Union([Type.String(), Type.Null()], { description: 'The partner created on approval' }),
});

const ApplicationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['partners'];

export function partnerApplicationRoutes(app: App, partners: PartnerService): void {
  app.post(
    '/v1/partner-applications',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Apply to become a partner (reviewed by an operator)',
        body: Type.Object({
          company: Type.String({ minLength: 1, maxLength: 200 }),
          contactEmail: Email,
          website: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }),
          slug: Type.String({
            pattern: '^[a-z0-9][a-z0-9-]{1,31}$',
            description: 'Public handle and first segment of every model id ({slug}.{category}.{code})',
          }),
          categories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
            minItems: 1,
            maxItems: 64,
            uniqueItems: true,
            description: 'Category ids from the catalog (light, plug, ...)',
          }),
        }),
        response: responses({ 201: ApplicationSchema }, 400, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await partners.apply(request.body)),
  );

  app.get(
    '/v1/partner-applications',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'List partner applications, oldest first (the review queue)',
        querystring: Type.Object({ status: Type.Optional(Status), ...PageQuery }),
        response: responses({ 200: PageOf(ApplicationSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await partners.applications(
          callerOf(request),
          request.query.status,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/partner-applications/:id',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'One partner application',
        params: ApplicationParams,
        response: responses({ 200: ApplicationSchema }, 401, 403, 404),
      },
    },
    async (request) => partners.application(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/partner-applications/:id/approve',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Approve a pending application: creates the partner, its first contract and API key',
        description: 'The API key is shown only in this response. The contract is in force from today (UTC).',
        params: ApplicationParams,
        body: Type.Object({
          rateBp: Type.Optional(RateBp),
          note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
        }),
        response: responses(
          {
            201: Type.Object({
              partner: PartnerSchema,
              contract: ContractSchema,
              apiKey: IssuedApiKeySchema,
            }),
          },
          400,
          401,
          403,
          404,
          409,
        ),
      },
      // Every field is optional, so no body at all means the defaults (Ajv would refuse `undefined`).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const approval = await partners.approve(callerOf(request), request.params.id, request.body);
      return reply.code(201).send(approval);
    },
  );

  app.post(
    '/v1/partner-applications/:id/reject',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Reject a pending application, with the reason the applicant will be told',
        params: ApplicationParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
        response: responses({ 200: ApplicationSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => partners.reject(callerOf(request), request.params.id, request.body.reason),
  );
}
