import { isHubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Control } from '../registry/control/index.js';
import type { DeviceService } from '../registry/devices/service.js';
import type { ModelService } from '../registry/models/service.js';
import type { TelemetryService } from '../registry/telemetry/service.js';
import type { CommunityRegistry, DeviceContext, OwnedDevice } from './ports.js';

/** Events a bug attaches: those of the last day, at most this many. */
export const ATTACHED_EVENTS = 50;
const DAY_MS = 86_400_000;
const HUB: Identity = { kind: 'operator', tokenId: 'community' };

export interface RegistryServices {
  readonly devices: DeviceService;
  readonly control: Control;
  readonly models: ModelService;
  readonly telemetry: TelemetryService;
  /** Every device the user may use, with its role (the registry's access rules: bindings and homes). */
  readonly accessible: (userId: string) => Promise<ReadonlyMap<string, 'owner' | 'member'>>;
  readonly now: () => number;
}

/**
 * The registry facts community reads, through the registry's services. Each call site is one line,
 * so the registry's move to the async engine changes them to `await` and nothing else.
 */
export function registryFacts(r: RegistryServices): CommunityRegistry {
  return {
    async devicesOf(userId, modelId) {
      const roles = await r.accessible(userId);
      const owned: OwnedDevice[] = [];
      for (const row of await r.devices.rows([...roles.keys()])) {
        if (row.model_id !== modelId) continue;
        owned.push({
          deviceId: row.id,
          role: roles.get(row.id) ?? 'member',
          since: (await r.control.bindings.ownerSince(row.id)) ?? row.created_at,
          firmwareVersion: row.firmware_version,
        });
      }
      return owned.sort((a, b) => a.since - b.since || a.deviceId.localeCompare(b.deviceId));
    },
    async partnerOf(modelId) {
      try {
        const model = await r.models.model(HUB, modelId);
        return model.versions.some((v) => v.publishedAt !== null) ? model.partnerId : undefined;
      } catch (err) {
        if (isHubError(err) && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
    async lastSeen(deviceIds) {
      return new Map((await r.devices.rows(deviceIds)).map((row) => [row.id, row.last_seen_at]));
    },
    async context(deviceId): Promise<DeviceContext> {
      const row = (await r.devices.rows([deviceId]))[0];
      if (row === undefined) throw new Error(`device ${deviceId} vanished`);
      const now = r.now();
      const state: Record<string, unknown> = {};
      for (const [key, s] of Object.entries((await r.devices.shadow(row)).reported)) state[key] = s.value;
      // Like the owner's own views: nothing from before the current owner claimed the device.
      const notBefore = await r.control.bindings.ownerSince(deviceId);
      const events = await r.telemetry.events(
        deviceId,
        { from: now - DAY_MS, to: now + 1, notBefore },
        { limit: ATTACHED_EVENTS },
      );
      return {
        deviceId,
        modelVersion: row.model_version,
        firmwareVersion: row.firmware_version,
        online: r.devices.isOnline(deviceId),
        lastSeenAt: row.last_seen_at === null ? null : new Date(row.last_seen_at).toISOString(),
        state,
        events: events.items.map((e) => ({ event: e.event, ts: e.ts, arguments: e.arguments })),
      };
    },
  };
}
