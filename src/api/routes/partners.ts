import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import type { PartnerService } from '../../partners/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { PartnerIdParams, PartnerSchema } from './partner-schemas.js';

const tags = ['partners'];

export function partnerRoutes(app: App, partners: PartnerService): void {
  app.get(
    '/v1/partners',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'List every partner, oldest first',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(PartnerSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await partners.partners(callerOf(request), pageRequest(request.query, ['number', 'string'])),
      ),
  );

  app.get(
    '/v1/partners/me',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'The partner whose API key made this request',
        response: responses({ 200: PartnerSchema }, 401, 403),
      },
    },
    async (request) => {
      const caller = callerOf(request);
      if (caller.kind !== 'partner') throw new HubError('FORBIDDEN', 'this route is for partners');
      return partners.partner(caller, caller.partnerId);
    },
  );

  app.get(
    '/v1/partners/:partnerId',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'One partner (the operator, or the partner itself)',
        params: PartnerIdParams,
        response: responses({ 200: PartnerSchema }, 401, 403, 404),
      },
    },
    async (request) => partners.partner(callerOf(request), request.params.partnerId),
  );
}
