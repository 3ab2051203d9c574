import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  connectDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
  report,
} from '../support/devices.js';
import { newUser, scrapeMetrics, startHub, type TestHub } from '../support/hub.js';
import { connect, connected, end } from '../support/mqtt.js';

/** Resolves once `check` holds, checking after each turn of the event loop; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Shadow versions a phone receives, in order. */
function shadowSeqs(client: MqttClient): number[] {
  const seqs: number[] = [];
  client.on('message', (_topic, payload) => {
    const body = JSON.parse(payload.toString()) as { seq?: number };
    if (typeof body.seq === 'number') seqs.push(body.seq);
  });
  return seqs;
}

describe('persistent MQTT sessions are bounded', () => {
  let hub: TestHub;
  let device: ProvisionedDevice;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    hub = await startHub({ limits: { maxQueuedPerSession: 5, maxPersistentSessionsPerUser: 2 } });
    const { partner, modelId } = await partnerWithModel(hub);
    [device] = (await provision(hub, partner, modelId, 1)) as [ProvisionedDevice];
    user = await newUser(hub);
    await claim(hub, user.token, device);
  });
  afterAll(async () => {
    await hub.stop();
  });

  const phone = (label: string, clean: boolean) => ({
    clientId: `app/${user.id}/${label}`,
    username: 'token',
    password: user.token,
    clean,
  });

  it('keeps at most --max-queued-messages for an offline phone, the oldest, and counts the rest as dropped', async () => {
    const away = await connected(hub.mqttUrl, phone('queue', false));
    await away.subscribeAsync(`dev/${device.id}/shadow`, { qos: 1 });
    await end(away);

    const dev = await connectDevice(hub.mqttUrl, device);
    const sent: number[] = [];
    for (let i = 0; i < 8; i++) sent.push(await report(dev, device.id, { 'light.on': i % 2 === 0 }));
    const clientId = `app/${user.id}/queue`;
    await until(
      async () => (await scrapeMetrics(hub)).get('ecohub_mqtt_queue_dropped_total') === 3,
      'three dropped messages',
    );
    expect(hub.broker.queuedFor(clientId)).toBe(5);

    // Back online: the five kept messages arrive, then live traffic flows again.
    const back = await connect(hub.mqttUrl, phone('queue', false));
    if (!back.ok) throw new Error(back.error);
    const seqs = shadowSeqs(back.client);
    await until(() => seqs.length >= 5, 'the queued shadows');
    const marker = await report(dev, device.id, { 'light.on': true });
    await until(() => seqs.includes(marker), 'the live shadow after the queue');
    expect(seqs).toEqual([...sent.slice(0, 5), marker]);
    await until(() => hub.broker.queuedFor(clientId) === 0, 'every delivered message acknowledged');
    await end(back.client);
    await end(dev);
  });

  it('refuses a third persistent label with CONNACK 2, and a clean connect frees one', async () => {
    // The first test's session counts: a clean connect under its label ends it and frees its place.
    const freed = await connected(hub.mqttUrl, phone('queue', true));
    await end(freed);
    const a = await connected(hub.mqttUrl, phone('a', false));
    const b = await connected(hub.mqttUrl, phone('b', false));
    await Promise.all([end(a), end(b)]);

    const c = await connect(hub.mqttUrl, phone('c', false));
    expect(c).toMatchObject({ ok: false, code: 2 });
    // A clean session of any label is always allowed: nothing is kept for it.
    const d = await connected(hub.mqttUrl, phone('d', true));
    await end(d);
    // Reconnecting a kept label is allowed.
    const again = await connected(hub.mqttUrl, phone('a', false));
    await end(again);

    const endA = await connected(hub.mqttUrl, phone('a', true));
    await end(endA);
    const c2 = await connected(hub.mqttUrl, phone('c', false));
    await end(c2);
  });

  it('ends the persistent sessions of a deleted account, queued messages included', async () => {
    const other = await newUser(hub);
    const options = {
      clientId: `app/${other.id}/keep`,
      username: 'token',
      password: other.token,
      clean: false,
    };
    const p = await connected(hub.mqttUrl, options);
    await p.subscribeAsync(`app/${other.id}/#`, { qos: 1 });
    await end(p);
    const clientId = `app/${other.id}/keep`;
    await hub.broker.publish(`app/${other.id}/note`, 'queued', { qos: 1 });
    expect(hub.broker.queuedFor(clientId)).toBe(1);
    const deleted = await hub.request('DELETE', '/v1/me', {
      token: other.token,
      body: { password: other.password },
    });
    expect(deleted.status, deleted.text).toBe(200);
    await until(() => hub.broker.queuedFor(clientId) === 0, 'the purge');
  });
});
