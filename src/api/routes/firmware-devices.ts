import { Type } from '@sinclair/typebox';
import type { Firmware } from '../../firmware/service.js';
import { callerOf } from '../auth.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import { DeviceFirmwareSchema, DeviceIdParams } from './firmware-schemas.js';

const tags = ['firmware'];
const BetaSchema = Type.Object({ deviceId: Type.String(), beta: Type.Boolean() });

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
