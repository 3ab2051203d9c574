import { Type } from '@sinclair/typebox';
import type { IdentityService } from '../../identity/service.js';
import { callerOf, userIdOf } from '../auth.js';
import { Email, responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';

const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

const Credentials = Type.Object({
  email: Email,
  password: Type.String({ minLength: 8, maxLength: 256 }),
});

export function authRoutes(app: App, identities: IdentityService): void {
  app.post(
    '/v1/auth/register',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Create a user account (a phone app user)',
        body: Type.Object({
          email: Email,
          password: Type.String({ minLength: 8, maxLength: 256 }),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        description:
          'Limited per client address (20 attempts per 15 minutes by default); past that 429 with Retry-After.',
        response: responses({ 201: UserSchema }, 400, 409, 429),
      },
    },
    async (request, reply) => {
      const user = await identities.register({ ...request.body, ip: request.ip });
      return reply.code(201).send(user);
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for an opaque access token (REST bearer and MQTT password)',
        body: Credentials,
        response: responses(
          { 200: Type.Object({ token: Type.String(), expiresAt: Timestamp, user: UserSchema }) },
          400,
          401,
          429,
        ),
      },
    },
    async (request) => identities.login({ ...request.body, ip: request.ip }),
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { access: ['user'] },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the access token of this request',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await identities.logout(callerOf(request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/me',
    {
      config: { access: ['user'] },
      schema: {
        tags: ['auth'],
        summary: 'Delete my account (confirm with the password): ends every session at once',
        description:
          'Every access token stops working and every MQTT session of the account is closed. Devices it owned are ' +
          'released (every user loses them) with fresh pairing codes, shown only in this response; homes it owns ' +
          'are deleted, its shares and home memberships end. Orders stay on record without the email. The email ' +
          'may be registered again.',
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: responses(
          {
            200: Type.Object({
              devices: Type.Array(Type.Object({ id: Type.String(), pairingCode: Type.String() }), {
                description: 'devices the account owned, with their new pairing codes',
              }),
            }),
          },
          400,
          401,
          403,
          429,
        ),
      },
    },
    async (request) => identities.deleteAccount(userIdOf(request), request.body.password),
  );

  app.get(
    '/v1/me',
    {
      config: { access: ['user'] },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: responses({ 200: UserSchema }, 401),
      },
    },
    async (request) => identities.user(userIdOf(request)),
  );
}
