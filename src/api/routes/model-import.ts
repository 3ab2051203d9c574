import { Type } from '@sinclair/typebox';
import type { ModelService } from '../../registry/models/service.js';
import { parseExactJson } from '../../registry/spec/miot/exact-json.js';
import { MAX_MIOT_DOCUMENT_BYTES } from '../../registry/spec/miot/instance.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { VersionSchema } from './model-schemas.js';

const ImportNote = Type.Object({
  path: Type.String({ description: 'JSON pointer into the MIoT source document' }),
  kind: Type.Union(['renamed', 'converted', 'added', 'dropped'].map((kind) => Type.Literal(kind))),
  message: Type.String(),
});

const ImportedVersionSchema = Type.Composite([
  VersionSchema,
  Type.Object({ importNotes: Type.Array(ImportNote, { description: 'What the importer had to change' }) }),
]);

const MiotDocument = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'A MIoT-Spec-V2 instance document {type, description, services} as miot-spec.org publishes it',
  },
);

/**
 * POST /v1/models/import/miot. Its own plugin, so that only here JSON bodies are parsed exactly:
 * MIoT writes 64-bit ranges as plain JSON numbers that JSON.parse would round.
 */
export function modelImportRoutes(app: App, models: ModelService): void {
  app.register(async (scoped: App) => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: MAX_MIOT_DOCUMENT_BYTES },
      (_request, body, done) => {
        try {
          done(null, parseExactJson(String(body)));
        } catch (error) {
          done(error instanceof Error ? error : new SyntaxError(String(error)), undefined);
        }
      },
    );
    scoped.post(
      '/v1/models/import/miot',
      {
        config: { access: ['partner'] },
        bodyLimit: MAX_MIOT_DOCUMENT_BYTES,
        schema: {
          tags: ['models'],
          summary: 'Create a model from a MIoT-Spec-V2 instance document: its first version is a draft',
          description:
            'The body is the MIoT instance. The model id is {your slug}.{category}.{product code} unless ' +
            '`model` is given; the first version is the instance version of the device type. `importNotes` ' +
            'lists every change (paths into the source). A source that cannot be converted is a 400 whose ' +
            '`IMPORT:` errors point into it; quality-rule errors of the converted document point into that.',
          querystring: Type.Object({
            model: Type.Optional(
              Type.String({ minLength: 5, maxLength: 128, description: 'The model id to use' }),
            ),
          }),
          body: MiotDocument,
          response: responses({ 201: ImportedVersionSchema }, 400, 401, 403, 409, 413),
        },
      },
      async (request, reply) =>
        reply.code(201).send(await models.importMiot(callerOf(request), request.body, request.query.model)),
    );
  });
}
