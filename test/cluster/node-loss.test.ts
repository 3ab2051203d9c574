import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, connectDevice, fakeDevice, partnerWithModel, provision, report } from '../support/devices.js';
import { newUser } from '../support/hub.js';
import { rawPhone } from '../support/phone.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';
import { type SpawnedNode, spawnNode } from './spawned-node.js';

describe('losing a node (kill -9)', () => {
  let cluster: TestCluster;
  let doomed: SpawnedNode | undefined;
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    await doomed?.kill9();
    await cluster?.stop();
  });

  it('moves its devices to the others, keeps what it acknowledged, ends its pending commands and leaves no ghost online', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    doomed = await spawnNode({
      redisUrl: cluster.redisUrl,
      database: cluster.database,
      dataDir: join(cluster.dataDir, 'doomed'),
      nodeId: 'doomed-node',
    });
    const { partner, modelId } = await partnerWithModel(n1);
    const [moving, gone, silent] = await provision(n1, partner, modelId, 3);
    if (!moving || !gone || !silent) throw new Error('no devices');
    const user = await newUser(n1);
    for (const d of [moving, gone, silent]) await claim(n1, user.token, d);

    // Two devices on the doomed node, each with a will; one that never answers on node 1.
    const noReconnect = { reconnectPeriod: 0 };
    const willSeq = Date.now();
    const will = (did: string, seq: number) => ({
      topic: `dev/${did}/events`,
      payload: Buffer.from(
        JSON.stringify({ seq, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 2 }] }),
      ),
      qos: 1 as const,
      retain: true, // ignored: only the hub retains (issue 10, item 10)
    });
    const movingDev = await connectDevice(doomed.mqttUrl, moving, {
      ...noReconnect,
      will: will(moving.id, willSeq),
    });
    const goneDev = await connectDevice(doomed.mqttUrl, gone, {
      ...noReconnect,
      will: will(gone.id, willSeq + 1),
    });
    await fakeDevice(n1.mqttUrl, silent, () => undefined);
    // Acknowledged by the doomed node (PUBACK after the durable write).
    await report(movingDev, moving.id, { 'light.on': true });

    const watcher = await rawPhone(n1.mqttUrl, user);
    await watcher.client.subscribeAsync([`dev/${moving.id}/presence`, `dev/${gone.id}/presence`], { qos: 1 });
    // Watchers of the wills on both surviving nodes.
    const willWatchers = [watcher, await rawPhone(n2.mqttUrl, user)];
    for (const w of willWatchers)
      await w.client.subscribeAsync([`dev/${moving.id}/notify`, `dev/${gone.id}/notify`], { qos: 1 });
    await watcher.until(
      () => watcher.messages.find((m) => m.topic === `dev/${gone.id}/presence` && m.body['online'] === true),
      'gone online',
    );

    // A phone on the doomed node waits for a device that will not answer before the node dies.
    const doomedPhone = await rawPhone(doomed.mqttUrl, user);
    doomedPhone.client.options.reconnectPeriod = 0;
    doomedPhone.send({ id: 'stranded', did: silent.id, op: 'get', props: ['light.on'] });
    // The command reached the device (on node 1): it is pending on the doomed node now.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = async () => {
        if ((await cluster.redis.hexists(`ecohub:pending:${user.id}`, 'stranded')) === 1) resolve();
        else if (Date.now() > deadline) reject(new Error('the command was never recorded as pending'));
        else setTimeout(check, 20);
      };
      void check();
    });

    await doomed.kill9();
    const killedAt = Date.now();

    // The moving device reconnects to node 2 and goes on reporting.
    const moved = await connectDevice(n2.mqttUrl, moving, noReconnect);
    await report(moved, moving.id, { brightness: 40 });

    // The device that never comes back is offline for everyone within the detection window
    // (--cluster-dead-after 6s, plus one beat), not left as a ghost.
    await watcher.until(
      () => watcher.messages.find((m) => m.topic === `dev/${gone.id}/presence` && m.body['online'] === false),
      'gone offline',
      15_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    const goneView = await n1.request('GET', `/v1/me/devices/${gone.id}`, { token: user.token });
    expect((goneView.body['presence'] as { online: boolean }).online).toBe(false);
    const movingView = await n2.request('GET', `/v1/me/devices/${moving.id}`, { token: user.token });
    expect((movingView.body['presence'] as { online: boolean }).online).toBe(true);
    // Nothing the dead node acknowledged is lost.
    const reported = movingView.body['reported'] as Record<string, { value: unknown }>;
    expect(reported['light.on']?.value, movingView.text).toBe(true);

    // Both wills (the device that moved and the one that never came back) reach the watchers on
    // both surviving nodes exactly once: several nodes sweep a dead node's wills, one fires each.
    const isWill = (did: string, seq: number) => (m: { topic: string; body: Record<string, unknown> }) =>
      m.topic === `dev/${did}/notify` && m.body['seq'] === seq;
    for (const w of willWatchers) {
      await w.until(() => w.messages.find(isWill(moving.id, willSeq)), "the moved device's will", 15_000);
      await w.until(() => w.messages.find(isWill(gone.id, willSeq + 1)), "the gone device's will", 15_000);
    }
    // Once no will of the dead node is left to sweep, a later event is the barrier: still one each.
    const sweptBy = Date.now() + 15_000;
    while ((await cluster.redis.keys('ecohub:aedes:will:doomed-node:*')).length > 0) {
      if (Date.now() > sweptBy) throw new Error("the dead node's wills were never swept");
      await new Promise((r) => setTimeout(r, 100));
    }
    await moved.publishAsync(
      `dev/${moving.id}/events`,
      JSON.stringify({ seq: willSeq + 2, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 0 }] }),
      { qos: 1 },
    );
    for (const w of willWatchers) {
      await w.until(() => w.messages.find(isWill(moving.id, willSeq + 2)), 'the barrier event');
      expect(w.messages.filter(isWill(moving.id, willSeq))).toHaveLength(1);
      expect(w.messages.filter(isWill(gone.id, willSeq + 1))).toHaveLength(1);
    }
    // The wills asked to be retained; the cluster's shared retained store holds only presence.
    for (const node of [n1, n2]) {
      const retained = await node.broker.retainedTopics();
      expect(retained.filter((t) => !t.endsWith('/presence'))).toEqual([]);
    }

    // The stranded phone reconnects to node 2 and gets a clear end for its command.
    const back = await rawPhone(n2.mqttUrl, user);
    const lost = await back.reply('stranded', 10_000);
    expect(lost.status).toBe('error');
    if (lost.status === 'error') expect(lost.error.code).toBe('NODE_LOST');

    await moved.endAsync();
    await goneDev.endAsync(true);
    await movingDev.endAsync(true);
    await back.client.endAsync();
    for (const w of willWatchers) await w.client.endAsync();
  });
});
