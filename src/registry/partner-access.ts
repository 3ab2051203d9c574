import { Gauge, type Registry } from 'prom-client';
import type { CredentialResolver, Identity } from '../identity/identity.js';
import { TokenBuckets } from '../rate-limit.js';
import type { ConnectAttempt, ConnectDecision, MqttSession, PublishAdmission } from './broker-policy.js';

/** Username a partner connects with; the password is one of its API keys (`ek_...`). */
export const PARTNER_USERNAME = 'partner';

/** A partner's namespace: its client ids and the topics the hub publishes for it. */
export function partnerPrefix(partnerId: string): string {
  return `partner/${partnerId}`;
}

/** Where the hub publishes a certification run's progress (docs/certification.md, "Watching a run"). */
export function certRunTopic(partnerId: string, runId: string, leaf: 'cases' | 'state'): string {
  return `${partnerPrefix(partnerId)}/cert-runs/${runId}/${leaf}`;
}

/** Revoked keys remembered; an older one's sessions were closed long ago, and its key no longer resolves. */
const MAX_REVOKED = 10_000;

/** What may follow `partner/{pid}/` in a client id: one label, as for a phone. */
const LABEL = /^[A-Za-z0-9._-]{1,64}$/;
/** The second-to-last level of a run topic: a run id, or `+`. */
const RUN_LEVEL = /^(\+|[A-Za-z0-9_-]{1,64})$/;
/** Leaves of a run: its cases, its state (started, finished), or a wildcard over both. */
const RUN_LEAVES = new Set(['cases', 'state', '+', '#']);

/** `partner/{pid}` or `partner/{pid}/{label}`, or empty (cleanSession=1: the hub assigns one). */
export function partnerClientIdAllowed(partnerId: string, clientId: string): boolean {
  const prefix = partnerPrefix(partnerId);
  if (clientId === '' || clientId === prefix) return true;
  return clientId.startsWith(`${prefix}/`) && LABEL.test(clientId.slice(prefix.length + 1));
}

/**
 * Whether `filter` stays within the partner's certification runs: `partner/{pid}/cert-runs/#`, or
 * `partner/{pid}/cert-runs/{runId|+}/{cases|state|+|#}`. Nothing else of the partner's namespace,
 * and nothing outside it, exists for a partner session.
 */
export function partnerFilterAllowed(partnerId: string, filter: string): boolean {
  const base = `${partnerPrefix(partnerId)}/cert-runs/`;
  if (!filter.startsWith(base)) return false;
  const rest = filter.slice(base.length).split('/');
  if (rest.length === 1) return rest[0] === '#';
  return rest.length === 2 && RUN_LEVEL.test(rest[0] as string) && RUN_LEAVES.has(rest[1] as string);
}

export interface PartnerAccessOptions {
  /** The partner API key resolver (one database read per connect, never per packet). */
  readonly resolveKey: CredentialResolver;
  readonly now: () => number;
  /** Partner sessions one partner may hold at once (default 10). */
  readonly maxSessionsPerPartner?: number;
  /** Topic filters one partner session may hold (default 20: one per run watched, or one for all). */
  readonly maxSubscriptions?: number;
  /** SUBSCRIBE filters per partner, all its sessions together: a burst, then a rate (default 20, 2/s). */
  readonly subscribeBurst?: number;
  readonly subscribeRatePerSec?: number;
  /** Prometheus registry: `ecohub_mqtt_partner_sessions`. */
  readonly metrics?: Registry;
}

type PartnerSession = Extract<MqttSession, { kind: 'partner' }>;

/**
 * The partner side of the broker policy: deny by default. A partner session subscribes to its own
 * certification runs' topics and does nothing else: it publishes nowhere (the connection is
 * closed), and no device, phone or other partner topic is ever delivered to it. Its key is checked
 * at CONNECT; revoking the key closes the session (registry-bridge, `revokePartnerKey`), and until
 * then every delivery checks the revoked keys this process heard of.
 */
