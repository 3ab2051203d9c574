import { Type } from '@sinclair/typebox';
import type { HomeService } from '../../registry/homes/service.js';
import { userIdOf } from '../auth.js';
import { PageOf, PageQuery, pageRequest, pageResponse } from '../pagination.js';
import { responses } from '../schemas.js';
import type { App } from '../types.js';
import {
  DeviceParams,
  HomeDetailSchema,
  HomeDeviceSchema,
  HomeParams,
  HomeSummarySchema,
  MemberBody,
  MemberParams,
  MemberSchema,
  NameBody,
  PlacementBody,
  PlacementSchema,
  RoomParams,
  RoomSchema,
} from './home-schemas.js';

const tags = ['homes'];
// Homes are a phone-app feature: partners and the operator get 403 (deny by default).
const config = { access: ['user'] } as const;
const NoContent = { 204: Type.Null() };

/** Homes, members, rooms and device placement (docs/homes.md). A home the caller is not in is 404. */
export function homeRoutes(app: App, homes: HomeService): void {
  app.post(
    '/v1/homes',
    {
      config,
      schema: {
        tags,
        summary: 'Create a home; the caller is its owner',
        body: NameBody,
        response: responses({ 201: HomeSummarySchema }, 400, 401, 403, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await homes.create(userIdOf(request), request.body.name)),
  );

  app.get(
    '/v1/homes',
    {
      config,
      schema: {
        tags,
        summary: 'Homes the caller owns or is a member of, with its role in each, oldest first',
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(HomeSummarySchema) }, 400, 401, 403),
      },
    },
    async (request) =>
      pageResponse(await homes.list(userIdOf(request), pageRequest(request.query, ['number', 'string']))),
  );

  app.get(
    '/v1/homes/:homeId',
    {
      config,
      schema: {
        tags,
        summary: 'A home: its members, rooms and the devices placed in it',
        params: HomeParams,
        response: responses({ 200: HomeDetailSchema }, 401, 403, 404),
      },
    },
    async (request) => homes.detail(userIdOf(request), request.params.homeId),
  );

  app.patch(
    '/v1/homes/:homeId',
    {
      config,
      schema: {
        tags,
        summary: 'Rename a home (its owner)',
        params: HomeParams,
        body: NameBody,
        response: responses({ 200: HomeSummarySchema }, 400, 401, 403, 404),
      },
    },
    async (request) => homes.rename(userIdOf(request), request.params.homeId, request.body.name),
  );

  app.delete(
    '/v1/homes/:homeId',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a home with its rooms and placements (its owner); the devices stay bound',
        params: HomeParams,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await homes.remove(userIdOf(request), request.params.homeId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/homes/:homeId/members',
    {
      config,
      schema: {
        tags,
        summary: 'Add a registered user to the home by email (its owner)',
        description: 'Members may watch and control every device placed in the home.',
        params: HomeParams,
        body: MemberBody,
        response: responses({ 201: MemberSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await homes.addMember(userIdOf(request), request.params.homeId, request.body.email)),
  );

  app.delete(
    '/v1/homes/:homeId/members/:userId',
    {
      config,
      schema: {
        tags,
        summary: 'Remove a member (the owner), or leave the home (a member removing itself)',
        description:
          'Access to the home’s devices ends at once. The owner cannot leave; it deletes the home.',
        params: MemberParams,
        response: responses(NoContent, 401, 403, 404, 409),
      },
    },
    async (request, reply) => {
      await homes.removeMember(userIdOf(request), request.params.homeId, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/homes/:homeId/rooms',
    {
      config,
      schema: {
        tags,
        summary: 'Add a room (the home owner); names are unique per home, ignoring case',
        params: HomeParams,
        body: NameBody,
        response: responses({ 201: RoomSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await homes.addRoom(userIdOf(request), request.params.homeId, request.body.name)),
  );

  app.patch(
    '/v1/homes/:homeId/rooms/:roomId',
    {
      config,
      schema: {
        tags,
        summary: 'Rename a room (the home owner)',
        params: RoomParams,
        body: NameBody,
        response: responses({ 200: RoomSchema }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => {
      const { homeId, roomId } = request.params;
      return homes.renameRoom(userIdOf(request), homeId, roomId, request.body.name);
    },
  );

  app.delete(
    '/v1/homes/:homeId/rooms/:roomId',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a room (the home owner); its devices stay in the home without a room',
        params: RoomParams,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await homes.removeRoom(userIdOf(request), request.params.homeId, request.params.roomId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/homes/:homeId/devices',
    {
      config,
      schema: {
        tags,
        summary: 'Devices placed in the home, with their room, by device id',
        params: HomeParams,
        querystring: Type.Object(PageQuery),
        response: responses({ 200: PageOf(HomeDeviceSchema) }, 400, 401, 403, 404),
      },
    },
    async (request) =>
      pageResponse(
        await homes.devices(userIdOf(request), request.params.homeId, pageRequest(request.query, ['string'])),
      ),
  );

  app.put(
    '/v1/devices/:deviceId/placement',
    {
      config,
      schema: {
        tags,
        summary: "Place the caller's device in one of its homes, optionally in a room; moves it if placed",
        description:
          "Only the device's owner may place it, and only into a home it owns. A room of another home is 400.",
        params: DeviceParams,
        body: PlacementBody,
        response: responses({ 200: PlacementSchema }, 400, 401, 403, 404),
      },
    },
    async (request) => homes.place(userIdOf(request), request.params.deviceId, request.body),
  );

  app.delete(
    '/v1/devices/:deviceId/placement',
    {
      config,
      schema: {
        tags,
        summary: "Take the caller's device out of its home (the device's owner)",
        params: DeviceParams,
        response: responses(NoContent, 401, 403, 404),
      },
    },
    async (request, reply) => {
      await homes.unplace(userIdOf(request), request.params.deviceId);
      return reply.code(204).send(null);
    },
  );
}
