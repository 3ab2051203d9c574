import type { Firmware } from '../firmware/service.js';
import type { PackageRow } from '../firmware/store-packages.js';
import type { CommunityReleases, ReleaseFacts } from './ports.js';

function facts(row: PackageRow): ReleaseFacts {
  return {
    releaseId: row.id,
    modelId: row.model_id,
    version: row.version,
    state: row.state,
    channel: row.channel,
  };
}

/**
 * The firmware releases community links posts to, through the firmware domain's package service:
 * a release is a firmware package, reachable by its model's partner and the operator only.
 */
export function firmwareReleases(firmware: Pick<Firmware, 'packages' | 'beta'>): CommunityReleases {
  return {
    async release(caller, releaseId) {
      return facts(await firmware.packages.owned(caller, releaseId));
    },
    async releases(releaseIds) {
      const out = new Map<string, ReleaseFacts>();
      for (const id of releaseIds) {
        const row = await firmware.packages.find(id);
        if (row) out.set(id, facts(row));
      }
      return out;
    },
    testing: (caller, releaseId) => firmware.beta.testing(caller, releaseId),
    async released(caller, modelId, page) {
      const listed = await firmware.packages.list(caller, { modelId, released: true }, page);
      const items: ReleaseFacts[] = [];
      for (const { id } of listed.items) {
        const row = await firmware.packages.find(id);
        if (row) items.push(facts(row));
      }
      return { items, next: listed.next };
    },
    testedBy: (userId) => firmware.beta.testedBy(userId),
  };
}
