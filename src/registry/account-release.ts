import type { Queryable } from '../store/engine.js';
import type { Control } from './control/index.js';
import type { HomeService } from './homes/service.js';

/**
 * What a deleted account held in the registry (its bindings, its homes), released inside the
 * deletion's own transaction so the account and what it held go together; what changes for others
 * is announced once the deletion committed.
 */
export function registryAccountRelease(control: Control, homes: HomeService) {
  return async (tx: Queryable, userId: string) => {
    const bound = await control.bindings.releaseUser(tx, userId);
    const affected = new Set([...bound.affected, ...(await homes.releaseUser(tx, userId))]);
    await control.access.notify(tx, affected);
    return {
      devices: bound.devices,
      committed: async () => {
        control.commands.forgetUser(userId);
        await control.access.changed(affected);
      },
    };
  };
}
