import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import type { Identity, Role } from '../../identity/identity.js';
import type { ModelService, VersionView } from '../../registry/models/service.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { VersionParams, VersionSchema } from './model-schemas.js';

/**
 * What `certify` must hold first (docs/certification.md): a passing certification run of the
 * version, or an operator's override with its written reason. Recorded once the transition is done.
 */
export interface CertifyGate {
  basis(modelId: string, version: number, override: boolean): Promise<unknown>;
  record(caller: Identity, modelId: string, version: number, basis: unknown, note: string): Promise<void>;
}

/** The lifecycle steps of one version; each answers 409 INVALID_STATE from any other state. */
export function modelTransitionRoutes(app: App, models: ModelService, gate?: CertifyGate): void {
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
        summary: 'Certify a submitted version (operator): needs a passing certification run, or an override',
        description:
          'Without a passing run of the version (POST /v1/certification/runs) the answer is 409 ' +
          'CERTIFICATION_REQUIRED, unless `override` is true: the note is then the recorded reason.',
        params: VersionParams,
        body: Type.Object(
          {
            note: Type.String({ minLength: 1, maxLength: 2000, description: 'What was checked, and how' }),
            override: Type.Optional(
              Type.Boolean({
                description: 'certify without a passing run; the note is the reason, shown to the owner',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: VersionSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const { modelId, version } = request.params;
      const caller = callerOf(request);
      const { note, override } = request.body;
      if (gate === undefined) return await models.certify(caller, modelId, version, note);
      if (caller.kind !== 'operator') throw new HubError('FORBIDDEN', 'only an operator may certify');
      // Visibility and state first, so a wrong state is INVALID_STATE, not CERTIFICATION_REQUIRED.
      const current = await models.version(caller, modelId, version);
      if (current.state !== 'submitted') return await models.certify(caller, modelId, version, note);
      const basis = await gate.basis(modelId, version, override === true);
      const certified = await models.certify(caller, modelId, version, note);
      await gate.record(caller, modelId, version, basis, note);
      return certified;
    },
  );
}
