import { Type } from '@sinclair/typebox';
import type { Control } from '../../registry/control/index.js';
import { userIdOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { Email, responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';

const Params = Type.Object({
  deviceId: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'device id' }),
});
const Share = Type.Object(
  {
    email: Type.String(),
    role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
    since: Timestamp,
  },
  {
    description:
      'A share, the same whether the email had an account when shared (a member) or not yet (it binds when that email registers)',
  },
);

/** Claiming, sharing and removing devices (users). */
export function controlRoutes(app: App, control: Control): void {
  const tags = ['remote control'];
  const { bindings } = control;

  app.post(
    '/v1/devices/:deviceId/claim',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          'Claim a device and become its owner: with its pairing code, or as its buyer with the order id',
        params: Params,
        body: Type.Union([
          Type.Object({ pairingCode: Type.String({ minLength: 12, maxLength: 20 }) }),
          Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 64 }) }),
        ]),
        response: responses(
          { 201: Type.Object({ deviceId: Type.String(), role: Type.Literal('owner') }) },
          400,
          401,
          403,
          404,
          409,
          429,
        ),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await bindings.claim(userIdOf(request), request.params.deviceId, request.body)),
  );

  app.get(
    '/v1/devices/:deviceId/shares',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Who has the device or is invited to it, oldest first (owner only)',
        params: Params,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(Share) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await bindings.shares(
          userIdOf(request),
          request.params.deviceId,
          pageRequest(request.query, ['number', 'string']),
        ),
      ),
  );

  app.post(
    '/v1/devices/:deviceId/shares',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          'Share the device with an email (owner only): its account may watch and control it, now or once registered',
        description:
          'The answer is the same whether or not the email has an account: an email without one gets an invitation that binds when it registers (docs/protocol.md, "Sharing").',
        params: Params,
        body: Type.Object({ email: Email }),
        response: responses({ 201: Share }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await bindings.share(userIdOf(request), request.params.deviceId, request.body.email)),
  );

  app.delete(
    '/v1/devices/:deviceId/shares/:member',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          'Revoke a share by user id or email (owner), or leave a shared device (the member itself); effective at once',
        params: Type.Composite([
          Params,
          Type.Object({
            member: Type.String({
              minLength: 1,
              maxLength: 254,
              description: 'a user id, or the email shared with',
            }),
          }),
        ]),
        response: responses({ 204: Type.Null() }, 401, 403, 404, 409),
      },
    },
    async (request, reply) => {
      await bindings.revoke(userIdOf(request), request.params.deviceId, request.params.member);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/devices/:deviceId/binding',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          'Remove the device (owner only): unbinds every user and issues a fresh pairing code, shown once',
        params: Params,
        response: responses({ 200: Type.Object({ pairingCode: Type.String() }) }, 401, 403, 404),
      },
    },
    async (request) => bindings.remove(userIdOf(request), request.params.deviceId),
  );
}
