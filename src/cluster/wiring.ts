import type { Logger } from 'pino';
import type { BrokerCluster } from '../broker/broker.js';
import type { BrokerPolicy, PublishAdmission } from '../registry/broker-policy.js';
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
    firstToFire: (brokerId, clientId) => cluster.node.firstToFire(brokerId, clientId),
  };
}

function commandIdOf(payload: Buffer): string | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The policy with the one cluster step the registry does not know: a device reply whose command
 * is pending on another node (the node where the phone is) is forwarded there, and answered once
 * it is on its way (QoS 1: PUBACK after the forward). Every other publish goes to the registry.
 */
export function clusterPolicy(inner: BrokerPolicy, cluster: Cluster): BrokerPolicy {
  return {
    ...inner,
    admitPublish(session, topic, payload): PublishAdmission {
      if (session.kind !== 'device' || topic !== `dev/${session.deviceId}/replies`)
        return inner.admitPublish(session, topic, payload);
      const id = commandIdOf(payload);
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
