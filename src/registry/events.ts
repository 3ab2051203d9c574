import { EventEmitter } from 'node:events';

/** What the registry announces; the broker adapter and other modules listen, the registry never calls them. */
export interface RegistryEvents {
  /**
   * A device connected or disconnected (presence changed). `swept`: cluster mode, the node that
   * held the device died and this node announces it offline on its behalf.
   */
  presence: [{ deviceId: string; online: boolean; at: number; swept?: true }];
  /** An accepted report changed the shadow. */
  reported: [{ deviceId: string; version: number; at: number; props: Record<string, unknown>; seq: number }];
  /** An accepted device event. */
  event: [{ deviceId: string; event: string; at: number; seq: number; arguments: unknown }];
  /** A batch of devices was provisioned (stock for the sales channel). */
  provisioned: [
    {
      partnerId: string;
      modelId: string;
      version: number;
      batchId: string;
      deviceIds: readonly string[];
      at: number;
    },
  ];
  /** A user claimed a device and became its owner (a sold device's activation was recorded with it). */
  claimed: [{ deviceId: string; userId: string; at: number; via: 'pairing-code' | 'order' }];
  /** Who may watch or control some devices changed (claim, share, revoke, remove, home membership). */
  access: [{ userIds: readonly string[] }];
  /** The device must be disconnected now (blocked, secret rotated, removed). */
  revoke: [{ deviceId: string; reason: string }];
  /** A user's sessions must end now: one token's (logout), or all of them (account deleted). */
  revokeUser: [{ userId: string; tokenId?: string; reason: string }];
  /** A partner API key was revoked (or rotated): the MQTT sessions it opened must end now. */
  revokePartnerKey: [{ partnerId: string; keyId: string; reason: string }];
}

export type RegistryBus = EventEmitter<RegistryEvents>;

export function createRegistryBus(): RegistryBus {
  const bus = new EventEmitter<RegistryEvents>();
  bus.setMaxListeners(50);
  return bus;
}
