import { Type } from '@sinclair/typebox';
import type { Community } from '../../community/index.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { moderators, tags, users } from './community-access.js';
import { ModelParams, ReleaseParams } from './community-schemas.js';

const Testing = Type.Object({
  releaseId: Type.String(),
  modelId: Type.String(),
  version: Type.String(),
  channel: Type.Union([Type.Literal('none'), Type.Literal('beta'), Type.Literal('stable')]),
  devices: Type.Integer({ description: 'devices the release reached through beta' }),
  keptDevices: Type.Integer({ description: 'of those, still on beta and online or reporting' }),
  testers: Type.Integer({ description: 'owners keeping such devices' }),
  deviceHours: Type.Number({ description: 'hours on the release before promotion (or until now)' }),
  feedback: Type.Object({ comments: Type.Integer(), authors: Type.Integer() }),
});

const Credit = Type.Object({
  credit: Type.Integer({
    description: 'device-hours (rounded) plus 24 per comment written on a beta release',
  }),
  deviceHours: Type.Number(),
  feedback: Type.Integer(),
  releases: Type.Array(
    Type.Object({
      releaseId: Type.String(),
      modelId: Type.String(),
      version: Type.String(),
      devices: Type.Integer(),
      deviceHours: Type.Number(),
      feedback: Type.Integer(),
    }),
  ),
});

/** Tester credit from the field (docs/community.md, "Tester credit"). */
export function communityTestingRoutes(app: App, community: Community): void {
  app.get(
    '/v1/community/releases/:releaseId/testing',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'How a release was tested on beta: devices, testers, device-hours, feedback (its partner)',
        params: ReleaseParams,
        response: responses({ 200: Testing }, 401, 403, 404),
      },
    },
    async (request) => community.testing.release(callerOf(request), request.params.releaseId),
  );

  app.get(
    '/v1/models/:modelId/beta-testing',
    {
      config: moderators,
      schema: {
        tags,
        summary: "The model's releases that went to beta or stable, with how they were tested (its partner)",
        params: ModelParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(Testing) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await community.testing.model(
          callerOf(request),
          request.params.modelId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/me/tester-credit',
    {
      config: users,
      schema: {
        tags,
        summary:
          'Your tester credit: the beta releases your devices ran, for how long, and your feedback on them',
        response: responses({ 200: Credit }, 401, 403),
      },
    },
    async (request) => community.testing.credit(callerOf(request)),
  );
}
