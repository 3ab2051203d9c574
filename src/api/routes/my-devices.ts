import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import {
  ActionBody,
  CommandId,
  GetBody,
  type PhoneCommand,
  SetBody,
} from '../../registry/control/command-schema.js';
import type { Control } from '../../registry/control/index.js';
import type { UserDeviceViews } from '../../registry/control/views.js';
import type { TelemetryService } from '../../registry/telemetry/service.js';
import { userIdOf } from '../auth.js';
import { encodeCursor, PageOf, PageQuery, pageRequest, pageResponse, SERIES_LIMITS } from '../pagination.js';
import {
  EventSchema,
  EventsQuery,
  HistoryQuery,
  HistoryResponse,
  historyPage,
  historyRequest,
  Nullable,
  responses,
  Timestamp,
  timeRange,
} from '../schemas.js';
import type { App } from '../types.js';
import { ModelDocument } from './model-schemas.js';

const Params = Type.Object({
  deviceId: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'device id' }),
});

const StateSchema = Type.Object({
  id: Type.String(),
  modelId: Type.String(),
  modelVersion: Type.Integer(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
  firmwareVersion: Nullable(Type.String()),
  presence: Type.Object({ online: Type.Boolean(), lastSeenAt: Nullable(Timestamp) }),
  version: Type.Integer({ description: 'shadow version: +1 per accepted report' }),
  reported: Type.Record(Type.String(), Type.Object({ value: Type.Unknown(), reportedAt: Timestamp })),
  desired: Type.Record(Type.String(), Type.Object({ value: Type.Unknown(), setAt: Timestamp })),
  placement: Nullable(
    Type.Object({
      homeId: Type.String(),
      homeName: Type.String(),
      roomId: Nullable(Type.String()),
      roomName: Nullable(Type.String()),
    }),
  ),
});

const optionalId = { id: Type.Optional(CommandId) };

/** The phone's REST mirror: my devices, their state and history, and commands. */
export function myDeviceRoutes(
  app: App,
  deps: { control: Control; views: UserDeviceViews; telemetry: TelemetryService },
): void {
  const { control, views, telemetry } = deps;
  const tags = ['remote control'];

  app.get(
    '/v1/me/devices',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'My devices (owned, shared with me, or in my homes) with state and presence, by id',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(StateSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(await views.list(userIdOf(request), pageRequest(request.query, ['string']))),
  );

  app.get(
    '/v1/me/devices/:deviceId',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: 'One of my devices: reported + desired + presence + version',
        params: Params,
        response: responses({ 200: StateSchema }, 401, 403, 404),
      },
    },
    async (request) => await views.state(userIdOf(request), request.params.deviceId),
  );

  app.get(
    '/v1/me/devices/:deviceId/model',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: "The model document of one of my devices' model version (what its controls are made from)",
        params: Params,
        response: responses(
          { 200: Type.Object({ modelId: Type.String(), version: Type.Integer(), document: ModelDocument }) },
          401,
          403,
          404,
        ),
      },
    },
    async (request) => await views.model(userIdOf(request), request.params.deviceId),
  );

  app.get(
    '/v1/me/devices/:deviceId/history',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          "Property history of one of my devices (buckets with `bucket` ms), from its current owner's claim on",
        params: Params,
        querystring: HistoryQuery,
        response: responses({ 200: HistoryResponse }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const { row, since } = await views.visible(userIdOf(request), request.params.deviceId);
      const history = await telemetry.history(
        row.id,
        { ...historyRequest(request.query), notBefore: since },
        historyPage(request.query),
      );
      return { ...history, next: encodeCursor(history.next) };
    },
  );

  app.get(
    '/v1/me/devices/:deviceId/events',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary: "Events of one of my devices, from its current owner's claim on",
        params: Params,
        querystring: EventsQuery,
        response: responses({ 200: PageOf(EventSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const { row, since } = await views.visible(userIdOf(request), request.params.deviceId);
      return pageResponse(
        await telemetry.events(
          row.id,
          { ...timeRange(request.query), notBefore: since },
          pageRequest(request.query, ['number', 'number'], SERIES_LIMITS),
        ),
      );
    },
  );

  app.post(
    '/v1/devices/:deviceId/commands',
    {
      config: { access: ['user'] },
      schema: {
        tags,
        summary:
          'Send a command and wait for the device: 200 with its reply, 202 when a set is queued for an offline device',
        description:
          'Same validation and codes as MQTT commands (docs/protocol.md). Give an `id` to make retries safe: a repeated id ' +
          'for the same device is answered with the first reply, not executed again; the same id with a different ' +
          'command is 422 COMMAND_ID_REUSED. Commands are limited per user (429 RATE_LIMITED) and per device ' +
          '(429 DEVICE_BUSY), with Retry-After.',
        params: Params,
        body: Type.Union([
          Type.Composite([Type.Object(optionalId), SetBody]),
          Type.Composite([Type.Object(optionalId), GetBody]),
          Type.Composite([Type.Object(optionalId), ActionBody]),
        ]),
        response: responses(
          {
            200: Type.Object({ id: Type.String(), status: Type.Literal('ok'), data: Type.Unknown() }),
            202: Type.Object({ id: Type.String(), status: Type.Literal('queued'), data: Type.Unknown() }),
          },
          400,
          401,
          403,
          404,
          409,
          422,
          429,
          502,
          504,
        ),
      },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const chosen = typeof body['id'] === 'string';
      const id = chosen ? String(body['id']) : `rest-${String(request.id)}`;
      const command = { ...body, id, did: request.params.deviceId } as PhoneCommand;
      // Without an id of the caller's there is nothing to recognise a retry by: nothing is remembered.
      const result = await control.commands.execute(userIdOf(request), command, { remember: chosen });
      if (result.status === 'error') {
        const { code, message, deviceCode, errors, retryAfter } = result.error;
        throw new HubError(code as ConstructorParameters<typeof HubError>[0], message, {
          errors: deviceCode
            ? [{ path: '/device', message: `the device answered ${deviceCode}` }]
            : (errors ?? []),
          ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
        });
      }
      return reply
        .code(result.status === 'queued' ? 202 : 200)
        .send({ id, status: result.status, data: result.data });
    },
  );
}
