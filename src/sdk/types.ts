/** What the SDK exchanges with the hub (docs/protocol.md, docs/api.md). */
export interface DeviceState {
  readonly id: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly role: 'owner' | 'member';
  readonly firmwareVersion: string | null;
  readonly presence: { readonly online: boolean; readonly lastSeenAt: string | null };
  readonly version: number;
  readonly reported: Record<string, { value: unknown; reportedAt: string }>;
  readonly desired: Record<string, { value: unknown; setAt: string }>;
  readonly placement: {
    homeId: string;
    homeName: string;
    roomId: string | null;
    roomName: string | null;
  } | null;
}

export type Command =
  | { readonly op: 'set'; readonly props: Record<string, unknown> }
  | { readonly op: 'get'; readonly props: readonly string[] }
  | {
      readonly op: 'action';
      readonly action: string;
      readonly in?: ReadonlyArray<{ piid: number; value: unknown }>;
    };

/** A device's desired state as its users see it (docs/protocol.md, "Desired state"). */
export interface DesiredState {
  readonly desired: Record<string, { value: unknown; setAt: string }>;
  readonly refused: Record<string, { value: unknown; code: string; message: string; refusedAt: string }>;
}

export type CommandResult =
  | { readonly status: 'ok'; readonly data: unknown }
  | { readonly status: 'queued'; readonly data: unknown };

export interface ShadowUpdate {
  readonly version: number;
  readonly at: string;
  readonly seq: number;
  readonly reported: Record<string, unknown>;
}

export interface PresenceUpdate {
  readonly online: boolean;
  readonly at: string;
}

export interface DeviceEvent {
  readonly event: string;
  readonly at: string;
  readonly seq: number;
  readonly arguments: unknown;
}

export interface WatchHandlers {
  readonly shadow?: (update: ShadowUpdate) => void;
  readonly presence?: (update: PresenceUpdate) => void;
  readonly event?: (event: DeviceEvent) => void;
}
