import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDevice, ownedDevice, report } from '../support/devices.js';
import { newUser } from '../support/hub.js';
import { connect, connected, phoneOptions } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

describe('three nodes as one hub', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('names each node in /readyz and /metrics and counts the live nodes', async () => {
    for (const node of cluster.nodes) {
      // Each node counts the others at its heartbeat (every 500 ms here).
      let info: { id: string; nodesAlive: number };
      const deadline = Date.now() + 5000;
      for (;;) {
        const ready = await node.request('GET', '/readyz');
        expect(ready.status, ready.text).toBe(200);
        info = ready.body['node'] as { id: string; nodesAlive: number };
        if (info.nodesAlive === 3 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(info.id).toBe(node.options.cluster?.nodeId);
      expect(info.nodesAlive).toBe(3);
      const metrics = await fetch(`${node.httpUrl}/metrics`).then((r) => r.text());
      expect(metrics).toContain(`ecohub_cluster_node_info{node="${info.id}"} 1`);
      expect(metrics).toMatch(/ecohub_cluster_redis_up 1/);
    }
  });

  it('runs the product loop with the device on node 2 and the phone on node 1', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    // Partner and provisioning through node 3, the claim through node 2: one database.
    const { device, user } = await ownedDevice(n3, n2);

    const dev = await fakeDevice(n2.mqttUrl, device, (cmd) => ({ id: cmd.id, status: 'ok', data: {} }));
    const phone = await rawPhone(n1.mqttUrl, user);
    await phone.client.subscribeAsync(`dev/${device.id}/+`, { qos: 1 });

    // Presence, retained by node 2's hub publish, reaches the phone on node 1.
    await phone.until(
      () => phone.messages.find((m) => m.topic === `dev/${device.id}/presence` && m.body['online'] === true),
      'presence online',
    );
    // A report on node 2 becomes a shadow update on node 1.
    await report(dev.client, device.id, { 'light.on': true });
    const shadow = await phone.until(
      () => phone.messages.find((m) => m.topic === `dev/${device.id}/shadow`),
      'shadow update',
    );
    expect((shadow.body['reported'] as Record<string, unknown>)['light.on']).toBe(true);

    // A command from node 1 reaches the device on node 2; its reply comes back once.
    phone.send({ id: 'c1', did: device.id, op: 'set', props: { 'light.on': false } });
    const reply = await phone.reply('c1');
    expect(reply.status, JSON.stringify(reply)).toBe('ok');
    await dev.waitFor(1);
    await phone.sync();
    expect(phone.repliesTo('c1')).toHaveLength(1);
    const routed = await fetch(`${n2.httpUrl}/metrics`).then((r) => r.text());
    expect(routed).toMatch(/ecohub_cluster_replies_routed_total [1-9]/);

    // The same over REST on node 3 (the REST mirror of the command path).
    const rest = await n3.request('POST', `/v1/devices/${device.id}/commands`, {
      token: user.token,
      body: { op: 'get', props: ['light.on'] },
    });
    expect(rest.status, rest.text).toBe(200);
    expect(rest.body['status']).toBe('ok');
    await dev.waitFor(2);

    await dev.client.endAsync();
    await phone.client.endAsync();
  });

  it('keeps one session per device: a connect on node 3 closes the one on node 1 without an offline flap', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    const { device, user } = await ownedDevice(n1);
    const phone = await rawPhone(n2.mqttUrl, user);
    await phone.client.subscribeAsync(`dev/${device.id}/presence`, { qos: 1 });

    const first = await fakeDevice(n1.mqttUrl, device);
    await phone.until(
      () => phone.messages.find((m) => m.topic === `dev/${device.id}/presence` && m.body['online'] === true),
      'presence online',
    );
    const closed = new Promise<void>((resolve) => first.client.once('close', () => resolve()));
    first.client.options.reconnectPeriod = 0;
    const second = await fakeDevice(n3.mqttUrl, device);
    await closed;
    const epoch = await cluster.redis.hget(`ecohub:sess:${device.id}`, 'node');
    expect(epoch).toBe(n3.options.cluster?.nodeId);

    // Commands from node 2 now go to node 3, and presence never said offline.
    phone.send({ id: 'after-move', did: device.id, op: 'get', props: ['light.on'] });
    expect((await phone.reply('after-move')).status).toBe('ok');
    await second.waitFor(1);
    expect(first.received).toHaveLength(0);
    await phone.sync();
    const presence = phone.messages.filter((m) => m.topic === `dev/${device.id}/presence`);
    expect(
      presence.every((m) => m.body['online'] === true),
      JSON.stringify(presence),
    ).toBe(true);
    const m3 = await fetch(`${n3.httpUrl}/metrics`).then((r) => r.text());
    expect(m3).toMatch(/ecohub_cluster_takeovers_total\{outcome="closed"\} 1/);
    // The database agrees: the move wrote offline (node 1) before online (node 3).
    const view = await n2.request('GET', `/v1/me/devices/${device.id}`, { token: user.token });
    expect(view.status, view.text).toBe(200);
    expect((view.body['presence'] as { online: boolean }).online, view.text).toBe(true);

    // It leaves node 3 (offline), then comes back to node 1, which it had left: online again.
    await second.client.endAsync();
    await phone.until(
      () => phone.messages.find((m) => m.topic === `dev/${device.id}/presence` && m.body['online'] === false),
      'presence offline',
    );
    const seen = phone.messages.length;
    const back = await fakeDevice(n1.mqttUrl, device);
    await phone.until(
      () =>
        phone.messages
          .slice(seen)
          .find((m) => m.topic === `dev/${device.id}/presence` && m.body['online'] === true),
      'presence online again on node 1',
    );
    await back.client.endAsync();
    await phone.client.endAsync();
  });

  it('stops delivery on every node the message after a share is revoked on another node', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    const { device, user: owner } = await ownedDevice(n1);
    const guest = await newUser(n1);
    const shared = await n1.request('POST', `/v1/devices/${device.id}/shares`, {
      token: owner.token,
      body: { email: guest.email },
    });
    expect(shared.status, shared.text).toBe(201);

    const dev = await fakeDevice(n2.mqttUrl, device);
    const guestPhone = await rawPhone(n3.mqttUrl, guest);
    await guestPhone.client.subscribeAsync(`dev/${device.id}/shadow`, { qos: 1 });
    const ownerPhone = await connected(n3.mqttUrl, phoneOptions(owner));
    await ownerPhone.subscribeAsync(`dev/${device.id}/shadow`, { qos: 1 });
    const ownerGot: string[] = [];
    ownerPhone.on('message', (_topic, payload) => ownerGot.push(payload.toString()));

    await report(dev.client, device.id, { 'light.on': true });
    await guestPhone.until(
      () => guestPhone.messages.find((m) => m.topic.endsWith('/shadow')),
      'shadow before',
    );

    // Revoked through node 1; the guest's node 3 must stop delivering at the next message.
    const revoked = await n1.request('DELETE', `/v1/devices/${device.id}/shares/${guest.id}`, {
      token: owner.token,
    });
    expect(revoked.status, revoked.text).toBe(204);
    // Wait until node 3 applied it: the guest's command is refused there.
    await guestPhone.until(async () => undefined, 'noop', 1).catch(() => undefined);
    const deadline = Date.now() + 5000;
    for (;;) {
      guestPhone.send({ id: `probe-${Date.now()}`, did: device.id, op: 'get', props: ['light.on'] });
      const last = await guestPhone.until(() => guestPhone.replies.at(-1), 'probe reply');
      if (last.status === 'error') break;
      if (Date.now() > deadline) throw new Error('node 3 still lets the guest command the device');
      guestPhone.replies.length = 0;
    }
    const before = guestPhone.messages.length;
    await report(dev.client, device.id, { 'light.on': false });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('owner got no shadow')), 5000);
      const check = () => {
        if (ownerGot.length >= 2) {
          clearTimeout(t);
          resolve();
        } else setTimeout(check, 10);
      };
      check();
    });
    await guestPhone.sync();
    expect(guestPhone.messages.length).toBe(before);

    await dev.client.endAsync();
    await guestPhone.client.endAsync();
    await ownerPhone.endAsync();
  });
  it('takes a token issued on one node on every node, and refuses it everywhere once logged out on another', async () => {
    const [n1, n2, n3] = firstNodes(cluster, 3);
    // Logged in on node 1: node 2 and node 3 have never seen the token.
    const user = await newUser(n1);
    const me2 = await n2.request('GET', '/v1/me', { token: user.token });
    expect(me2.status, me2.text).toBe(200);
    const phone = await rawPhone(n3.mqttUrl, user);
    const closed = new Promise<void>((resolve) => phone.client.once('close', () => resolve()));
    phone.client.options.reconnectPeriod = 0;

    // Logged out on node 2: the phone on node 3 is disconnected and the token refused on every node.
    const out = await n2.request('POST', '/v1/auth/logout', { token: user.token });
    expect(out.status, out.text).toBe(204);
    await closed;
    for (const node of [n1, n2, n3]) {
      const me = await node.request('GET', '/v1/me', { token: user.token });
      expect(me.status, me.text).toBe(401);
    }
    const again = await connect(n1.mqttUrl, phoneOptions(user));
    expect(again).toMatchObject({ ok: false, code: 4 });
  });
});
