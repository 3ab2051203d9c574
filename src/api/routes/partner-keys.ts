import { Type } from '@sinclair/typebox';
import type { PartnerService } from '../../partners/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { ApiKeySchema, IssuedApiKeySchema, PartnerIdParams } from './partner-schemas.js';

const KeyParams = Type.Composite([
  PartnerIdParams,
  Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 64 }) }),
]);
const tags = ['partners'];

export function partnerKeyRoutes(app: App, partners: PartnerService): void {
  app.get(
    '/v1/partners/:partnerId/api-keys',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: "A partner's API keys, newest first, revoked ones included (never the secrets)",
        params: PartnerIdParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(ApiKeySchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await partners.apiKeys(
          callerOf(request),
          request.params.partnerId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.post(
    '/v1/partners/:partnerId/api-keys',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Issue a new API key (shown only in this response)',
        description: 'At most 10 keys may be active at once; past that the answer is 409 INVALID_STATE.',
        params: PartnerIdParams,
        body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses({ 201: IssuedApiKeySchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await partners.createApiKey(callerOf(request), request.params.partnerId, request.body.label)),
  );

  app.post(
    '/v1/partners/:partnerId/api-keys/:keyId/rotate',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary:
          'Revoke a key and issue its replacement (same label) at once; the new key is shown only here',
        params: KeyParams,
        response: responses({ 201: IssuedApiKeySchema }, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await partners.rotateApiKey(callerOf(request), request.params.partnerId, request.params.keyId)),
  );

  app.delete(
    '/v1/partners/:partnerId/api-keys/:keyId',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Revoke an API key: it is refused from the next request on',
        params: KeyParams,
        response: responses({ 204: Type.Null() }, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await partners.revokeApiKey(callerOf(request), request.params.partnerId, request.params.keyId);
      return reply.code(204).send(null);
    },
  );
}
