import { Type } from '@sinclair/typebox';
import { HubError } from '../../errors.js';
import { MAX_BATCH_SIZE } from '../../registry/devices/provisioning.js';
import type { DeviceService } from '../../registry/devices/service.js';
import type { TelemetryService } from '../../registry/telemetry/service.js';
import { callerOf } from '../auth.js';
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

const DeviceId = Type.String({ pattern: '^[0-9a-f]{16}$', description: 'device id (16 hex characters)' });
const ModelId = Type.String({ minLength: 5, maxLength: 200 });

const BatchSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  modelVersion: Type.Integer(),
  size: Type.Integer(),
  label: Nullable(Type.String()),
  createdAt: Timestamp,
});

const PresenceSchema = Type.Object({
  online: Type.Boolean(),
  lastSeenAt: Nullable(Timestamp),
  connectedAt: Nullable(Timestamp),
  connectionCount: Type.Integer(),
});

const DeviceSchema = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  modelId: Type.String(),
  modelVersion: Type.Integer(),
  batchId: Type.String(),
  blocked: Type.Boolean(),
  createdAt: Timestamp,
  firmwareVersion: Nullable(Type.String()),
  presence: PresenceSchema,
});

const ShadowSchema = Type.Object({
  version: Type.Integer(),
  reported: Type.Record(
    Type.String(),
    Type.Object({ value: Type.Unknown(), reportedAt: Timestamp, version: Type.Integer() }),
  ),
});

const Params = Type.Object({ deviceId: DeviceId });

function csv(
  devices: ReadonlyArray<{ id: string; secret: string; pairingCode: string }>,
  model: string,
  version: number,
) {
  const lines = ['device_id,secret,pairing_code,model,version'];
  for (const d of devices) lines.push(`${d.id},${d.secret},${d.pairingCode},${model},${version}`);
  return `${lines.join('\n')}\n`;
}

export function deviceRoutes(app: App, deps: { devices: DeviceService; telemetry: TelemetryService }): void {
  const { devices, telemetry } = deps;
  const tags = ['devices'];

  app.post(
    '/v1/device-batches',
    {
      config: { access: ['partner'] },
      schema: {
        tags,
        summary: 'Provision a batch of devices of a certified or published model version',
        description:
          'Each device gets an id, a secret (its MQTT password) and a pairing code for its QR sticker. ' +
          'Secrets and pairing codes are shown only in this response; ask for CSV with `?format=csv` or `Accept: text/csv`.',
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
        }),
        body: Type.Object({
          modelId: ModelId,
          version: Type.Integer({ minimum: 1 }),
          count: Type.Integer({ minimum: 1, maximum: MAX_BATCH_SIZE }),
          label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: responses(
          {
            201: Type.Object({
              batch: BatchSchema,
              devices: Type.Array(
                Type.Object({ id: Type.String(), secret: Type.String(), pairingCode: Type.String() }),
              ),
            }),
          },
          400,
          401,
          403,
          404,
          409,
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (caller.kind !== 'partner') throw new HubError('FORBIDDEN');
      const { modelId, version, count, label } = request.body;
      const result = await devices.provision(caller.partnerId, { modelId, version, size: count, label });
      const wantsCsv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && request.headers.accept === 'text/csv');
      if (wantsCsv) {
        return reply
          .code(201)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="batch-${result.batch.id}.csv"`)
          .header('x-batch-id', result.batch.id)
          .serializer((body: string) => body)
          .send(csv(result.devices, modelId, version));
      }
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/device-batches',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Provisioning batches, newest first (a partner sees its own)',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(BatchSchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(
        await devices.batches(callerOf(request), pageRequest(request.query, ['number', 'string'])),
      ),
  );

  app.get(
    '/v1/device-batches/:batchId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'One provisioning batch',
        params: Type.Object({ batchId: Type.String({ maxLength: 64 }) }),
        response: responses({ 200: BatchSchema }, 401, 403, 404),
      },
    },
    async (request) => await devices.batch(callerOf(request), request.params.batchId),
  );

  app.get(
    '/v1/devices',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'List devices (a partner sees its own), filtered, by id order',
        querystring: Type.Object({
          modelId: Type.Optional(ModelId),
          batchId: Type.Optional(Type.String({ maxLength: 64 })),
          online: Type.Optional(Type.Boolean()),
          partnerId: Type.Optional(Type.String({ maxLength: 64, description: 'operator only' })),
          ...PageQuery,
        }),
        response: responses({ 200: PageOf(DeviceSchema) }, 400, 401, 403),
      },
    },
    async (request) => {
      const q = request.query;
      const filter = { modelId: q.modelId, batchId: q.batchId, online: q.online, partnerId: q.partnerId };
      return pageResponse(await devices.list(callerOf(request), filter, pageRequest(q, ['string'])));
    },
  );

  app.get(
    '/v1/devices/:deviceId',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'A device: presence, firmware, last seen and its shadow (reported state)',
        params: Params,
        response: responses(
          { 200: Type.Composite([DeviceSchema, Type.Object({ shadow: ShadowSchema })]) },
          401,
          403,
          404,
        ),
      },
    },
    async (request) => await devices.detail(callerOf(request), request.params.deviceId),
  );

  app.get(
    '/v1/devices/:deviceId/history',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Property history: raw points, or buckets with min/max/avg when `bucket` (ms) is given',
        params: Params,
        querystring: HistoryQuery,
        response: responses({ 200: HistoryResponse }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const row = await devices.visible(callerOf(request), request.params.deviceId);
      const history = await telemetry.history(
        row.id,
        historyRequest(request.query),
        historyPage(request.query),
      );
      return { ...history, next: encodeCursor(history.next) };
    },
  );

  app.get(
    '/v1/devices/:deviceId/events',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary: 'Events the device reported, oldest first',
        params: Params,
        querystring: EventsQuery,
        response: responses({ 200: PageOf(EventSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) => {
      const row = await devices.visible(callerOf(request), request.params.deviceId);
      return pageResponse(
        await telemetry.events(
          row.id,
          timeRange(request.query),
          pageRequest(request.query, ['number', 'number'], SERIES_LIMITS),
        ),
      );
    },
  );

  for (const [action, blocked] of [
    ['block', true],
    ['unblock', false],
  ] as const) {
    app.post(
      `/v1/devices/:deviceId/${action}`,
      {
        config: { access: ['partner', 'operator'] },
        schema: {
          tags,
          summary: blocked
            ? 'Block a device: it is disconnected at once and refused until unblocked'
            : 'Unblock a device',
          params: Params,
          response: responses({ 200: DeviceSchema }, 401, 403, 404),
        },
      },
      async (request) => await devices.setBlocked(callerOf(request), request.params.deviceId, blocked),
    );
  }

  app.post(
    '/v1/devices/:deviceId/secret',
    {
      config: { access: ['partner', 'operator'] },
      schema: {
        tags,
        summary:
          'Rotate the device secret (shown once); the old one stops working and the device is disconnected',
        params: Params,
        response: responses(
          { 201: Type.Object({ id: Type.String(), secret: Type.String() }) },
          401,
          403,
          404,
        ),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await devices.rotateSecret(callerOf(request), request.params.deviceId)),
  );
}
