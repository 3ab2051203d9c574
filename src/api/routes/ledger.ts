import { Type } from '@sinclair/typebox';
import type { LedgerService } from '../../partners/ledger.js';
import { MONTH_PATTERN } from '../../partners/ledger-month.js';
import { type StatementService, statementCsv } from '../../partners/statements.js';
import { callerOf } from '../auth.js';
import { encodeCursor, PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';
import { CurrencyCode, Nullable, SignedMinorUnits } from './commerce-schemas.js';
import { PartnerIdParams } from './partner-schemas.js';

// Not tagged `partners`: that tag's table lives in docs/partners.md; these are in docs/commerce.md.
const tags = ['ledger'];
const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM (UTC calendar month)' });

const EntrySchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  partnerId: Type.String(),
  kind: Type.Union([Type.Literal('sale'), Type.Literal('refund'), Type.Literal('adjustment')]),
  statementMonth: Type.String(),
  currency: Type.String(),
  grossMinor: Type.Integer(),
  commissionMinor: Type.Integer(),
  adjustmentMinor: Type.Integer(),
  payableMinor: Type.Integer(),
  rateBp: Nullable(Type.Integer()),
  quantity: Type.Integer(),
  orderId: Nullable(Type.String()),
  lineNo: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
  createdAt: Timestamp,
});

const TotalsSchema = Type.Object({
  currency: Type.String(),
  grossSalesMinor: Type.Integer(),
  refundsMinor: Type.Integer(),
  commissionMinor: Type.Integer(),
  adjustmentsMinor: Type.Integer(),
  netPayableMinor: Type.Integer(),
  unitsSold: Type.Integer(),
  unitsRefunded: Type.Integer(),
  unitsActivated: Type.Integer(),
  entries: Type.Integer(),
});

const StatementSchema = Type.Object({
  partnerId: Type.String(),
  month: Type.String(),
  closed: Type.Boolean(),
  closedAt: Nullable(Timestamp),
  totals: Type.Array(TotalsSchema),
  unitsSold: Type.Integer(),
  unitsRefunded: Type.Integer(),
  unitsActivated: Type.Integer(),
  deposits: Type.Array(
    Type.Object({
      currency: Type.String(),
      receivedMinor: Type.Integer(),
      appliedMinor: Type.Integer(),
      forfeitedMinor: Type.Integer(),
      refundedMinor: Type.Integer(),
      entries: Type.Integer(),
    }),
    { description: 'pre-order deposits moved in the month (docs/flash-sales.md)' },
  ),
});

const ClosureSchema = Type.Object({ month: Type.String(), closedAt: Timestamp });

/** The commission ledger and monthly statements (docs/commerce.md). */
export function ledgerRoutes(app: App, deps: { ledger: LedgerService; statements: StatementService }): void {
  const { ledger, statements } = deps;

  app.get(
    '/v1/partners/:partnerId/ledger',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "A partner's ledger entries in order (sales, refunds, adjustments)",
        params: PartnerIdParams,
        querystring: Type.Object({ month: Type.Optional(Month), ...PageQuery }),
        response: responses({ 200: PageOf(EntrySchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await ledger.entries(
          callerOf(request),
          request.params.partnerId,
          { month: request.query.month },
          pageRequest(request.query, ['number']),
        ),
      ),
  );

  app.post(
    '/v1/partners/:partnerId/ledger/adjustments',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Append an adjustment: positive = the hub owes the partner more, negative = less',
        params: PartnerIdParams,
        body: Type.Object({
          amountMinor: SignedMinorUnits('non-zero, minor units'),
          currency: CurrencyCode,
          reason: Type.String({ minLength: 1, maxLength: 500 }),
        }),
        response: responses({ 201: EntrySchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await ledger.adjust(callerOf(request), request.params.partnerId, request.body)),
  );

  app.get(
    '/v1/partners/:partnerId/statements/:month',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "A partner's statement for a month: JSON, or CSV with ?format=csv or Accept: text/csv",
        params: Type.Composite([PartnerIdParams, Type.Object({ month: Month })]),
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
        }),
        response: responses({ 200: StatementSchema }, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const statement = await statements.statement(
        callerOf(request),
        request.params.partnerId,
        request.params.month,
      );
      const wantsCsv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && request.headers.accept === 'text/csv');
      if (!wantsCsv) return statement;
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="statement-${statement.partnerId}-${statement.month}.csv"`,
        )
        .serializer((body: string) => body)
        .send(statementCsv(statement));
    },
  );

  app.get(
    '/v1/statements/:month',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Every partner with activity in the month',
        params: Type.Object({ month: Month }),
        querystring: Type.Object(PageQuery),
        response: responses(
          { 200: PageOf(StatementSchema, { month: Type.String(), closed: Type.Boolean() }) },
          400,
          401,
          403,
        ),
      },
    },
    async (request) => {
      const all = await statements.all(
        callerOf(request),
        request.params.month,
        pageRequest(request.query, ['string']),
      );
      return { ...all, next: encodeCursor(all.next) };
    },
  );

  app.post(
    '/v1/statements/:month/close',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Close an ended month: its statements never change again (201; 200 if already closed)',
        params: Type.Object({ month: Month }),
        response: responses({ 200: ClosureSchema, 201: ClosureSchema }, 400, 401, 403, 409),
      },
    },
    async (request, reply) => {
      const { closure, created } = await statements.close(callerOf(request), request.params.month);
      return reply.code(created ? 201 : 200).send(closure);
    },
  );
}
