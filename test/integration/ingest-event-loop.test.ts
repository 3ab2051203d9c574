import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/hub.js';
import {
  claim,
  connectDevice,
  fakeDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
} from '../support/devices.js';
import { newUser, scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

const REPORTERS = 20;
const PER_DEVICE = 100;

/** Waits (bounded) until `check` holds, looking again on every MQTT or timer turn. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the event loop while reports are written', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let owner: { id: string; token: string };

  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, REPORTERS + 1);
    owner = await newUser(hub);
    await claim(hub, owner.token, devices[0] as ProvisionedDevice);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('answers a phone while the ingest writer waits for the write lock, and acknowledges reports only once stored', async () => {
    const target = devices[0] as ProvisionedDevice;
    const device = await fakeDevice(hub.mqttUrl, target);
    const phone = await rawPhone(hub.mqttUrl, owner);
    const reporters: MqttClient[] = [];
    for (const d of devices.slice(1)) reporters.push(await connectDevice(hub.mqttUrl, d));
    await until(() => devices.every((d) => hub.devices.isOnline(d.id)), 'every device online');
    const received = async () =>
      (await scrapeMetrics(hub)).get('ecohub_mqtt_messages_received_total{topic="props"}') ?? 0;
    const before = await received();
    const total = REPORTERS * PER_DEVICE;
    let acked = 0;

    // Another connection takes SQLite's write lock, as a long write of a CLI command would.
    const holder = new Database(join(hub.dataDir, DATABASE_FILE));
    holder.exec('BEGIN IMMEDIATE');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    try {
      delay.enable();
      reporters.forEach((client, i) => {
        const did = (devices[i + 1] as ProvisionedDevice).id;
        for (let n = 1; n <= PER_DEVICE; n++) {
          const body = JSON.stringify({ seq: 5_000_000 + n, props: { 'light.brightness': n } });
          client.publish(`dev/${did}/props`, body, { qos: 1 }, (err) => {
            if (!err) acked++;
          });
        }
      });
      await until(async () => (await received()) - before >= total, 'every report received by the hub');
      // The writer holds them all (its thread waiting for the lock): meanwhile the event loop
      // serves phones. Acked means stored: nothing is acknowledged yet.
      for (let i = 0; i < 10; i++) {
        phone.send({ id: `held-${i}`, did: target.id, op: 'get', props: ['light.on'] });
        expect((await phone.reply(`held-${i}`)).status).toBe('ok');
      }
      delay.disable();
      expect(acked).toBe(0);
      // The loop never stalled on the lock: a wait in SQLite's busy handler would stall it up to 5 s.
      expect(delay.max / 1e6).toBeLessThan(1000);
    } finally {
      holder.exec('COMMIT');
    }

    await until(() => acked === total, `all ${total} reports acknowledged`);
    const rows = holder
      .prepare(
        `SELECT device_id, count(*) AS n, count(DISTINCT seq) AS seqs FROM telemetry
         WHERE seq > 5000000 GROUP BY device_id`,
      )
      .all() as Array<{ device_id: string; n: number; seqs: number }>;
    holder.close();
    expect(rows).toHaveLength(REPORTERS);
    for (const r of rows) expect(r).toMatchObject({ n: PER_DEVICE, seqs: PER_DEVICE });
    await Promise.all([...reporters.map(end), end(phone.client), end(device.client)]);
  }, 60_000);
});
