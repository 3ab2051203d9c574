import { Counter, Gauge, type Registry } from 'prom-client';
import type { NodeCounters } from './node.js';

/** The node's identity and the cluster's health as Prometheus series, on the hub's registry. */
export function clusterMetrics(
  registry: Registry,
  node: string,
  read: { nodesAlive: () => number; redisUp: () => boolean; remoteOnline: () => number },
): NodeCounters {
  const registers = [registry];
  new Gauge({
    name: 'ecohub_cluster_node_info',
    help: 'This node of the cluster (always 1), labelled with its node id',
    labelNames: ['node'],
    registers,
    collect() {
      this.set({ node }, 1);
    },
  });
  new Gauge({
    name: 'ecohub_cluster_nodes_alive',
    help: 'Nodes whose liveness key was present at the last heartbeat, this one included',
    registers,
    collect() {
      this.set(read.nodesAlive());
    },
  });
  new Gauge({
    name: 'ecohub_cluster_redis_up',
    help: '1 while both Redis connections of this node are ready',
    registers,
    collect() {
      this.set(read.redisUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ecohub_cluster_devices_online_elsewhere',
    help: 'Devices this node knows to be online on other nodes',
    registers,
    collect() {
      this.set(read.remoteOnline());
    },
  });
  const takeovers = new Counter({
    name: 'ecohub_cluster_takeovers_total',
    help: 'Connects of a client id another node held, by outcome (closed, none: that node was dead, timeout)',
    labelNames: ['outcome'],
    registers,
  });
  const routed = new Counter({
    name: 'ecohub_cluster_replies_routed_total',
    help: 'Device replies forwarded to the node where the phone waits',
    registers,
  });
  const swept = new Counter({
    name: 'ecohub_cluster_devices_swept_total',
    help: 'Devices marked offline because the node holding them died',
    registers,
  });
  const lapses = new Counter({
    name: 'ecohub_cluster_liveness_lapses_total',
    help: "Heartbeats that found this node's liveness key expired (it stalled for a whole TTL and may have been swept)",
    registers,
  });
  return {
    lapses: () => lapses.inc(),
    takeovers: (outcome) => takeovers.inc({ outcome }),
    repliesRouted: () => routed.inc(),
    devicesSwept: (n) => swept.inc(n),
  };
}
