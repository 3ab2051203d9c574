import type { Identity } from '../identity/identity.js';
import type { Page, PageRequest } from '../store/page.js';
import type { NotificationView } from './views.js';

/** A device of a model that the registry says a user owns or was shared. */
export interface OwnedDevice {
  readonly deviceId: string;
  readonly role: 'owner' | 'member';
  /** Since when the device has been in its current owner's hands (ms). */
  readonly since: number;
  readonly firmwareVersion: string | null;
}

/** What a bug report carries when its author consents: the device's recent state and events. */
export interface DeviceContext {
  readonly deviceId: string;
  readonly modelVersion: number;
  readonly firmwareVersion: string | null;
  readonly online: boolean;
  readonly lastSeenAt: string | null;
  readonly state: Record<string, unknown>;
  readonly events: ReadonlyArray<{
    readonly event: string;
    readonly ts: string;
    readonly arguments: unknown;
  }>;
}

/**
 * The facts community needs from the registry, through its services (the composition root wires
 * them): who owns or is shared what, and what a device is doing. Ownership is never self-declared.
 */
export interface CommunityRegistry {
  /** The user's devices of the model (owned or shared), oldest claim first; empty if none. */
  devicesOf(userId: string, modelId: string): Promise<readonly OwnedDevice[]>;
  /** The partner of a model that has a published version; undefined for an unknown or unpublished model. */
  partnerOf(modelId: string): Promise<string | undefined>;
  /** When each device was last seen (report or connection), null when never. */
  lastSeen(deviceIds: readonly string[]): Promise<ReadonlyMap<string, number | null>>;
  /** A device's recent state and events (the caller checked the user may see it). */
  context(deviceId: string): Promise<DeviceContext>;
}

/** Where a notice goes besides the inbox: the user's MQTT topic app/{uid}/notifications. */
export interface CommunityNotifier {
  toUser(userId: string, notice: NotificationView): void;
}

/** A firmware release (a firmware package of the firmware domain) as the community sees it. */
export interface ReleaseFacts {
  readonly releaseId: string;
  readonly modelId: string;
  /** The firmware revision devices report once they run it. */
  readonly version: string;
  readonly state: 'draft' | 'ready' | 'withdrawn';
  readonly channel: 'none' | 'beta' | 'stable';
}

/** How a release was tested on beta (the firmware domain's figures). */
export interface ReleaseTestingFacts {
  readonly releaseId: string;
  readonly modelId: string;
  readonly version: string;
  readonly devices: number;
  readonly keptDevices: number;
  readonly testers: number;
  readonly deviceHours: number;
}

/** The firmware releases, through the firmware domain's services (the composition root wires them). */
export interface CommunityReleases {
  /** The release if the caller may manage it (its model's partner, the operator); NOT_FOUND otherwise. */
  release(caller: Identity, releaseId: string): Promise<ReleaseFacts>;
  /** Releases by id, for the hub's own catch-up (no caller); unknown ids are left out. */
  releases(releaseIds: readonly string[]): Promise<ReadonlyMap<string, ReleaseFacts>>;
  /** Beta testing figures of a release the caller may manage (NOT_FOUND otherwise). */
  testing(caller: Identity, releaseId: string): Promise<ReleaseTestingFacts>;
  /** A page of the model's releases that went to beta or stable, newest first, for a caller managing the model. */
  released(caller: Identity, modelId: string, page: PageRequest): Promise<Page<ReleaseFacts>>;
  /** The releases a user tested with devices it keeps on beta. */
  testedBy(userId: string): Promise<ReleaseTestingFacts[]>;
}
