import { Type } from '@sinclair/typebox';
import { Email, Timestamp } from '../schemas.js';

const Id = (what: string) =>
  Type.String({ pattern: '^[0-9a-f]{16}$', description: `${what} (16 hex characters)` });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Role = Type.Union([Type.Literal('owner'), Type.Literal('member')]);

/** Home and room names: 1..50 characters, not blank; trimmed before they are stored. */
export const NameBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
});

export const MemberBody = Type.Object({ email: Email });

export const PlacementBody = Type.Object({
  homeId: Id('a home you own'),
  roomId: Type.Optional(Id('a room of that home')),
});

export const HomeParams = Type.Object({ homeId: Id('home id') });
export const MemberParams = Type.Object({ homeId: Id('home id'), userId: Id('user id') });
export const RoomParams = Type.Object({ homeId: Id('home id'), roomId: Id('room id') });
export const DeviceParams = Type.Object({ deviceId: Id('device id') });

export const HomeSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: Timestamp,
});

export const MemberSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  displayName: NullableString,
  role: Role,
});

export const RoomSchema = Type.Object({ id: Type.String(), name: Type.String() });

export const HomeDeviceSchema = Type.Object({
  deviceId: Type.String(),
  roomId: NullableString,
  roomName: NullableString,
});

export const HomeDetailSchema = Type.Composite([
  HomeSummarySchema,
  Type.Object({
    members: Type.Array(MemberSchema),
    rooms: Type.Array(RoomSchema),
    devices: Type.Array(HomeDeviceSchema),
  }),
]);

export const PlacementSchema = Type.Object({
  deviceId: Type.String(),
  homeId: Type.String(),
  homeName: Type.String(),
  roomId: NullableString,
  roomName: NullableString,
});
