import { Type } from '@sinclair/typebox';
import { canonicalJson } from '../../certification/canonical.js';
import { reportHtml } from '../../certification/html.js';
import type { ReportBody } from '../../certification/report.js';
import type { CertificationService } from '../../certification/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { Nullable, responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';
import { VersionParams } from './model-schemas.js';

const tags = ['certification'];
const open = { additionalProperties: true } as const;

const Budgets = Type.Object(
  {
    replyMs: Type.Optional(
      Type.Integer({ minimum: 50, maximum: 30_000, description: 'reply and reflection budget' }),
    ),
    reportMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 300_000, description: 'reports after a connect' }),
    ),
    withheldConnacks: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 10, description: 'per reconnect cycle' }),
    ),
    reconnectMs: Type.Optional(
      Type.Integer({ minimum: 1000, maximum: 600_000, description: 'longest wait to come back' }),
    ),
    updateMs: Type.Optional(
      Type.Integer({ minimum: 1000, maximum: 3_600_000, description: 'longest an update case may take' }),
    ),
  },
  { additionalProperties: false },
);

const CaseSummary = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    title: Type.String(),
    verdict: Type.String(),
    reasons: Type.Array(Type.String()),
    durationMs: Type.Integer(),
    measured: Type.Object({}, open),
  },
  open,
);

const RunSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  version: Type.Integer(),
  deviceId: Type.String(),
  state: Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('cancelled')]),
  verdict: Nullable(Type.Union([Type.Literal('pass'), Type.Literal('fail')])),
  total: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  firmwareRevision: Nullable(Type.String()),
  note: Nullable(Type.String()),
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  cases: Type.Optional(Type.Array(CaseSummary)),
});

const RunParams = Type.Object({ runId: Type.String({ minLength: 1, maxLength: 64 }) });

/** Certification runs, reports, plans and keys (docs/certification.md). */
export function certificationRoutes(app: App, certification: CertificationService): void {
  app.post(
    '/v1/certification/runs',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Start a certification run of a model version against a connected test device',
        body: Type.Object(
          {
            modelId: Type.String({ minLength: 1, maxLength: 128 }),
            version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
            deviceId: Type.String({ minLength: 1, maxLength: 64 }),
            packageId: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description: 'a ready firmware package of the version: the run starts with its update cycle',
              }),
            ),
            budgets: Type.Optional(Budgets),
          },
          { additionalProperties: false },
        ),
        response: responses({ 202: RunSchema }, 400, 401, 403, 404, 409, 503),
      },
    },
    async (request, reply) =>
      reply.code(202).send(await certification.startRun(callerOf(request), request.body)),
  );

  app.get(
    '/v1/certification/runs',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Runs, newest first (a partner sees its own)',
        querystring: Type.Object({
          modelId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          version: Type.Optional(Type.Integer({ minimum: 1 })),
          state: Type.Optional(
            Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('cancelled')]),
          ),
          ...PageQuery,
        }),
        response: responses({ 200: PageOf(RunSchema) }, 400, 401, 403),
      },
    },
    async (request) => {
      const { modelId, version, state } = request.query;
      const page = pageRequest(request.query, ['number', 'string']);
      return pageResponse(await certification.runs(callerOf(request), { modelId, version, state }, page));
    },
  );

  app.get(
    '/v1/certification/runs/:runId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'A run with every case decided so far (poll it to watch the run case by case)',
        params: RunParams,
        response: responses({ 200: RunSchema }, 401, 403, 404),
      },
    },
    async (request) => certification.run(callerOf(request), request.params.runId),
  );

  app.get(
    '/v1/certification/runs/:runId/cases/:caseId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'One case with its evidence (messages and timings)',
        params: Type.Object({
          runId: Type.String({ minLength: 1, maxLength: 64 }),
          caseId: Type.String({ minLength: 1, maxLength: 300 }),
        }),
        response: responses({ 200: Type.Object({}, open) }, 401, 403, 404),
      },
    },
    async (request) =>
      certification.caseResult(callerOf(request), request.params.runId, request.params.caseId),
  );

  app.post(
    '/v1/certification/runs/:runId/cancel',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Cancel a running run',
        params: RunParams,
        response: responses({ 200: RunSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => certification.cancel(callerOf(request), request.params.runId),
  );

  app.get(
    '/v1/certification/runs/:runId/report',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'The signed report: the report and its Ed25519 signature over the bytes of report.json',
        params: RunParams,
        response: responses(
          {
            200: Type.Object({
              report: Type.Object({}, open),
              signature: Type.Object({
                algorithm: Type.Literal('Ed25519'),
                keyId: Type.String(),
                value: Type.String(),
              }),
            }),
          },
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request) => {
      const report = await certification.report(callerOf(request), request.params.runId);
      return {
        report: JSON.parse(report.body) as Record<string, unknown>,
        signature: { algorithm: 'Ed25519' as const, keyId: report.keyId, value: report.signature },
      };
    },
  );

  app.get(
    '/v1/certification/runs/:runId/report.json',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'The exact signed bytes (canonical JSON); the signature in the ecohub-signature header',
        params: RunParams,
      },
    },
    async (request, reply) => {
      const report = await certification.report(callerOf(request), request.params.runId);
      return reply
        .type('application/json; charset=utf-8')
        .header(
          'ecohub-signature',
          `keyId="${report.keyId}", algorithm="ed25519", signature="${report.signature}"`,
        )
        .send(report.body);
    },
  );

  app.get(
    '/v1/certification/runs/:runId/report.html',
    {
      config: { access: ['partner', 'operator'] },
      schema: { tags, summary: 'The report as a page', params: RunParams },
    },
    async (request, reply) => {
      const report = await certification.report(callerOf(request), request.params.runId);
      const body = JSON.parse(report.body) as ReportBody;
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(reportHtml(body, { keyId: report.keyId, value: report.signature }));
    },
  );

  app.get(
    '/v1/certification/keys',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "The hub's report-signing public keys (Ed25519, SPKI PEM), newest first",
        querystring: Type.Object(PageQuery),
        response: responses(
          {
            200: PageOf(
              Type.Object({
                id: Type.String(),
                algorithm: Type.Literal('Ed25519'),
                publicKey: Type.String(),
                createdAt: Timestamp,
                retiredAt: Nullable(Timestamp),
              }),
            ),
          },
          400,
        ),
      },
    },
    async (request) =>
      pageResponse(await certification.keys(pageRequest(request.query, ['number', 'string']))),
  );

  app.get(
    '/v1/certification/models/:modelId/versions/:version/plan',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "The test plan derived from the version's document",
        params: VersionParams,
        querystring: Type.Object({ packageId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
        response: responses({ 200: Type.Object({}, open) }, 400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      const plan = await certification.plan(
        callerOf(request),
        request.params.modelId,
        request.params.version,
        undefined,
        request.query.packageId,
      );
      // Case values may be any JSON (a 64-bit value as a string): sent as the plan holds them.
      return reply.type('application/json; charset=utf-8').send(canonicalJson(plan));
    },
  );

  app.get(
    '/v1/certification/models/:modelId/versions/:version',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary:
          'Certification history of a version: decisions (report or override, with the reason) and runs',
        params: VersionParams,
        response: responses({ 200: Type.Object({}, open) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      certification.history(callerOf(request), request.params.modelId, request.params.version),
  );
}
