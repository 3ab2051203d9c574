import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import { RolloutPolicySchema } from '../../firmware/policy.js';
import type { Firmware } from '../../firmware/service.js';
import { callerOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { NewPackageBody, PackageIdParams, PackageSchema } from './firmware-schemas.js';

const tags = ['firmware'];
const OCTETS = 'application/octet-stream';
const BINARY_ROUTE = '/v1/firmware/packages/:packageId/binary';

export function firmwarePackageRoutes(app: App, firmware: Firmware): void {
  app.get(
    '/.well-known/ecohub-release-key',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "The hub's Ed25519 release public key: devices verify every manifest with it",
        response: responses({
          200: Type.Object({
            keyId: Type.String(),
            algorithm: Type.Literal('Ed25519'),
            publicKey: Type.String({ description: 'raw 32-byte key, base64' }),
            pem: Type.String(),
            createdAt: Type.String({ format: 'date-time' }),
          }),
        }),
      },
    },
    async () => ({
      keyId: firmware.key.keyId,
      algorithm: 'Ed25519' as const,
      publicKey: firmware.key.publicKeyRaw.toString('base64'),
      pem: firmware.key.publicKeyPem,
      createdAt: new Date(firmware.key.createdAt).toISOString(),
    }),
  );

  app.post(
    '/v1/firmware/packages',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Register a firmware version of one of your models (then upload its binary)',
        body: NewPackageBody,
        response: responses({ 201: PackageSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await firmware.packages.create(callerOf(request), request.body)),
  );

  app.get(
    '/v1/firmware/packages',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Firmware packages, newest first (a partner sees its own)',
        querystring: Type.Object({ ...PageQuery, modelId: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: responses({ 200: PageOf(PackageSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await firmware.packages.list(
          callerOf(request),
          { modelId: request.query.modelId },
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.get(
    '/v1/firmware/packages/:packageId',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'A firmware package with its signed manifest',
        params: PackageIdParams,
        response: responses({ 200: PackageSchema }, 401, 403, 404),
      },
    },
    async (request) => firmware.packages.get(callerOf(request), request.params.packageId),
  );

  // The binary streams to disk: this content-type parser hands the route the request stream, so
  // neither the JSON body limit nor memory bounds it, only maxPackageBytes. Every other route keeps
  // answering 415 to application/octet-stream.
  app.addContentTypeParser(OCTETS, (request, payload, done) => {
    if (request.routeOptions.url !== BINARY_ROUTE) {
      done(new HubError('UNSUPPORTED_MEDIA_TYPE', `${OCTETS} is taken only by ${BINARY_ROUTE}`), undefined);
      return;
    }
    done(null, payload);
  });
  app.put(
    BINARY_ROUTE,
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Upload the binary (application/octet-stream); the hub hashes it and signs the manifest',
        params: PackageIdParams,
        response: responses({ 200: PackageSchema }, 400, 401, 403, 404, 409, 413, 415),
      },
    },
    async (request) => {
      if (request.headers['content-type']?.split(';')[0]?.trim() !== OCTETS) {
        throw new HubError('UNSUPPORTED_MEDIA_TYPE', `the binary must be sent as ${OCTETS}`);
      }
      return firmware.packages.upload(callerOf(request), request.params.packageId, request.body as Readable);
    },
  );

  app.post(
    '/v1/firmware/packages/:packageId/partner-signature',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: "Add your own Ed25519 signature of the manifest (devices may check it beside the hub's)",
        params: PackageIdParams,
        body: Type.Object(
          {
            publicKey: Type.String({
              minLength: 40,
              maxLength: 64,
              description: 'raw Ed25519 public key, base64',
            }),
            signature: Type.String({
              minLength: 80,
              maxLength: 100,
              description: 'base64 signature of manifest',
            }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: PackageSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) =>
      firmware.packages.addPartnerSignature(callerOf(request), request.params.packageId, request.body),
  );

  app.post(
    '/v1/firmware/packages/:packageId/withdraw',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Withdraw a package: no new rollout may use it',
        params: PackageIdParams,
        response: responses({ 200: PackageSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => firmware.packages.withdraw(callerOf(request), request.params.packageId),
  );

  app.post(
    '/v1/firmware/packages/:packageId/beta',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Release to the beta channel: a rollout to every opted-in device of the model starts',
        params: PackageIdParams,
        body: Type.Object(
          {
            soakMs: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: 90 * 24 * 3600_000,
                description: 'beta soak before promotion',
              }),
            ),
            policy: Type.Optional(RolloutPolicySchema),
          },
          { additionalProperties: false },
        ),
        response: responses(
          {
            200: Type.Object({ package: PackageSchema, rolloutId: Type.Union([Type.String(), Type.Null()]) }),
          },
          400,
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request) => firmware.beta.release(callerOf(request), request.params.packageId, request.body),
  );

  app.post(
    '/v1/firmware/packages/:packageId/promote',
    {
      config: { access: ['operator', 'partner'] },
      schema: {
        tags,
        summary: 'Promote a beta release to stable, once its soak passed with field health inside thresholds',
        params: PackageIdParams,
        response: responses({ 200: PackageSchema }, 401, 403, 404, 409),
      },
    },
    async (request) => firmware.beta.promote(callerOf(request), request.params.packageId),
  );
}
