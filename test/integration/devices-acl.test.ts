import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceOptions, nextSeq, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { connected, end, phoneOptions, subscribeCode } from '../support/mqtt.js';

type Outcome = 'allowed' | 'denied';

/** Publishes at QoS 1: 'allowed' on PUBACK with the connection open, 'denied' when the hub closes it. */
function publishOutcome(client: MqttClient, topic: string, payload: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no PUBACK and no close for ${topic}`)), 5000);
    const done = (o: Outcome) => {
      clearTimeout(timer);
      resolve(o);
    };
    client.once('close', () => done('denied'));
    client.publish(topic, payload, { qos: 1 }, (err) => {
      if (!err) done('allowed');
    });
  });
}

describe('topic ACL, deny by default', () => {
  let hub: TestHub;
  const ids: Record<string, IClientOptions> = {};
  const vars: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startHub();
    const { partner, modelId } = await partnerWithModel(hub);
    const [a, b] = await provision(hub, partner, modelId, 2);
    if (!a || !b) throw new Error('provisioning failed');
    const user = await newUser(hub);
    const other = await newUser(hub);
    ids['deviceA'] = deviceOptions(a);
    ids['user'] = phoneOptions(user);
    Object.assign(vars, { A: a.id, B: b.id, U: user.id, V: other.id });
  });
  afterAll(async () => {
    await hub.stop();
  });

  const fill = (t: string) => t.replace(/\{(\w)\}/g, (_, k: string) => vars[k] ?? k);
  const report = () => JSON.stringify({ seq: nextSeq(), props: { 'light.on': true } });

  const publishCases: Array<[string, string, Outcome]> = [
    ['deviceA', 'dev/{A}/props', 'allowed'],
    ['deviceA', 'dev/{A}/events', 'allowed'],
    ['deviceA', 'dev/{A}/replies', 'allowed'],
    ['deviceA', 'dev/{A}/ota/progress', 'allowed'],
    ['deviceA', 'dev/{B}/props', 'denied'],
    ['deviceA', 'dev/{A}/cmd', 'denied'],
    ['deviceA', 'dev/{A}/ota', 'denied'],
    ['deviceA', 'dev/{A}/presence', 'denied'],
    ['deviceA', 'dev/{A}/shadow', 'denied'],
    ['deviceA', 'dev/{A}/notify', 'denied'],
    ['deviceA', 'dev/{A}/props/extra', 'denied'],
    ['deviceA', 'dev/{A}//props', 'denied'],
    ['deviceA', 'dev/{A}/../{B}/props', 'denied'],
    ['deviceA', 'app/{U}/cmd', 'denied'],
    ['deviceA', '$SYS/broker/clients', 'denied'],
    ['deviceA', 'elsewhere', 'denied'],
    ['user', 'dev/{A}/props', 'denied'],
    ['user', 'dev/{A}/cmd', 'denied'],
    ['user', 'app/{V}/cmd', 'denied'],
  ];

  it.each(publishCases)('%s publishing to %s is %s', async (who, topic, expected) => {
    const client = await connected(hub.mqttUrl, ids[who] ?? {});
    const outcome = await publishOutcome(client, fill(topic), report());
    expect(outcome).toBe(expected);
    await end(client);
  });

  const subscribeCases: Array<[string, string, number]> = [
    ['deviceA', 'dev/{A}/cmd', 1],
    ['deviceA', 'dev/{A}/ota', 1],
    ['deviceA', 'dev/{A}/#', 128],
    ['deviceA', 'dev/{A}/+', 128],
    ['deviceA', 'dev/+/cmd', 128],
    ['deviceA', '#', 128],
    ['deviceA', 'dev/{B}/cmd', 128],
    ['deviceA', '$SYS/#', 128],
    ['deviceA', 'dev/{A}/props', 128],
    ['deviceA', 'dev/{A}/presence', 128],
    ['deviceA', 'app/{U}/replies', 128],
    ['user', 'app/{U}/replies', 1],
    ['user', 'app/{U}/#', 1],
    ['user', 'app/{V}/replies', 128],
    ['user', 'app/+/replies', 128],
    ['user', 'dev/{A}/cmd', 128],
    ['user', 'dev/+/presence', 128],
    ['user', '#', 128],
    ['user', '$SYS/#', 128],
  ];

  it('answers every subscription case with the expected SUBACK code, keeping the connection', async () => {
    const clients: Record<string, MqttClient> = {};
    for (const who of Object.keys(ids)) clients[who] = await connected(hub.mqttUrl, ids[who] ?? {});
    for (const [who, filter, code] of subscribeCases) {
      const client = clients[who];
      if (!client) throw new Error(who);
      expect(await subscribeCode(client, fill(filter)), `${who} ${filter}`).toBe(code);
      expect(client.connected, `${who} still connected after ${filter}`).toBe(true);
    }
    for (const c of Object.values(clients)) await end(c);
  });

  it('refuses a will topic outside the device namespace with CONNACK 5', async () => {
    const { connect } = await import('../support/mqtt.js');
    const outcome = await connect(hub.mqttUrl, {
      ...ids['deviceA'],
      will: { topic: `dev/${vars['B']}/props`, payload: Buffer.from('{}'), qos: 0, retain: false },
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.code).toBe(5);
  });

  it('has at least 30 cases', () => {
    expect(publishCases.length + subscribeCases.length).toBeGreaterThanOrEqual(30);
  });
});
