import { Type } from '@sinclair/typebox';
import type { PartnerService } from '../../partners/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { ContractSchema, PartnerIdParams, RateBp } from './partner-schemas.js';

const tags = ['partners'];

export function partnerContractRoutes(app: App, partners: PartnerService): void {
  app.get(
    '/v1/partners/:partnerId/contracts',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: "A partner's commission contracts: the one in force now, and the whole history",
        description:
          'History order: latest effective date first, then latest created (the order of precedence).',
        params: PartnerIdParams,
        querystring: Type.Object(PageQuery),
        response: responses(
          { 200: PageOf(ContractSchema, { current: Type.Union([ContractSchema, Type.Null()]) }) },
          400,
          401,
          403,
          404,
        ),
      },
    },
    async (request) => {
      const history = await partners.contracts(
        callerOf(request),
        request.params.partnerId,
        pageRequest(request.query, ['number', 'number', 'string']),
      );
      return { current: history.current, ...pageResponse({ items: [...history.items], next: history.next }) };
    },
  );

  app.post(
    '/v1/partners/:partnerId/contracts',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Set a new commission rate from a future date (operator only; history is append-only)',
        description:
          'effectiveFrom must be after today (UTC): a sale already made keeps the rate in force when it was made.',
        params: PartnerIdParams,
        body: Type.Object({
          rateBp: RateBp,
          effectiveFrom: Type.String({
            format: 'date',
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
            description: 'YYYY-MM-DD (UTC)',
          }),
          note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
        }),
        response: responses({ 201: ContractSchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await partners.setContract(callerOf(request), request.params.partnerId, request.body)),
  );
}
