import { HubError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import type { Queryable } from '../../store/engine.js';
import * as store from './store.js';

/** Who may reach a model and its versions, and the state checks every transition shares. */

export type PartnerIdentity = Extract<Identity, { kind: 'partner' }>;

export interface Owned {
  readonly model: store.ModelRow;
  readonly profile: store.PartnerProfile;
}

const MODEL_NOT_FOUND = 'model not found';

/** The routes already refuse other kinds; the domain checks again so no other caller can skip it. */
export function requirePartner(caller: Identity): PartnerIdentity {
  if (caller.kind !== 'partner') {
    throw new HubError('FORBIDDEN', 'only the partner that owns the model may do this');
  }
  return caller;
}

/**
 * The model if the caller may see it: the operator, or its owner. Another partner gets the same
 * NOT_FOUND as for a model that does not exist, so model ids cannot be probed.
 */
export async function visibleModel(
  db: Queryable,
  caller: Identity,
  modelId: string,
): Promise<store.ModelRow> {
  if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage models');
  const model = await store.findModel(db, modelId);
  if (!model || (caller.kind === 'partner' && model.partner_id !== caller.partnerId)) {
    throw new HubError('NOT_FOUND', MODEL_NOT_FOUND);
  }
  return model;
}

/** The model if the caller is the partner that owns it (the operator may read, not author). */
export async function ownedModel(db: Queryable, caller: Identity, modelId: string): Promise<Owned> {
  const partner = requirePartner(caller);
  const model = await visibleModel(db, partner, modelId);
  return { model, profile: await partnerProfile(db, partner.partnerId) };
}

export async function partnerProfile(db: Queryable, partnerId: string): Promise<store.PartnerProfile> {
  const profile = await store.findPartnerProfile(db, partnerId);
  if (!profile) throw new HubError('NOT_FOUND', 'partner not found');
  return profile;
}

export async function versionOf(db: Queryable, modelId: string, version: number): Promise<store.VersionRow> {
  const row = await store.findVersion(db, modelId, version);
  if (!row) throw new HubError('NOT_FOUND', `model ${modelId} has no version ${version}`);
  return row;
}

/** 409 INVALID_STATE naming the current and the expected state. */
export function inState(row: store.VersionRow, expected: store.ModelState, action: string): store.VersionRow {
  if (row.state !== expected) {
    throw new HubError(
      'INVALID_STATE',
      `cannot ${action} version ${row.version}: it is ${row.state}, not ${expected}`,
    );
  }
  return row;
}
