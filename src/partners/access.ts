import { HubError } from '../errors.js';
import type { Identity } from '../identity/identity.js';
import type { Queryable } from '../store/engine.js';
import { findPartner, type PartnerRow } from './store-partners.js';

export type OperatorIdentity = Extract<Identity, { kind: 'operator' }>;

/** The routes already refuse other kinds; the domain checks again so no other caller can skip it. */
export function requireOperator(caller: Identity): OperatorIdentity {
  if (caller.kind !== 'operator') throw new HubError('FORBIDDEN', 'only an operator may do this');
  return caller;
}

/**
 * The partner, if the caller may see it: the operator, or the partner itself. Another partner gets
 * NOT_FOUND, as if it did not exist, so partner ids cannot be probed.
 */
export async function visiblePartner(
  db: Queryable,
  caller: Identity,
  partnerId: string,
): Promise<PartnerRow> {
  if (caller.kind === 'user') throw new HubError('FORBIDDEN', 'a user may not manage partners');
  const row = await findPartner(db, partnerId);
  const allowed = caller.kind === 'operator' || caller.partnerId === partnerId;
  if (!row || !allowed) throw new HubError('NOT_FOUND', 'partner not found');
  return row;
}
