import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcohubClient } from '../../src/sdk/index.js';
import { claim, fakeDevice, partnerWithModel, provision, report } from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';
import { quietDevice, shadowOf } from './sim-support.js';

/**
 * A model with "addressing": "iid" (examples/models/acme.switch.s3.json, three `switch` gangs at
 * siid 2..4): the hub commands its devices by siid/piid/aiid, accepts their reports by iids or by
 * names, and the phone keeps speaking names.
 */
describe('wire addressing by iid', () => {
  let hub: TestHub;
  let phone: EcohubClient;
  let user: Awaited<ReturnType<typeof newUser>>;
  let fixture: Awaited<ReturnType<typeof partnerWithModel>>;

  beforeAll(async () => {
    hub = await startHub();
    fixture = await partnerWithModel(hub, 'acme.switch.s3');
    user = await newUser(hub);
    phone = await EcohubClient.login(hub.httpUrl, user.email, user.password, { mqttUrl: hub.mqttUrl });
    await phone.connect();
  });
  afterAll(async () => {
    await phone.close();
    await hub.stop();
  });

  async function claimedDevice() {
    const [device] = await provision(hub, fixture.partner, fixture.modelId, 1);
    if (!device) throw new Error('no device');
    await claim(hub, user.token, device);
    return device;
  }

  it('sends set, get and action by iids and answers the phone by names', async () => {
    const device = await claimedDevice();
    const dev = await fakeDevice(hub.mqttUrl, device, (cmd) => {
      if (cmd.op === 'get') {
        const props = (cmd.props as Array<{ siid: number; piid: number }>).map((p) => ({
          ...p,
          value: true,
        }));
        return { id: cmd.id, status: 'ok', data: { props } };
      }
      return { id: cmd.id, status: 'ok', data: cmd.op === 'action' ? { out: [] } : {} };
    });

    const set = await phone.command(device.id, { op: 'set', props: { 'switch-3.on': true, '4.1': false } });
    expect(set).toEqual({ status: 'ok', data: {} });
    const got = await phone.command(device.id, { op: 'get', props: ['switch-2.on', '5.1'] });
    expect(got).toEqual({
      status: 'ok',
      data: { props: { 'switch-2.on': true, 'indicator-light.on': true } },
    });
    const toggled = await phone.command(device.id, { op: 'action', action: 'switch-4.toggle', in: [] });
    expect(toggled).toEqual({ status: 'ok', data: { out: [] } });

    const received = await dev.waitFor(3);
    expect(received.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        op: 'set',
        props: [
          { siid: 3, piid: 1, value: true },
          { siid: 4, piid: 1, value: false },
        ],
      },
      {
        op: 'get',
        props: [
          { siid: 2, piid: 1 },
          { siid: 5, piid: 1 },
        ],
      },
      { op: 'action', siid: 4, aiid: 1, in: [] },
    ]);
    await end(dev.client);
  });

  it('sends desired state of an offline device by iids when it comes back', async () => {
    const device = await claimedDevice();
    const queued = await phone.command(device.id, { op: 'set', props: { 'switch-2.on': true } });
    expect(queued).toMatchObject({ status: 'queued' });
    const dev = await fakeDevice(hub.mqttUrl, device);
    const [cmd] = await dev.waitFor(1);
    expect(cmd).toMatchObject({ op: 'set', props: [{ siid: 2, piid: 1, value: true }] });
    await end(dev.client);
  });

  it('accepts reports by iids and by names, and refuses an unknown or repeated iid', async () => {
    const device = await claimedDevice();
    const dev = await fakeDevice(hub.mqttUrl, device);
    const byIids = nextEvent(hub, 'reported', (r) => r.deviceId === device.id);
    await report(dev.client, device.id, [
      { siid: 2, piid: 1, value: true },
      { siid: 3, piid: 1, value: false },
    ]);
    expect((await byIids).props).toEqual({ 'switch-2.on': true, 'switch-3.on': false });
    const byNames = nextEvent(hub, 'reported', (r) => r.deviceId === device.id);
    await report(dev.client, device.id, { 'switch-4.on': true, '2.1': false });
    expect((await byNames).props).toEqual({ 'switch-4.on': true, 'switch-2.on': false });

    // Refused reports are acknowledged but never stored: a later good one is the next shadow version.
    await report(dev.client, device.id, [{ siid: 9, piid: 1, value: true }]);
    await report(dev.client, device.id, [
      { siid: 2, piid: 1, value: true },
      { siid: 2, piid: 1, value: false },
    ]);
    const last = nextEvent(hub, 'reported', (r) => r.deviceId === device.id);
    await report(dev.client, device.id, { 'switch-3.on': true });
    expect((await last).props).toEqual({ 'switch-3.on': true });
    const shadow = await shadowOf(hub, fixture.partner.key, device.id);
    expect(shadow.shadow.version).toBe(3);
    expect(shadow.shadow.reported['switch-2.on']?.value).toBe(false);
    await end(dev.client);
  });

  it('a simulated device speaks iids: reports, set, get, and toggle by siid/aiid', async () => {
    const device = await claimedDevice();
    const sim = quietDevice(hub.mqttUrl, fixture.spec, device);
    const sent: unknown[] = [];
    sim.on('commandHandled', ({ reply }) => sent.push(reply));
    const first = nextEvent(hub, 'reported', (r) => r.deviceId === device.id && 'switch-4.on' in r.props);
    await sim.start();
    expect((await first).props).toMatchObject({
      'switch-2.on': false,
      'switch-3.on': false,
      'switch-4.on': false,
    });

    const reflected = nextEvent(
      hub,
      'reported',
      (r) => r.deviceId === device.id && r.props['switch-3.on'] === true,
    );
    expect(await phone.command(device.id, { op: 'set', props: { 'switch-3.on': true } })).toEqual({
      status: 'ok',
      data: {},
    });
    await reflected;
    expect(
      await phone.command(device.id, { op: 'get', props: ['switch-3.on', 'indicator-light.on'] }),
    ).toEqual({
      status: 'ok',
      data: { props: { 'switch-3.on': true, 'indicator-light.on': false } },
    });
    const toggled = nextEvent(
      hub,
      'reported',
      (r) => r.deviceId === device.id && r.props['switch-2.on'] === true,
    );
    expect(await phone.command(device.id, { op: 'action', action: '2.1' })).toMatchObject({ status: 'ok' });
    await toggled;
    // The simulator answered get by iids, as it was asked.
    expect(sent).toContainEqual(
      expect.objectContaining({
        data: {
          props: [
            { siid: 3, piid: 1, value: true },
            { siid: 5, piid: 1, value: false },
          ],
        },
      }),
    );
    await sim.stop();
  });
});
