import type { AedesOptions, Client } from 'aedes';
import { clip, type LogThrottle } from '../log-throttle.js';
import type { BrokerPolicy } from '../registry/broker-policy.js';
import type { BrokerCluster } from './broker.js';
import type { SessionTable } from './sessions.js';

export interface AuthorizationOptions {
  readonly policy: BrokerPolicy;
  readonly cluster: BrokerCluster | undefined;
  readonly sessions: SessionTable;
  /** Every line a client can cause: bounded per source and reason. */
  readonly log: LogThrottle;
  /** Whose log budget a line counts against. */
  readonly source: (client: Client) => string;
  /** Topic filters one session may hold; past it SUBACK 0x80. */
  readonly maxSubscriptionsPerSession: number;
  /** Called for each message delivered to a subscriber (metrics). */
  readonly onDelivered?: () => void;
}

/**
 * aedes' authorization hooks on the sessions CONNECT authenticated: every publish is admitted by
 * the policy (validated and, for a QoS 1 report, stored before aedes' PUBACK), every filter checked
 * and counted, every delivery checked at forward time (synchronously: aedes' hook is).
 */
export function authorizationHooks(
  o: AuthorizationOptions,
): Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>> {
  return {
    authorizePublish: (client, packet, done) => {
      const will = packet as typeof packet & { brokerId?: string; clientId?: string };
      const deadNodesWill = o.cluster && will.brokerId && will.clientId && will.brokerId !== o.cluster.nodeId;
      // Only the hub retains (presence): a client's retained message would be kept for every later
      // subscriber, unbounded and unvalidated (docs/protocol.md). Wills too, a dead node's included.
      if (client || deadNodesWill) packet.retain = false;
      if (deadNodesWill && will.clientId) {
        // A dead node's will this node won the right to fire (the cluster's will stream yields
        // only those), whether or not the client reconnected here: fired as the client's own
        // publish (a device's will is validated, stored and reaches its watchers on `notify`).
        o.policy.admitWill(will.clientId, packet.topic, packet.payload as Buffer).then(
          () => done(null),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
        return;
      }
      if (!client) {
        done(null); // the hub's own publishes
        return;
      }
      const session = o.sessions.get(client);
      const admission = session
        ? o.policy.admitPublish(session, packet.topic, packet.payload as Buffer)
        : 'no session';
      if (admission === undefined) {
        done(null);
      } else if (typeof admission === 'string') {
        o.log.warn(
          o.source(client),
          'publish refused',
          { clientId: clip(client.id), topic: clip(packet.topic), reason: clip(admission) },
          'publish refused',
        );
        done(new Error(admission));
      } else {
        admission.then(
          () => done(null),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      }
    },
    authorizeSubscribe: (client, sub, done) => {
      // A user's access being reloaded (a change made on another node) is waited for, not refused.
      const authorize = (): void => {
        const session = o.sessions.get(client);
        const filters = o.sessions.filters(client);
        const cap = Math.min(
          o.maxSubscriptionsPerSession,
          (session && o.policy.maxSubscriptions?.(session)) ?? Number.POSITIVE_INFINITY,
        );
        const full = !filters.has(sub.topic) && filters.size >= cap;
        const denied = !session
          ? 'no session'
          : full
            ? `more than ${cap} subscriptions`
            : o.policy.subscribeDenied(session, sub.topic);
        if (denied) {
          o.log.info(
            o.source(client),
            'subscribe refused',
            { clientId: clip(client.id), topic: clip(sub.topic), reason: clip(denied) },
            'subscribe refused',
          );
          // [MQTT-3.9.3-2] a refused filter gets return code 0x80 in SUBACK; aedes sends that for a null subscription.
          done(null, null);
          return;
        }
        filters.add(sub.topic);
        done(null, sub);
      };
      const current = o.sessions.get(client);
      const ready = current && o.policy.subscribeReady?.(current);
      if (ready) ready.then(authorize, authorize);
      else authorize();
    },
    authorizeForward: (client, packet) => {
      // A revoked session is closed synchronously; deliveries already queued for it stop here.
      if ((client as unknown as { closed?: boolean }).closed) return null;
      const session = o.sessions.get(client);
      if (!session || !o.policy.mayReceive(session, packet.topic)) return null;
      o.onDelivered?.();
      return packet;
    },
  };
}
