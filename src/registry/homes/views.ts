import type { HomeRole, MemberRow, MyHomeRow, PlacementRow, RoomRow } from './store.js';

export interface HomeSummary {
  readonly id: string;
  readonly name: string;
  /** The caller's role in the home. */
  readonly role: HomeRole;
  readonly createdAt: string;
}

export interface MemberView {
  readonly userId: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly role: HomeRole;
}

export interface RoomView {
  readonly id: string;
  readonly name: string;
}

export interface HomeDevice {
  readonly deviceId: string;
  readonly roomId: string | null;
  readonly roomName: string | null;
}

export interface HomeDetail extends HomeSummary {
  readonly members: readonly MemberView[];
  readonly rooms: readonly RoomView[];
  readonly devices: readonly HomeDevice[];
}

/** Where a device is, as the REST device listing shows it. */
export interface Placement {
  readonly homeId: string;
  readonly homeName: string;
  readonly roomId: string | null;
  readonly roomName: string | null;
}

export interface PlacementView extends Placement {
  readonly deviceId: string;
}

export function homeSummary(row: MyHomeRow): HomeSummary {
  return { id: row.id, name: row.name, role: row.role, createdAt: new Date(row.created_at).toISOString() };
}

export function memberView(row: MemberRow): MemberView {
  return { userId: row.user_id, email: row.email, displayName: row.display_name, role: row.role };
}

export function roomView(row: RoomRow): RoomView {
  return { id: row.id, name: row.name };
}

export function homeDevice(row: PlacementRow): HomeDevice {
  return { deviceId: row.device_id, roomId: row.room_id, roomName: row.room_name };
}

export function placement(row: PlacementRow): Placement {
  return { homeId: row.home_id, homeName: row.home_name, roomId: row.room_id, roomName: row.room_name };
}

export function placementView(row: PlacementRow): PlacementView {
  return { deviceId: row.device_id, ...placement(row) };
}
