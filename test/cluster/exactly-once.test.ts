import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDevice, ownedDevice } from '../support/devices.js';
import { rawPhone } from '../support/phone.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

async function redisCalls(cluster: TestCluster): Promise<number> {
  const stats = await cluster.redis.info('commandstats');
  let total = 0;
  for (const m of stats.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe('commands across nodes', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2, { limits: { commandRatePerSec: 10_000 } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers each of 100 commands exactly once, device and phone on the same node or on two', {
    timeout: 180_000,
  }, async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const { device, user } = await ownedDevice(n1);
    const dev = await fakeDevice(n2.mqttUrl, device);
    const figures: Record<string, unknown> = {};
    for (const [label, url] of [
      ['same node', n2.mqttUrl],
      ['across nodes', n1.mqttUrl],
    ] as const) {
      const phone = await rawPhone(url, user);
      const before = await redisCalls(cluster);
      const times: number[] = [];
      for (let i = 0; i < 100; i++) {
        const id = `${label === 'same node' ? 's' : 'x'}${i}`;
        const t0 = performance.now();
        phone.send({ id, did: device.id, op: 'set', props: { 'light.on': i % 2 === 0 } });
        const reply = await phone.reply(id);
        times.push(performance.now() - t0);
        expect(reply.status, JSON.stringify(reply)).toBe('ok');
      }
      const calls = (await redisCalls(cluster)) - before;
      await phone.sync();
      for (let i = 0; i < 100; i++)
        expect(phone.repliesTo(`${label === 'same node' ? 's' : 'x'}${i}`)).toHaveLength(1);
      times.sort((a, b) => a - b);
      figures[label] = {
        p50ms: Number(percentile(times, 50).toFixed(2)),
        p99ms: Number(percentile(times, 99).toFixed(2)),
        redisCallsPerCommand: Number((calls / 100).toFixed(1)),
      };
      await phone.client.endAsync();
    }
    console.log(`cluster command round trips: ${JSON.stringify(figures)}`);
    await dev.client.endAsync();
  });
});
