import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, ownedDevice } from '../support/devices.js';
import { eventually } from '../support/raw-mqtt.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

/**
 * A loaded node can stall (a long event-loop turn, a slow Redis) for longer than the others wait
 * for its heartbeat. Seen in bench:cluster at 78,000 devices: the others swept a live node, whose
 * devices then stayed connected but offline for everyone (presence 39,000 of 58,500 connected).
 */
describe('a node presumed dead while it lives', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('stops the sweep once the node beats again, closes only what was swept, and its devices come back online', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const redis = cluster.redis;
    const slowId = n2.options.cluster?.nodeId ?? '';
    const sweeper = n1.cluster?.node.directory;
    if (slowId === '' || sweeper === undefined) throw new Error('not a cluster');
    const { device, user } = await ownedDevice(n1);
    const dev = await connectDevice(n2.mqttUrl, device, { reconnectPeriod: 0 });
    const onNode2 = async () =>
      (await redis.hget('ecohub:presence', device.id))?.startsWith(`${slowId}|`) === true;
    await eventually(onNode2, 'online on node 2', 10_000);
    const closed = new Promise<void>((resolve) => dev.once('close', () => resolve()));

    // Node 2's liveness key lapses (as when it stalls for a whole TTL); node 1 sweeps it.
    let released: string[] | 'alive' = 'alive';
    await eventually(
      async () => {
        await redis.del(`ecohub:node:${slowId}`);
        released = await sweeper.sweep(slowId);
        return released !== 'alive';
      },
      'a sweep while node 2 is silent',
      10_000,
    );
    expect(released).toContain(device.id);
    expect(await redis.hget('ecohub:presence', device.id)).toBeNull();

    // Node 2's next beat finds its key lapsed: it closes the session the cluster no longer gives
    // it, so the device reconnects and claims afresh instead of staying connected but offline.
    await closed;
    // From then on the sweep leaves node 2 alone, and it stays a member.
    expect(await sweeper.sweep(slowId)).toBe('alive');
    expect(await sweeper.forget(slowId)).toBe(false);
    await eventually(
      async () => (await redis.zscore('ecohub:nodes', slowId)) !== null,
      'node 2 a member',
      10_000,
    );
    const metrics = await fetch(`${n2.httpUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^ecohub_cluster_liveness_lapses_total [1-9]/m);

    const back = await connectDevice(n2.mqttUrl, device, { reconnectPeriod: 0 });
    await eventually(onNode2, 'online again', 10_000);
    await eventually(
      async () => {
        const res = await n1.request('GET', `/v1/me/devices/${device.id}`, { token: user.token });
        return (res.body['presence'] as { online?: boolean } | undefined)?.online === true;
      },
      'online in the database',
      10_000,
    );
    await back.endAsync();
  });
});
