import { Type } from '@sinclair/typebox';
import type { Firmware } from '../../firmware/service.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { DeviceFirmwareSchema, DeviceIdParams } from './firmware-schemas.js';

const tags = ['firmware'];
const BetaSchema = Type.Object({
  deviceId: Type.String(),
  beta: Type.Boolean(),
  rolloutId: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'the beta rollout the device joined: the release on beta it does not run yet',
    }),
  ),
});

/** What a device owner sees and decides about its device's firmware. */
export function firmwareDeviceRoutes(app: App, firmware: Firmware): void {
  app.get(
    '/v1/me/devices/:deviceId/firmware',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'The firmware your device runs, its beta opt-in and its updates (owner only)',
        params: DeviceIdParams,
        response: responses({ 200: DeviceFirmwareSchema }, 401, 403, 404),
      },
    },
    async (request) => firmware.deviceFirmware(callerOf(request), request.params.deviceId),
  );

  app.put(
    '/v1/me/devices/:deviceId/beta',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Opt your device into the beta channel: it gets releases before everyone else',
        description:
          'When the model has a release on beta that the device does not run yet, the device joins its ' +
          'beta rollout at once (`rolloutId`); a beta invitation in the inbox names this path.',
        params: DeviceIdParams,
        response: responses({ 200: BetaSchema }, 401, 403, 404),
      },
    },
    async (request) => firmware.beta.optIn(callerOf(request), request.params.deviceId),
  );

  app.delete(
    '/v1/me/devices/:deviceId/beta',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'Leave the beta channel',
        params: DeviceIdParams,
        response: responses({ 200: BetaSchema }, 401, 403, 404),
      },
    },
    async (request) => firmware.beta.optOut(callerOf(request), request.params.deviceId),
  );
}
