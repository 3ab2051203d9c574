import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcohubClient } from '../../src/sdk/index.js';
import {
  claim,
  fakeDevice,
  type ProvisionedDevice,
  partnerWithModel,
  provision,
} from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { rawPhone } from '../support/phone.js';

describe('phone remote control', () => {
  let hub: TestHub;
  let devices: ProvisionedDevice[];
  let owner: { id: string; email: string; password: string; token: string };
  const device = (i: number) => devices[i] as ProvisionedDevice;

  beforeAll(async () => {
    hub = await startHub({ commandTimeoutMs: 400 });
    const { partner, modelId } = await partnerWithModel(hub);
    devices = await provision(hub, partner, modelId, 8);
    owner = await newUser(hub);
    for (const d of devices) await claim(hub, owner.token, d);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it.each(['tcp', 'ws'])(
    'claims, commands and relays the device reply to the phone over %s',
    async (transport) => {
      const dev = await fakeDevice(hub.mqttUrl, device(0), (cmd) => ({
        id: cmd.id,
        status: 'ok',
        data: { applied: cmd.props },
      }));
      const sdk = await EcohubClient.login(hub.httpUrl, owner.email, owner.password, {
        mqttUrl: transport === 'tcp' ? hub.mqttUrl : hub.wsUrl,
      });
      await sdk.connect();
      const result = await sdk.command(device(0).id, { op: 'set', props: { 'light.on': true, '2.2': 40 } });
      expect(result).toEqual({
        status: 'ok',
        data: { applied: { 'light.on': true, 'light.brightness': 40 } },
      });
      const [cmd] = await dev.waitFor(1);
      expect(cmd).toMatchObject({ op: 'set', props: { 'light.on': true, 'light.brightness': 40 } });
      expect(cmd?.id).toMatch(/^[0-9a-f]{16}$/);
      await sdk.close();
      await end(dev.client);
    },
  );

  it('refuses invalid commands with their own codes, and none reaches the device', async () => {
    const dev = await fakeDevice(hub.mqttUrl, device(1));
    const phone = await rawPhone(hub.mqttUrl, owner);
    const stranger = await newUser(hub);
    const strangerPhone = await rawPhone(hub.mqttUrl, stranger);
    const did = device(1).id;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'c1', did, op: 'set', props: { 'light.brightness': 101 } }, 'VALUE_INVALID'],
      [{ id: 'c2', did, op: 'set', props: { 'light.on': 'yes' } }, 'VALUE_INVALID'],
      [{ id: 'c3', did, op: 'set', props: { 'light.fault': 1 } }, 'PROPERTY_NOT_WRITABLE'],
      [{ id: 'c4', did, op: 'set', props: { 'light.warp': 1 } }, 'PROPERTY_UNKNOWN'],
      [{ id: 'c5', did, op: 'get', props: ['light.warp'] }, 'PROPERTY_UNKNOWN'],
      [{ id: 'c6', did, op: 'action', action: 'light.explode' }, 'ACTION_UNKNOWN'],
      [
        { id: 'c7', did, op: 'action', action: 'light.toggle', in: [{ piid: 1, value: true }] },
        'ACTION_ARGUMENTS_INVALID',
      ],
      [{ id: 'c8', did, op: 'dance' }, 'VALIDATION_FAILED'],
      [{ id: 'c9', did: 'not-a-device', op: 'get', props: ['light.on'] }, 'VALIDATION_FAILED'],
      [{ id: 'c10', did, op: 'set', props: {} }, 'VALIDATION_FAILED'],
      [{ id: 'c11', did: 'ffffffffffffffff', op: 'get', props: ['light.on'] }, 'NOT_FOUND'],
    ];
    for (const [command, code] of cases) {
      phone.send(command);
      const reply = await phone.reply(String(command['id']));
      expect(reply.status, JSON.stringify(command)).toBe('error');
      if (reply.status === 'error') expect(reply.error.code, JSON.stringify(command)).toBe(code);
    }
    phone.client.publish(`app/${owner.id}/cmd`, '{not json', { qos: 1 });
    await phone.until(
      () => phone.replies.find((r) => r.id === null && r.status === 'error'),
      'reply to malformed JSON',
    );
    strangerPhone.send({ id: 's1', did, op: 'set', props: { 'light.on': true } });
    const notBound = await strangerPhone.reply('s1');
    expect(notBound.status === 'error' && notBound.error.code).toBe('NOT_FOUND');
    expect(notBound.status === 'error' && notBound.error.mqttCode).toBe(-4013);

    // A valid command now: it must be the first and only one the device ever saw.
    phone.send({ id: 'ok1', did, op: 'get', props: ['light.on'] });
    expect((await phone.reply('ok1')).status).toBe('ok');
    expect(dev.received.map((c) => c.op)).toEqual(['get']);
    await Promise.all([end(phone.client), end(strangerPhone.client), end(dev.client)]);
  });

  it('answers exactly once: timeout, late reply, duplicate reply, disconnect mid-command', async () => {
    const did = device(2).id;
    const held: Array<() => void> = [];
    let mode: 'silent' | 'twice' | 'hold' = 'silent';
    const dev = await fakeDevice(hub.mqttUrl, device(2), (cmd) => {
      const reply = { id: cmd.id, status: 'ok', data: { n: 1 } };
      if (mode === 'twice') {
        dev.client.publish(`dev/${did}/replies`, JSON.stringify(reply), { qos: 1 });
        return reply;
      }
      if (mode === 'hold')
        held.push(() => dev.client.publish(`dev/${did}/replies`, JSON.stringify(reply), { qos: 1 }));
      return undefined;
    });
    const phone = await rawPhone(hub.mqttUrl, owner);

    phone.send({ id: 't1', did, op: 'get', props: ['light.on'] });
    const timeout = await phone.reply('t1');
    expect(timeout.status === 'error' && timeout.error.code).toBe('DEVICE_TIMEOUT');

    mode = 'hold';
    phone.send({ id: 't2', did, op: 'get', props: ['light.on'] });
    const beforeLate = await phone.reply('t2');
    expect(beforeLate.status === 'error' && beforeLate.error.code).toBe('DEVICE_TIMEOUT');
    for (const release of held.splice(0)) release();

    mode = 'twice';
    phone.send({ id: 't3', did, op: 'get', props: ['light.on'] });
    expect((await phone.reply('t3')).status).toBe('ok');

    mode = 'silent';
    phone.send({ id: 't4', did, op: 'action', action: 'light.toggle' });
    await dev.waitFor(4);
    await end(dev.client);
    const offline = await phone.reply('t4');
    expect(offline.status === 'error' && offline.error.code).toBe('DEVICE_OFFLINE');

    await phone.sync();
    for (const id of ['t1', 't2', 't3', 't4']) expect(phone.repliesTo(id), id).toHaveLength(1);

    // A repeated id is answered with the first reply, not sent to the device again.
    phone.send({ id: 't3', did, op: 'get', props: ['light.on'] });
    await phone.until(() => (phone.repliesTo('t3').length === 2 ? true : undefined), 'repeat of t3');
    expect(phone.repliesTo('t3')[1]).toEqual(phone.repliesTo('t3')[0]);
    expect(dev.received).toHaveLength(4);
    await end(phone.client);
  });

  it('queues a set for an offline device, delivers it on reconnect and clears it once reported', async () => {
    const did = device(3).id;
    const phone = await rawPhone(hub.mqttUrl, owner);
    phone.send({ id: 'q1', did, op: 'set', props: { 'light.brightness': 66 } });
    const queued = await phone.reply('q1');
    expect(queued).toMatchObject({ status: 'queued', data: { desired: { 'light.brightness': 66 } } });
    const offlineAction = 'q2';
    phone.send({ id: offlineAction, did, op: 'action', action: 'light.toggle' });
    const failed = await phone.reply(offlineAction);
    expect(failed.status === 'error' && failed.error.code).toBe('DEVICE_OFFLINE');

    const state1 = await hub.request('GET', `/v1/me/devices/${did}`, { token: owner.token });
    expect(state1.body['desired']).toMatchObject({ 'light.brightness': { value: 66 } });
    expect(state1.body['presence']).toMatchObject({ online: false });

    const reflected = nextEvent(hub, 'reported', (r) => r.deviceId === did);
    const dev = await fakeDevice(hub.mqttUrl, device(3), (cmd) => {
      if (cmd.op === 'set') {
        dev.client.publish(`dev/${did}/props`, JSON.stringify({ seq: Date.now(), props: cmd.props }), {
          qos: 1,
        });
      }
      return { id: cmd.id, status: 'ok', data: {} };
    });
    const [delivered] = await dev.waitFor(1);
    expect(delivered).toMatchObject({ op: 'set', props: { 'light.brightness': 66 } });
    // The registry clears desired values in its own listener for the same event, registered first.
    await reflected;
    const state2 = (await hub.request('GET', `/v1/me/devices/${did}`, { token: owner.token })).body;
    expect(state2['desired']).toEqual({});
    expect(state2['reported']).toMatchObject({ 'light.brightness': { value: 66 } });
    expect(state2['presence']).toMatchObject({ online: true });
    await Promise.all([end(dev.client), end(phone.client)]);
  });
});
