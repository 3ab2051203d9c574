import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDevice, ownedDevice, report } from '../support/devices.js';
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
});