export class PartnerAccess {
  readonly #o: PartnerAccessOptions;
  readonly #sessions = new Map<string, number>();
  readonly #subscribes: TokenBuckets;
  /** Keys revoked while this process ran, newest last (bounded: the oldest are forgotten). */
  readonly #revoked = new Set<string>();

  constructor(options: PartnerAccessOptions) {
    this.#o = options;
    this.#subscribes = new TokenBuckets({
      ratePerSec: options.subscribeRatePerSec ?? 2,
      burst: options.subscribeBurst ?? 20,
      now: options.now,
      maxKeys: 10_000,
    });
    if (options.metrics) {
      const sessions = this.#sessions;
      new Gauge({
        name: 'ecohub_mqtt_partner_sessions',
        help: 'Partner MQTT sessions (watching certification runs) connected to this hub process',
        registers: [options.metrics],
        collect() {
          let n = 0;
          for (const count of sessions.values()) n += count;
          this.set(n);
        },
      });
    }
  }

  get maxSubscriptions(): number {
    return this.#o.maxSubscriptions ?? 20;
  }

  async authenticate(attempt: ConnectAttempt): Promise<ConnectDecision> {
    const identity: Identity | undefined = await this.#o.resolveKey(attempt.password?.toString('utf8') ?? '');
    // A key revoked while its lookup was in flight is refused too.
    if (identity?.kind !== 'partner' || this.#revoked.has(identity.keyId)) {
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown or revoked partner API key' };
    }
    const { partnerId, keyId } = identity;
    if (!partnerClientIdAllowed(partnerId, attempt.clientId)) {
      return {
        ok: false,
        refusal: 'identifier-rejected',
        reason: "a partner's clientId must be partner/{partnerId} or partner/{partnerId}/{label}",
      };
    }
    if (attempt.clean === false) {
      return {
        ok: false,
        refusal: 'identifier-rejected',
        reason: 'partner sessions are not persistent: connect with cleanSession=1',
      };
    }
    const max = this.#o.maxSessionsPerPartner ?? 10;
    if ((this.#sessions.get(partnerId) ?? 0) >= max) {
      return {
        ok: false,
        refusal: 'identifier-rejected',
        reason: `a partner may hold at most ${max} MQTT sessions at once`,
      };
    }
    if (attempt.willTopic !== undefined) {
      return { ok: false, refusal: 'not-authorized', reason: 'a partner session may not set a will' };
    }
    return { ok: true, session: { kind: 'partner', partnerId, keyId } };
  }

  admitPublish(session: PartnerSession, topic: string): PublishAdmission {
    return `partner ${session.partnerId} may not publish (to ${topic})`;
  }

  subscribeDenied(session: PartnerSession, filter: string): string | undefined {
    if (this.#revoked.has(session.keyId)) return 'the API key was revoked';
    if (!partnerFilterAllowed(session.partnerId, filter)) return `no subscribe rule allows ${filter}`;
    const wait = this.#subscribes.take(session.partnerId);
    return wait > 0 ? `too many subscriptions; retry in ${wait} ms` : undefined;
  }

  /** Checked for every delivery: its own runs' topics, while its key stands. */
  mayReceive(session: PartnerSession, topic: string): boolean {
    return !this.#revoked.has(session.keyId) && partnerFilterAllowed(session.partnerId, topic);
  }

  /**
   * The key was revoked (here or, relayed, on another node): its sessions receive nothing more
   * and may subscribe to nothing, even before the broker has closed them.
   */
  revoke(keyId: string): void {
    this.#revoked.add(keyId);
    if (this.#revoked.size > MAX_REVOKED) {
      const oldest = this.#revoked.values().next().value;
      if (oldest !== undefined) this.#revoked.delete(oldest);
    }
  }

  started(session: PartnerSession): void {
    this.#sessions.set(session.partnerId, (this.#sessions.get(session.partnerId) ?? 0) + 1);
  }

  ended(session: PartnerSession): void {
    const left = (this.#sessions.get(session.partnerId) ?? 1) - 1;
    if (left > 0) this.#sessions.set(session.partnerId, left);
    else this.#sessions.delete(session.partnerId);
  }
}
