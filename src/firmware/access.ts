import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Queryable } from '../store/engine.js';
import * as fleet from './store-fleet.js';

/**
 * Who may reach firmware things. Deny by default: the operator reaches everything; a partner only
 * its own models' packages, rollouts and devices; a user only the updates of devices it owns.
 * Another partner's thing answers the same NOT_FOUND as a missing one, so ids cannot be probed.
 */

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function notUser(caller: Identity): void {
  if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage firmware');
}

/** The partner the caller acts for, or undefined for the operator (who sees every partner). */
export function partnerScope(caller: Identity): string | undefined {
  notUser(caller);
  return caller.kind === 'partner' ? caller.partnerId : undefined;
}

export function visibleTo(caller: Identity, partnerId: string): boolean {
  return caller.kind === 'operator' || (caller.kind === 'partner' && caller.partnerId === partnerId);
}

/** The model's owner, when the caller may manage its firmware (its partner, or the operator). */
export async function managedModel(db: Queryable, caller: Identity, modelId: string): Promise<string> {
  notUser(caller);
  const model = await fleet.modelOwner(db, modelId);
  if (!model || !visibleTo(caller, model.partner_id)) throw new HubError('NOT_FOUND', 'model not found');
  return model.partner_id;
}

/** Who did it, for the log and a rollout's createdBy: `partner:{id}`, `operator:{tokenId}` or `user`. */
export function who(caller: Identity): string {
  return caller.kind === 'partner'
    ? `partner:${caller.partnerId}`
    : caller.kind === 'operator'
      ? `operator:${caller.tokenId}`
      : 'user';
}
