import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import type { ConnectDecision, MqttSession } from '../../src/registry/broker-policy.js';
import {
  PartnerAccess,
  partnerClientIdAllowed,
  partnerFilterAllowed,
} from '../../src/registry/partner-access.js';

/** The partner side of the broker policy (docs/protocol.md, "Partners"), without a broker. */

const KEYS: Record<string, Identity> = {
  ek_k1_secret: { kind: 'partner', partnerId: 'p1', keyId: 'k1' },
  ek_k2_secret: { kind: 'partner', partnerId: 'p1', keyId: 'k2' },
};

function access(options: Partial<ConstructorParameters<typeof PartnerAccess>[0]> = {}) {
  let now = 0;
  const partners = new PartnerAccess({
    resolveKey: async (token) => KEYS[token],
    now: () => now,
    ...options,
  });
  return { partners, advance: (ms: number) => (now += ms) };
}

function attempt(password: string, clientId = 'partner/p1/ci', clean = true) {
  return { clientId, username: 'partner', password: Buffer.from(password), willTopic: undefined, clean };
}

function session(decision: ConnectDecision): Extract<MqttSession, { kind: 'partner' }> {
  if (!decision.ok || decision.session.kind !== 'partner') throw new Error(JSON.stringify(decision));
  return decision.session;
}

describe('partner MQTT access', () => {
  it('keeps client ids and filters inside the partner namespace', () => {
    expect(partnerClientIdAllowed('p1', 'partner/p1')).toBe(true);
    expect(partnerClientIdAllowed('p1', 'partner/p1/laptop-2')).toBe(true);
    expect(partnerClientIdAllowed('p1', '')).toBe(true);
    for (const id of ['partner/p2', 'partner/p1/a/b', 'partner/p10', 'partner/p1/', 'app/p1', 'p1']) {
      expect(partnerClientIdAllowed('p1', id), id).toBe(false);
    }
    for (const f of [
      'cert-runs/#',
      'cert-runs/+/cases',
      'cert-runs/r1/state',
      'cert-runs/r1/#',
      'cert-runs/+/+',
    ]) {
      expect(partnerFilterAllowed('p1', `partner/p1/${f}`), f).toBe(true);
    }
    for (const f of [
      'partner/p1/#',
      'partner/p1/cert-runs',
      'partner/p1/cert-runs/r1',
      'partner/p1/cert-runs/r1/cases/x',
      'partner/p1/cert-runs/r1/other',
      'partner/p1/cert-runs/#/cases',
      'partner/p2/cert-runs/#',
      'partner/+/cert-runs/#',
      '#',
    ]) {
      expect(partnerFilterAllowed('p1', f), f).toBe(false);
    }
  });

  it('refuses unknown keys, foreign client ids and persistent sessions', async () => {
    const { partners } = access();
    expect(await partners.authenticate(attempt('ek_nope_secret'))).toMatchObject({
      refusal: 'bad-credentials',
    });
    expect(await partners.authenticate(attempt('ek_k1_secret', 'partner/p2'))).toMatchObject({
      refusal: 'identifier-rejected',
    });
    expect(await partners.authenticate(attempt('ek_k1_secret', 'partner/p1', false))).toMatchObject({
      refusal: 'identifier-rejected',
    });
    expect(session(await partners.authenticate(attempt('ek_k1_secret')))).toEqual({
      kind: 'partner',
      partnerId: 'p1',
      keyId: 'k1',
    });
  });

  it('stops delivering to a revoked key at once and refuses it at connect', async () => {
    const { partners } = access();
    const s1 = session(await partners.authenticate(attempt('ek_k1_secret')));
    const s2 = session(await partners.authenticate(attempt('ek_k2_secret')));
    const topic = 'partner/p1/cert-runs/r1/cases';
    expect(partners.mayReceive(s1, topic)).toBe(true);
    partners.revoke('k1');
    expect(partners.mayReceive(s1, topic)).toBe(false);
    expect(partners.subscribeDenied(s1, 'partner/p1/cert-runs/#')).toBe('the API key was revoked');
    expect(partners.mayReceive(s2, topic)).toBe(true);
    // Even while the key still resolved (the lookup raced the revocation).
    expect(await partners.authenticate(attempt('ek_k1_secret'))).toMatchObject({
      refusal: 'bad-credentials',
    });
    expect(partners.admitPublish(s2, topic)).toContain('may not publish');
  });

  it('bounds the sessions of a partner and the rate of its subscriptions', async () => {
    const { partners, advance } = access({
      maxSessionsPerPartner: 2,
      subscribeBurst: 2,
      subscribeRatePerSec: 1,
    });
    const a = session(await partners.authenticate(attempt('ek_k1_secret')));
    partners.started(a);
    partners.started(session(await partners.authenticate(attempt('ek_k2_secret'))));
    expect(await partners.authenticate(attempt('ek_k1_secret'))).toMatchObject({
      refusal: 'identifier-rejected',
      reason: 'a partner may hold at most 2 MQTT sessions at once',
    });
    partners.ended(a);
    expect((await partners.authenticate(attempt('ek_k1_secret'))).ok).toBe(true);

    const filter = 'partner/p1/cert-runs/#';
    expect(partners.subscribeDenied(a, filter)).toBeUndefined();
    expect(partners.subscribeDenied(a, filter)).toBeUndefined();
    expect(partners.subscribeDenied(a, filter)).toMatch(/too many subscriptions; retry in \d+ ms/);
    advance(1000);
    expect(partners.subscribeDenied(a, filter)).toBeUndefined();
  });
});
