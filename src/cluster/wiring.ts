import type { Logger } from 'pino';
import type { BrokerCluster } from '../broker/broker.js';
import type { BrokerPolicy, PublishAdmission } from '../registry/broker-policy.js';
import type { PhoneReply } from '../registry/control/command-schema.js';
import type { Cluster } from './index.js';

/** The broker's view of the cluster (src/broker never imports src/cluster). */
export function brokerCluster(cluster: Cluster, log: Logger): BrokerCluster {
  return {
    nodeId: cluster.node.id,
    mq: cluster.mq,
    persistence: cluster.persistence,
    heartbeatMs: cluster.heartbeatMs,
    claim: (clientId, isDevice) => cluster.node.claim(clientId, isDevice),
    release: (clientId, epoch, isDevice) => {
      cluster.node.release(clientId, epoch, isDevice).catch((err: unknown) => {
        // The session key stays until the sweep or the next claim of the id: never a wrong owner.
        log.warn({ clientId, err: String(err) }, 'releasing a session in redis failed');
      });
    },
  };
}

function commandOf(payload: Buffer): { id: string; did: string | null } | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body !== 'object' || body === null) return undefined;
    const { id, did } = body as { id?: unknown; did?: unknown };
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) return undefined;
    return { id, did: typeof did === 'string' ? did.slice(0, 64) : null };
  } catch {
    return undefined;
  }
}

/**
 * The policy with the one cluster step the registry does not know: a device reply whose command
 * is pending on another node (the node where the phone is) is forwarded there, and answered once
 * it is on its way (QoS 1: PUBACK after the forward). Every other publish goes to the registry.
 */
export function clusterPolicy(
  inner: BrokerPolicy,
  cluster: Cluster,
  deps: { toUser: (userId: string, reply: PhoneReply) => void; log: Logger },
): BrokerPolicy {
  return {
    ...inner,
    sessionSubscribed(session, filters) {
      inner.sessionSubscribed(session, filters);
      if (session.kind !== 'user') return;
      const inbox = `app/${session.userId}/replies`;
      if (
        !filters.some(
          (f) => f === inbox || f === `app/${session.userId}/#` || f === `app/${session.userId}/+`,
        )
      )
        return;
      // The phone listens for replies again: answer what a dead node left it waiting for.
      cluster.pending.lost(session.userId).then(
        (replies) => {
          for (const reply of replies) deps.toUser(session.userId, reply);
        },
        (err: unknown) => deps.log.warn({ err: String(err) }, 'reading lost commands failed'),
      );
    },
    admitPublish(session, topic, payload): PublishAdmission {
      if (session.kind === 'user' && topic === `app/${session.userId}/cmd`) {
        const command = commandOf(payload);
        // Recorded before the registry runs it: an immediate answer removes it again, in order.
        if (command) cluster.pending.started(session.userId, command.id, command.did);
        return inner.admitPublish(session, topic, payload);
      }
      if (session.kind !== 'device' || topic !== `dev/${session.deviceId}/replies`)
        return inner.admitPublish(session, topic, payload);
      const id = commandOf(payload)?.id;
      if (id === undefined) return inner.admitPublish(session, topic, payload);
      return cluster.node.routeReply(session.deviceId, id, payload).then((routed) => {
        if (routed) return undefined;
        const admission = inner.admitPublish(session, topic, payload);
        if (typeof admission === 'string') throw new Error(admission);
        return admission;
      });
    },
  };
}

/** Where a command goes: straight out when the device is here, after its reply route when it is elsewhere. */
export function routeCommand(
  cluster: Cluster,
  deps: { isLocal: (deviceId: string) => boolean; ttlMs: number; log: Logger },
  deviceId: string,
  commandId: string,
  send: () => void,
): void {
  if (deps.isLocal(deviceId) || cluster.node.onlineElsewhere(deviceId) === undefined) {
    send();
    return;
  }
  cluster.node.expectReply(commandId, deps.ttlMs).then(send, (err: unknown) => {
    // Without the route the reply cannot come back: the phone gets DEVICE_TIMEOUT, never two results.
    deps.log.warn({ deviceId, err: String(err) }, 'recording a command route failed; sending anyway');
    send();
  });
}
