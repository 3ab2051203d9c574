import { Type } from '@sinclair/typebox';
import type { ScorecardService } from '../../certification/quality/scorecards.js';
import { HubError } from '../../errors.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';

const tags = ['scorecards'];
const open = { additionalProperties: true } as const;
const Days = Type.Object({
  days: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'window, in days up to today' }),
  ),
});

/** Quality scorecards per partner and model (docs/certification.md, "Quality scorecards"). */
export function scorecardRoutes(app: App, scorecards: ScorecardService): void {
  app.get(
    '/v1/scorecards/partners/:partnerId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary:
          "A partner's scorecard: every model's live quality figures (the partner itself, or the operator)",
        params: Type.Object({ partnerId: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Days,
        response: responses({ 200: Type.Object({}, open) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      scorecards.partner(callerOf(request), request.params.partnerId, request.query.days ?? 30),
  );

  app.get(
    '/v1/scorecards/models/:modelId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: "One model's scorecard with its figures per day (the chart)",
        params: Type.Object({ modelId: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Days,
        response: responses({ 200: Type.Object({}, open) }, 400, 401, 403, 404),
      },
    },
    async (request) => scorecards.model(callerOf(request), request.params.modelId, request.query.days ?? 30),
  );

  app.get(
    '/v1/scorecards/compare',
    {
      config: { access: ['operator'] },
      schema: {
        tags,
        summary: 'Models of different partners side by side (operator): comma-separated model ids, up to 20',
        querystring: Type.Object({
          models: Type.String({ minLength: 1, maxLength: 2600 }),
          ...Days.properties,
        }),
        response: responses({ 200: Type.Object({}, open) }, 400, 401, 403),
      },
    },
    async (request) => {
      const ids = [
        ...new Set(
          request.query.models
            .split(',')
            .map((m) => m.trim())
            .filter((m) => m !== ''),
        ),
      ];
      if (ids.length === 0 || ids.length > 20) {
        throw new HubError('VALIDATION_FAILED', 'models: between 1 and 20 comma-separated model ids', {
          errors: [{ path: '/models', message: 'must list 1 to 20 model ids' }],
        });
      }
      return scorecards.compare(callerOf(request), ids, request.query.days ?? 30);
    },
  );
}
