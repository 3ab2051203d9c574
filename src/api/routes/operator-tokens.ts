import { Type } from '@sinclair/typebox';
import type { OperatorTokens } from '../../identity/operator-tokens.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { Nullable, responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';

const OperatorTokenSchema = Type.Object({
  id: Type.String({ description: '`env` for the token adopted from ECOHUB_ADMIN_TOKEN' }),
  label: Type.String(),
  source: Type.Union(
    [Type.Literal('env'), Type.Literal('bootstrap'), Type.Literal('cli'), Type.Literal('api')],
    {
      description: 'env: ECOHUB_ADMIN_TOKEN; bootstrap: first start; cli: ecohub admin token; api: this API',
    },
  ),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

const tags = ['operators'];

export function operatorTokenRoutes(app: App, tokens: OperatorTokens): void {
  app.get(
    '/v1/operator-tokens',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Operator tokens, oldest first, revoked ones included (never the secrets)',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(OperatorTokenSchema) }, 400, 401, 403),
      },
    },
    async (request) => pageResponse(await tokens.list(pageRequest(request.query, ['number', 'string']))),
  );

  app.post(
    '/v1/operator-tokens',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Mint an operator token (shown only in this response)',
        body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses(
          { 201: Type.Composite([OperatorTokenSchema, Type.Object({ token: Type.String() })]) },
          400,
          401,
          403,
        ),
      },
    },
    async (request, reply) => reply.code(201).send(await tokens.mint(request.body.label, 'api')),
  );

  app.delete(
    '/v1/operator-tokens/:tokenId',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Revoke an operator token: it is refused from its next request on (this one included)',
        params: Type.Object({ tokenId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: responses({ 204: Type.Null() }, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await tokens.revoke(request.params.tokenId, callerOf(request));
      return reply.code(204).send(null);
    },
  );
}
