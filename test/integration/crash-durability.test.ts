import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import { spawnServe } from '../support/cli.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, httpRequester, tempDir } from '../support/hub.js';
import { spawnedDatabase } from '../support/spawned-database.js';

const BEFORE_KILL = 300;

describe('acknowledged reports survive kill -9', () => {
  it('keeps every report whose PUBACK the device received, none twice, through a SIGKILL and redelivery', async () => {
    const dataDir = tempDir();
    const database = await spawnedDatabase();
    const env = { ECOHUB_DATA_DIR: dataDir, ECOHUB_ADMIN_TOKEN: ADMIN_TOKEN, ...database.env };
    const first = await spawnServe([], env);
    const api = { request: httpRequester(`http://127.0.0.1:${first.httpPort}`) };
    const { partner, modelId } = await partnerWithModel(api);
    const [device] = await provision(api, partner, modelId, 1);
    if (!device) throw new Error('no device');

    // A device that reconnects by itself and redelivers unacknowledged QoS 1 messages ([MQTT-4.4.0-1]).
    const client = mqtt.connect(`mqtt://127.0.0.1:${first.mqttPort}`, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    client.on('error', () => undefined);
    const acked = new Set<number>();
    const sent: number[] = [];
    let reachedKillPoint: () => void = () => undefined;
    const killPoint = new Promise<void>((resolve) => {
      reachedKillPoint = resolve;
    });
    let seq = 1_000_000;
    const publishNext = () => {
      const s = ++seq;
      sent.push(s);
      const brightness = (s % 100) + 1;
      client.publish(
        `dev/${device.id}/props`,
        JSON.stringify({ seq: s, props: { 'light.brightness': brightness } }),
        { qos: 1 },
        (err) => {
          if (err) return;
          acked.add(s);
          // Kill with messages still in flight: sent but not yet acknowledged.
          if (acked.size >= BEFORE_KILL && sent.length > acked.size) reachedKillPoint();
        },
      );
    };
    // Keep a window of messages in flight, so the kill lands in the middle of a stream.
    const pump = setInterval(() => {
      if (client.connected && sent.length - acked.size < 50 && sent.length < BEFORE_KILL + 200) {
        for (let i = 0; i < 10; i++) publishNext();
      }
    }, 1);
    await killPoint;
    first.child.kill('SIGKILL');
    await first.exited();
    clearInterval(pump);
    const ackedBeforeKill = new Set(acked);
    expect(sent.length).toBeGreaterThan(ackedBeforeKill.size);

    // Same ports, so the device's own reconnect finds the hub and redelivers what was not acknowledged.
    const second = await spawnServe(
      ['--http-port', String(first.httpPort), '--mqtt-port', String(first.mqttPort)],
      env,
    );
    const allAcked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${acked.size}/${sent.length} acknowledged after restart`)),
        15_000,
      );
      const check = setInterval(() => {
        if (acked.size === sent.length) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 20);
    });
    await allAcked;
    await client.endAsync();
    second.child.kill('SIGTERM');
    expect(await second.exited()).toBe(0);

    const rows = await database.many<{ seq: number; n: number }>(
      sql`SELECT seq, count(*) AS n FROM telemetry WHERE device_id = ${device.id} AND property = 'light.brightness'
          GROUP BY seq`,
    );
    await database.drop();
    const stored = new Map(rows.map((r) => [r.seq, r.n]));
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(BEFORE_KILL);
    for (const s of ackedBeforeKill)
      expect(stored.get(s), `seq ${s} was acknowledged before the kill`).toBe(1);
    for (const [s, n] of stored) expect(n, `seq ${s} stored ${n} times`).toBe(1);
    expect(stored.size).toBe(sent.length);
  }, 60_000);
});
