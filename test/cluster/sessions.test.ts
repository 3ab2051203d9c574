import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, fakeDevice, ownedDevice, report } from '../support/devices.js';
import { connected, end, phoneOptions } from '../support/mqtt.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

describe('persistent sessions across nodes', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2, { limits: { maxQueuedPerSession: 3 } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('queues at most --max-queued-messages for an offline session (the same bound as one hub) and delivers them on another node', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const { device, user } = await ownedDevice(n1);

    const options = phoneOptions(user, { clean: false });
    const phone = await connected(n1.mqttUrl, options);
    await phone.subscribeAsync(`dev/${device.id}/shadow`, { qos: 1 });
    await end(phone);

    // Six shadow updates while the phone is away: three are kept, the rest dropped (and counted).
    const dev = await fakeDevice(n2.mqttUrl, device);
    for (let i = 0; i < 6; i++) await report(dev.client, device.id, { 'light.brightness': 10 + i });
    const key = `ecohub:aedes:outgoing:${encodeURIComponent(String(options.clientId))}`;
    const deadline = Date.now() + 5000;
    let dropped = 0;
    while (Date.now() < deadline) {
      const text = await fetch(`${n2.httpUrl}/metrics`).then((r) => r.text());
      dropped = Number(/ecohub_mqtt_queue_dropped_total (\d+)/.exec(text)?.[1] ?? 0);
      if (dropped >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Updates enqueued at the same moment may both pass the count; the trim then drops the oldest.
    expect(dropped).toBeGreaterThanOrEqual(2);
    expect(dropped).toBeLessThanOrEqual(3);
    expect(await cluster.redis.llen(key)).toBe(3);

    // Back on the other node: the three kept updates arrive, in order.
    const got: number[] = [];
    const back = await connected(n2.mqttUrl, { ...options, clean: false });
    back.on('message', (_topic, payload) => {
      const body = JSON.parse(payload.toString()) as { reported: Record<string, number> };
      const value = body.reported['light.brightness'];
      if (value !== undefined) got.push(value);
    });
    const until = Date.now() + 5000;
    while (got.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(3);
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    expect(got.every((v) => v >= 10 && v <= 15)).toBe(true);
    await end(back);
    await dev.client.endAsync();
  });

  it('a clean connect without a will or stored session reads neither from Redis (the claim is its one round trip before CONNACK), and a will set still fires once on a drop', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const { device, user } = await ownedDevice(n1);
    const monitor = await cluster.redis.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    try {
      const quiet = await connectDevice(n2.mqttUrl, device);
      await end(quiet);
      // Redis reports commands in the order it ran them: once this marker is seen, so are they.
      const marker = `barrier-${device.id}`;
      await cluster.redis.echo(marker);
      const deadline = Date.now() + 5000;
      while (!commands.some((args) => args.includes(marker)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(commands.some((args) => args.includes(marker))).toBe(true);
      const mine = commands.filter((args) => args.some((a) => a.includes(device.id)));
      // aedes' delWill at CONNECT named `will:undefined:{id}`: an LREM over the whole will list, a GET
      // and a DEL, before CONNACK, for a key no node writes.
      expect(mine.filter((args) => args.some((a) => a.includes('will'))).map((a) => a.join(' '))).toEqual([]);
      // No stored session (the claim script says so): its subscriptions and queue are not read.
      const reads = mine.filter((args) => ['hgetall', 'lrange'].includes(String(args[0]).toLowerCase()));
      expect(reads.map((a) => a.join(' '))).toEqual([]);
    } finally {
      monitor.disconnect();
    }

    // A device that sets a will and drops without DISCONNECT: its watcher gets the will once.
    const phone = await connected(n1.mqttUrl, phoneOptions(user));
    await phone.subscribeAsync(`dev/${device.id}/notify`, { qos: 1 });
    const seqs: number[] = [];
    phone.on('message', (topic, payload) => {
      if (topic === `dev/${device.id}/notify`)
        seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq);
    });
    const seq = Date.now() * 1000;
    const fault = (s: number) =>
      JSON.stringify({ seq: s, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 2 }] });
    const withWill = await connectDevice(n2.mqttUrl, device, {
      reconnectPeriod: 0,
      will: { topic: `dev/${device.id}/events`, payload: Buffer.from(fault(seq)), qos: 1, retain: false },
    });
    withWill.stream.destroy();
    const until = async (s: number) => {
      const deadline = Date.now() + 10_000;
      while (!seqs.includes(s) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(seq);
    // Back on the other node, a later event is the barrier: the will arrived once, not again.
    const back = await connectDevice(n1.mqttUrl, device);
    await back.publishAsync(`dev/${device.id}/events`, fault(seq + 1), { qos: 1 });
    await until(seq + 1);
    expect(seqs.filter((s) => s === seq)).toHaveLength(1);
    expect(seqs).toContain(seq + 1);
    await end(back);
    await end(phone);
  });

  it('a clean connect on another node still ends the persistent session the client had: its stored subscriptions are gone', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const { device, user } = await ownedDevice(n1);
    const options = phoneOptions(user, { clean: false });
    const id = encodeURIComponent(String(options.clientId));
    const persistent = await connected(n1.mqttUrl, options);
    await persistent.subscribeAsync(`dev/${device.id}/shadow`, { qos: 1 });
    await end(persistent);
    expect(await cluster.redis.exists(`ecohub:aedes:client:${id}`)).toBe(1);

    const clean = await connected(n2.mqttUrl, { ...options, clean: true });
    expect(await cluster.redis.exists(`ecohub:aedes:client:${id}`)).toBe(0);
    await end(clean);
    // Nothing is queued for it any more: a shadow update while it is away reaches no queue.
    const dev = await fakeDevice(n1.mqttUrl, device);
    await report(dev.client, device.id, { 'light.brightness': 42 });
    expect(await cluster.redis.exists(`ecohub:aedes:outgoing:${id}`)).toBe(0);
    await dev.client.endAsync();
  });
});
