import { Type } from '@sinclair/typebox';
import type { Control } from '../../registry/control/index.js';
import { userIdOf } from '../auth.js';
import { responses, Timestamp } from '../schemas.js';
import type { App } from '../types.js';

const Params = Type.Object({
  deviceId: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'device id' }),
});
const PropertyParams = Type.Composite([
  Params,
  Type.Object({
    property: Type.String({ minLength: 3, maxLength: 129, description: '`service.property` or `siid.piid`' }),
  }),
]);

const DesiredSchema = Type.Object({
  desired: Type.Record(Type.String(), Type.Object({ value: Type.Unknown(), setAt: Timestamp })),
  refused: Type.Record(
    Type.String(),
    Type.Object({
      value: Type.Unknown(),
      code: Type.String({ description: "the device's error code" }),
      message: Type.String(),
      refusedAt: Timestamp,
    }),
    { description: 'the last value of each property the device refused, no longer desired' },
  ),
});

/** Desired state of one of my devices: read it, clear it (docs/protocol.md, "Desired state"). */
export function desiredRoutes(app: App, control: Control): void {
  const tags = ['remote control'];
  const { userDesired } = control;

  app.get(
    '/v1/me/devices/:deviceId/desired',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Desired values not yet reflected by the device, and the values it refused (with why)',
        params: Params,
        response: responses({ 200: DesiredSchema }, 401, 403, 404),
      },
    },
    async (request) => await userDesired.read(userIdOf(request), request.params.deviceId),
  );

  app.delete(
    '/v1/me/devices/:deviceId/desired',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Clear every desired value and refusal: the device will not be sent them on reconnect',
        params: Params,
        response: responses({ 200: DesiredSchema }, 401, 403, 404),
      },
    },
    async (request) => await userDesired.clear(userIdOf(request), request.params.deviceId),
  );

  app.delete(
    '/v1/me/devices/:deviceId/desired/:property',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: "Clear one property's desired value and refusal",
        params: PropertyParams,
        response: responses({ 200: DesiredSchema }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      await userDesired.clear(userIdOf(request), request.params.deviceId, [request.params.property]),
  );
}
