import { Type } from '@sinclair/typebox';
import type { Firmware } from '../../firmware/service.js';
import type { ExecutionState } from '../../firmware/store-executions.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import {
  CreatedRolloutSchema,
  ExecutionSchema,
  ExecutionStateQuery,
  NewRolloutBody,
  RolloutIdParams,
  RolloutSchema,
  RolloutStagesSchema,
} from './firmware-schemas.js';

const tags = ['firmware'];
const access = { access: ['operator', 'partner'] as const };

export function firmwareRolloutRoutes(app: App, firmware: Firmware): void {
  const { rollouts } = firmware;

  app.post(
    '/v1/firmware/rollouts',
    {
      config: access,
      schema: {
        tags,
        summary: 'Roll a package out to a model, a list of devices or a channel, in stages',
        description:
          'Refused: a package that is not ready, devices of another partner or model, a spec version that is not ' +
          'an add-only superset of what devices run, an older version without rollback: true. See docs/ota.md.',
        body: NewRolloutBody,
        response: responses({ 201: CreatedRolloutSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await rollouts.create(callerOf(request), request.body)),
  );

  app.get(
    '/v1/firmware/rollouts',
    {
      config: access,
      schema: {
        tags,
        summary: 'Rollouts, newest first (a partner sees its own)',
        querystring: Type.Object({ ...PageQuery, packageId: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: responses({ 200: PageOf(RolloutSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await rollouts.list(
          callerOf(request),
          { packageId: request.query.packageId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/firmware/calendar',
    {
      config: access,
      schema: {
        tags,
        summary: 'The release train: rollouts scheduled, running or paused, by start time',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(RolloutSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await rollouts.calendar(callerOf(request), pageRequest(request.query, ['number', 'string'])),
      ),
  );

  app.get(
    '/v1/firmware/rollouts/:rolloutId',
    {
      config: access,
      schema: {
        tags,
        summary: 'A rollout: state, stage, counts by execution state, halt reason',
        params: RolloutIdParams,
        response: responses({ 200: RolloutSchema }, 401, 403, 404),
      },
    },
    async (request) => rollouts.get(callerOf(request), request.params.rolloutId),
  );

  app.get(
    '/v1/firmware/rollouts/:rolloutId/stages',
    {
      config: access,
      schema: {
        tags,
        summary: "A rollout's progress per stage: planned, targeted, succeeded, failed, in progress",
        params: RolloutIdParams,
        response: responses({ 200: RolloutStagesSchema }, 401, 403, 404),
      },
    },
    async (request) => rollouts.stages(callerOf(request), request.params.rolloutId),
  );

  app.get(
    '/v1/firmware/rollouts/:rolloutId/executions',
    {
      config: access,
      schema: {
        tags,
        summary: "A rollout's executions, most recently changed first",
        params: RolloutIdParams,
        querystring: Type.Object({ ...PageQuery, state: ExecutionStateQuery }),
        response: responses({ 200: PageOf(ExecutionSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await rollouts.executions(
          callerOf(request),
          request.params.rolloutId,
          request.query.state as ExecutionState | undefined,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  const actions = {
    pause: 'Pause: no new offers; updates under way finish',
    resume: 'Resume a paused or halted rollout (clears the halt reason)',
    promote: 'Start the next stage now (manual promotion)',
    cancel: 'Cancel: every update not finished is cancelled and withdrawn from its device',
  } as const;
  for (const [action, summary] of Object.entries(actions) as Array<[keyof typeof actions, string]>) {
    app.post(
      `/v1/firmware/rollouts/:rolloutId/${action}`,
      {
        config: access,
        schema: {
          tags,
          summary,
          params: RolloutIdParams,
          response: responses({ 200: RolloutSchema }, 401, 403, 404, 409),
        },
      },
      async (request) => rollouts[action](callerOf(request), request.params.rolloutId),
    );
  }
}
