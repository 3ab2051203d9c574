import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShop, WEBHOOK_SECRET } from '../support/commerce.js';
import { connectDevice, ownedDevice, partnerWithModel, provision } from '../support/devices.js';
import {
  fastPolicy,
  type OtaDevice,
  rollout,
  rolloutState,
  shipPackage,
  startOtaDevices,
  stopOtaDevices,
} from '../support/firmware.js';
import { buy, createSale, manyUsers, register } from '../support/flash.js';
import { rawPhone } from '../support/phone.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

const MIN = 60_000;

/** A will a device leaves: the light's fault event, with its own seq. */
function faultWill(deviceId: string, seq: number) {
  return {
    topic: `dev/${deviceId}/events`,
    payload: Buffer.from(
      JSON.stringify({ seq, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 1 }] }),
    ),
    qos: 1 as const,
    retain: false,
  };
}

describe('wills, flash sales and firmware rollouts across three nodes', () => {
  let cluster: TestCluster;
  let clock = Date.now();
  let fleet: OtaDevice[] = [];
  beforeAll(async () => {
    cluster = await startCluster(3, {
      hub: (dataDir) => ({
        paymentWebhookSecret: WEBHOOK_SECRET,
        now: () => clock,
        flash: {
          sweepIntervalMs: 3_600_000,
          userBurst: 1000,
          addressBurst: 100_000,
          addressRatePerSec: 100_000,
        },
        // Binaries on storage every node reads (docs/scaling.md), the scheduler ticking fast.
        firmware: { dir: join(dataDir, 'firmware'), tickMs: 50 },
      }),
    });
  });
  afterAll(async () => {
    await stopOtaDevices(fleet);
    await cluster?.stop();
  });

  it('delivers the will of a device that moves to another node exactly once, to watchers on every node', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    const { device, user } = await ownedDevice(n1);
    const watchers = await Promise.all([n1, n2, n3].map((n) => rawPhone(n.mqttUrl, user)));
    for (const w of watchers) await w.client.subscribeAsync(`dev/${device.id}/notify`, { qos: 1 });

    const willSeq = Date.now();
    const first = await connectDevice(n1.mqttUrl, device, {
      will: faultWill(device.id, willSeq),
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    // The device moves to node 2 (its old connection on node 1 is closed: the will fires there).
    const moved = await connectDevice(n2.mqttUrl, device, { reconnectPeriod: 0 });
    await closed;
    const isWill = (m: { topic: string; body: Record<string, unknown> }) =>
      m.topic === `dev/${device.id}/notify` && m.body['seq'] === willSeq;
    for (const w of watchers) await w.until(() => w.messages.find(isWill), 'the will on a watcher');

    // A later event from the moved device reaches every watcher after anything the move caused.
    const later = willSeq + 1;
    await moved.publishAsync(
      `dev/${device.id}/events`,
      JSON.stringify({ seq: later, event: 'light.fault-occurred', arguments: [{ piid: 4, value: 0 }] }),
      { qos: 1 },
    );
    for (const w of watchers) {
      await w.until(() => w.messages.find((m) => m.body['seq'] === later), 'the later event');
      expect(w.messages.filter(isWill)).toHaveLength(1);
    }
    // Stored once.
    const events = await n3.request('GET', `/v1/me/devices/${device.id}/events?limit=10`, {
      token: user.token,
    });
    expect(events.status, events.text).toBe(200);
    expect((events.body['items'] as Array<{ seq: number }>).filter((e) => e.seq === willSeq)).toHaveLength(1);
    await moved.endAsync();
    for (const w of watchers) await w.client.endAsync();
  });

  it('holds one flash-sale cap while buyers order through all three nodes at once: none oversold', async () => {
    const [n1] = cluster.nodes as [(typeof cluster.nodes)[0]];
    const shop = await openShop(n1, 40, { priceMinor: 9900, currency: 'EUR' });
    const sale = await createSale(
      n1,
      shop.partner,
      shop.skuId,
      { registrationOpensAt: clock, opensAt: clock + 10 * MIN, closesAt: clock + 60 * MIN },
      { cap: 12, perUserLimit: 1, waitlistCap: 5 },
    );
    const saleId = String(sale['id']);
    const buyers = await manyUsers(n1, 45);
    await Promise.all(buyers.map((b, i) => register(cluster.nodes[i % 3] ?? n1, b.token, saleId)));
    clock += 10 * MIN;

    const answers = await Promise.all(buyers.map((b, i) => buy(cluster.nodes[i % 3] ?? n1, b.token, saleId)));
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect(byStatus.get(201), JSON.stringify([...byStatus])).toBe(12);
    expect(byStatus.get(202)).toBe(5);
    expect(byStatus.get(409)).toBe(45 - 12 - 5);
    // Every node sees one sale: 12 reserved, 0 remaining, nothing oversold.
    for (const node of cluster.nodes) {
      const view = await node.request('GET', `/v1/flash-sales/${saleId}`);
      expect(view.body).toMatchObject({ remaining: 0, reserved: 12 });
    }
    // The winners came through every node.
    const winners = answers.map((a, i) => (a.status === 201 ? i % 3 : -1)).filter((n) => n >= 0);
    expect(new Set(winners).size).toBeGreaterThan(1);
  });

  it('offers a rollout to devices on every node and counts each device once', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    const { partner, modelId, spec } = await partnerWithModel(n1);
    const devices = await provision(n1, partner, modelId, 6);
    fleet = (
      await Promise.all(
        [n1, n2, n3].map((node, k) => startOtaDevices(node, spec, devices.slice(2 * k, 2 * k + 2))),
      )
    ).flat();
    const pkg = await shipPackage(n2, partner.key, modelId, '1.1.0', 8_000);
    const attempts = fleet.map((d) => d.ota.next());
    const r = await rollout(n3, partner.key, {
      packageId: pkg.id,
      target: { kind: 'devices', deviceIds: devices.map((d) => d.id) },
      policy: fastPolicy(),
    });
    const done = await Promise.all(attempts);
    expect(done.map((a) => a.outcome)).toEqual(Array(6).fill('updated'));
    const deadline = Date.now() + 15_000;
    let state = await rolloutState(n1, partner.key, r.id);
    while (state.state !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await rolloutState(n1, partner.key, r.id);
    }
    expect(state.state, JSON.stringify(state)).toBe('completed');
    expect(state.counts['succeeded']).toBe(6);
    const { total, ...byState } = state.counts;
    expect(total).toBe(6);
    expect(
      Object.values(byState).reduce((a, b) => a + b, 0),
      JSON.stringify(state.counts),
    ).toBe(6);
    for (const d of devices) {
      const view = await n2.request('GET', `/v1/devices/${d.id}`, { token: partner.key });
      expect(view.body['firmwareVersion']).toBe('1.1.0');
    }
  });
});
