import { Type } from '@sinclair/typebox';
import type { Identity, Role } from '../../identity/identity.js';
import type { ModelService, VersionView } from '../../registry/models/service.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { VersionParams, VersionSchema } from './model-schemas.js';

/** The lifecycle steps of one version; each answers 409 INVALID_STATE from any other state. */
export function modelTransitionRoutes(app: App, models: ModelService): void {
  const step = (
    name: 'submit' | 'publish' | 'retire',
    access: readonly Role[],
    summary: string,
    run: (caller: Identity, modelId: string, version: number) => Promise<VersionView>,
  ) => {
    app.post(
      `/v1/models/:modelId/versions/:version/${name}`,
      {
        config: { access },
        schema: {
          tags: ['models'],
          summary,
          params: VersionParams,
          response: responses({ 200: VersionSchema }, 400, 401, 403, 404, 409),
        },
      },
      async (request) => run(callerOf(request), request.params.modelId, request.params.version),
    );
  };

  step(
    'submit',
    ['partner'],
    'Submit a draft for certification (validated again; a new version may only add)',
    (caller, modelId, version) => models.submit(caller, modelId, version),
  );
  step(
    'publish',
    ['partner'],
    'Publish a certified version: it enters the catalog and may be provisioned',
    (caller, modelId, version) => models.publish(caller, modelId, version),
  );
  step(
    'retire',
    ['operator', 'partner'],
    'Retire a published version: it leaves the catalog',
    (caller, modelId, version) => models.retire(caller, modelId, version),
  );

  app.post(
    '/v1/models/:modelId/versions/:version/certify',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['models'],
        summary: 'Certify a submitted version (operator; manual until automated certification exists)',
        params: VersionParams,
        body: Type.Object({
          note: Type.String({ minLength: 1, maxLength: 2000, description: 'What was checked, and how' }),
        }),
        response: responses({ 200: VersionSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const { modelId, version } = request.params;
      return await models.certify(callerOf(request), modelId, version, request.body.note);
    },
  );
}
