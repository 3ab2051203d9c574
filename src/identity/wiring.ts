import type { HubContext } from '../hub-context.js';
import type { Limits } from '../limits.js';
import { type IdentityOptions, IdentityService } from './service.js';

/** What the hub hands identities beside its context: abuse limits, and the other domains' hooks. */
export interface IdentityWiring extends HubContext {
  readonly limits: Limits;
  readonly onRegistered: NonNullable<IdentityOptions['onRegistered']>;
  readonly releaseAccount: NonNullable<IdentityOptions['releaseAccount']>;
}

/**
 * Opens users, their tokens and the operators' tokens. A revocation ends live sessions through the
 * registry bus, wherever it happened (relayed from other nodes in cluster mode).
 */
export async function wireIdentities(wiring: IdentityWiring): Promise<IdentityService> {
  const { options, bus } = wiring;
  const identities = new IdentityService({
    store: wiring.store,
    log: wiring.log.child({ module: 'identity' }),
    now: options.now,
    tokenTtlMs: options.tokenTtlMs,
    limits: wiring.limits,
    registrationLimit: {
      perAddress: options.limits.registrationsPerAddress,
      windowMs: options.limits.registrationWindowMs,
    },
    onRegistered: wiring.onRegistered,
    onRevoke: (revocation) => bus.emit('revokeUser', revocation),
    releaseAccount: wiring.releaseAccount,
  });
  await identities.open();
  wiring.started.push(() => identities.close());
  // A revocation on another node (relayed in cluster mode) ends the token's use here too.
  bus.on('revokeUser', (revocation) => identities.forget(revocation));
  return identities;
}
