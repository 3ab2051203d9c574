import { afterEach, describe, expect, it } from 'vitest';
import type { Faults, SimulatedDeviceOptions } from '../../firmware-sim/index.js';
import {
  type CommandReply,
  createMemoryLink,
  type MemoryLink,
  SimulatedDevice,
} from '../../firmware-sim/index.js';
import { exampleModel } from '../support/models.js';
import { waitFor } from './sim-support.js';

const ID = '00112233aabbccdd';
const running: SimulatedDevice[] = [];

async function device(
  file: string,
  faults: Faults = {},
  extra: SimulatedDeviceOptions = {},
): Promise<{ sim: SimulatedDevice; link: MemoryLink }> {
  const link = createMemoryLink();
  const sim = new SimulatedDevice({
    spec: exampleModel(file, 'acme'),
    credentials: { id: ID, secret: 'secret' },
    hubUrl: 'mqtt://127.0.0.1:1',
    options: {
      connector: link.connector,
      telemetryIntervalMs: 0,
      eventIntervalMs: 0,
      tickMs: 10,
      faults,
      ...extra,
    },
  });
  running.push(sim);
  await sim.start();
  return { sim, link };
}

const onTopic = (link: MemoryLink, suffix: string) =>
  link.published
    .filter((m) => m.topic === `dev/${ID}/${suffix}`)
    .map((m) => JSON.parse(m.payload) as Record<string, unknown>);

const cmd = (body: Record<string, unknown>) => JSON.stringify(body);

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

describe('command handling (memory link, no hub)', () => {
  it('subscribes to its command and OTA topics and sends one full report with device facts', async () => {
    const { link } = await device('acme.light.bulb1');
    expect(link.subscriptions).toEqual([`dev/${ID}/cmd`, `dev/${ID}/ota`]);
    const [report] = onTopic(link, 'props');
    expect(report?.['props']).toMatchObject({
      'light.on': false,
      'light.brightness': 1,
      'light.color-temperature': 2700,
      'light.fault': 0,
      'device-information.firmware-revision': '1.0.0',
      'device-information.serial-number': ID,
      'device-information.model': 'acme.light.bulb1',
    });
    expect(link.published.every((m) => m.qos === 1)).toBe(true);
    expect(Math.abs(Number(report?.['seq']) - Date.now())).toBeLessThan(60_000);
  });

  it('applies a set, answers ok, then reflects it in a report; seq grows by one per message', async () => {
    const { sim, link } = await device('acme.light.bulb1');
    const replies = await sim.handleCommand(
      cmd({ id: 'c1', op: 'set', props: { 'light.on': true, '2.2': 50 } }),
    );
    expect(replies).toEqual([{ id: 'c1', status: 'ok', data: {} }]);
    expect(onTopic(link, 'replies')).toEqual([{ id: 'c1', status: 'ok', data: {} }]);
    const reports = onTopic(link, 'props');
    expect(reports[1]?.['props']).toEqual({ 'light.on': true, 'light.brightness': 50 });
    await sim.sendEvent('light.fault-occurred');
    const [event] = onTopic(link, 'events');
    expect(event).toEqual({
      seq: Number(reports[1]?.['seq']) + 1,
      event: 'light.fault-occurred',
      args: [{ piid: 4, value: 0 }],
    });
    expect(Number(reports[1]?.['seq'])).toBe(Number(reports[0]?.['seq']) + 1);
    const got = await sim.handleCommand(cmd({ id: 'c2', op: 'get', props: ['light.brightness', '2.1'] }));
    expect(got).toEqual([
      { id: 'c2', status: 'ok', data: { props: { 'light.brightness': 50, '2.1': true } } },
    ]);
  });

  it('speaks iids for a model addressed by iid: reports, events, set, get and action', async () => {
    const { sim, link } = await device('acme.switch.s3');
    const [full] = onTopic(link, 'props');
    expect(full?.['props']).toEqual(
      expect.arrayContaining([
        { siid: 2, piid: 1, value: false },
        { siid: 4, piid: 1, value: false },
        { siid: 1, piid: 4, value: '1.0.0' },
      ]),
    );
    const set = await sim.handleCommand(
      cmd({ id: 's1', op: 'set', props: [{ siid: 3, piid: 1, value: true }] }),
    );
    expect(set).toEqual([{ id: 's1', status: 'ok', data: {} }]);
    expect(onTopic(link, 'props')[1]?.['props']).toEqual([{ siid: 3, piid: 1, value: true }]);
    const got = await sim.handleCommand(cmd({ id: 'g1', op: 'get', props: [{ siid: 3, piid: 1 }] }));
    expect(got).toEqual([{ id: 'g1', status: 'ok', data: { props: [{ siid: 3, piid: 1, value: true }] } }]);
    const acted = await sim.handleCommand(cmd({ id: 'a1', op: 'action', siid: 2, aiid: 1, in: [] }));
    expect(acted).toEqual([{ id: 'a1', status: 'ok', data: { out: [] } }]);
    expect(onTopic(link, 'props')[2]?.['props']).toEqual([{ siid: 2, piid: 1, value: true }]);
    const unknown = await sim.handleCommand(
      cmd({ id: 'u1', op: 'set', props: [{ siid: 9, piid: 1, value: true }] }),
    );
    expect(unknown[0]).toMatchObject({ status: 'error', error: { code: 'PROPERTY_UNKNOWN' } });
    const noAction = await sim.handleCommand(cmd({ id: 'u2', op: 'action', siid: 2, aiid: 9 }));
    expect(noAction[0]).toMatchObject({ status: 'error', error: { code: 'ACTION_UNKNOWN' } });
    await sim.sendEvent('switch-3.pressed');
    expect(onTopic(link, 'events')).toEqual([expect.objectContaining({ event: '3.1', args: [] })]);
  });

  const refusals: Array<[string, string, Record<string, unknown>, string]> = [
    [
      'a value out of range',
      'acme.light.bulb1',
      { op: 'set', props: { 'light.on': true, 'light.brightness': 101 } },
      'VALUE_INVALID',
    ],
    [
      'a value of the wrong format',
      'acme.light.bulb1',
      { op: 'set', props: { 'light.on': 'yes' } },
      'VALUE_INVALID',
    ],
    [
      'a read-only property',
      'acme.light.bulb1',
      { op: 'set', props: { 'light.fault': 1 } },
      'PROPERTY_NOT_WRITABLE',
    ],
    [
      'an unknown property',
      'acme.light.bulb1',
      { op: 'set', props: { 'light.warp': 1 } },
      'PROPERTY_UNKNOWN',
    ],
    [
      'a get of a write-only property',
      'acme.curtain.c1',
      { op: 'get', props: ['curtain.motor-control'] },
      'PROPERTY_NOT_READABLE',
    ],
    [
      'an unknown action',
      'acme.light.bulb1',
      { op: 'action', action: 'light.explode', in: [] },
      'ACTION_UNKNOWN',
    ],
    [
      'bad action inputs',
      'acme.curtain.c1',
      { op: 'action', action: 'curtain.move-to', in: [{ piid: 3, value: 101 }] },
      'ACTION_ARGUMENTS_INVALID',
    ],
    [
      'missing action inputs',
      'acme.curtain.c1',
      { op: 'action', action: 'curtain.move-to', in: [] },
      'ACTION_ARGUMENTS_INVALID',
    ],
    ['an unknown op', 'acme.light.bulb1', { op: 'reboot' }, 'VALIDATION_FAILED'],
  ];

  it.each(refusals)('refuses %s without changing anything', async (_what, file, body, code) => {
    const { sim, link } = await device(file);
    const before = new Map(sim.values);
    const [reply] = await sim.handleCommand(cmd({ id: 'x', ...body }));
    expect(reply).toMatchObject({ id: 'x', status: 'error', error: { code } });
    expect((reply as Extract<CommandReply, { status: 'error' }>).error.message.length).toBeGreaterThan(0);
    expect(sim.values).toEqual(before);
    expect(onTopic(link, 'props')).toHaveLength(1);
  });

  it('runs actions: inputs stick, outputs fit the spec, toggle flips on', async () => {
    const { sim, link } = await device('acme.curtain.c1');
    const [reply] = await sim.handleCommand(
      cmd({ id: 'a1', op: 'action', action: 'curtain.move-to', in: [{ piid: 3, value: 40 }] }),
    );
    expect(reply).toMatchObject({ id: 'a1', status: 'ok' });
    const out = (reply as Extract<CommandReply, { status: 'ok' }>).data['out'] as Array<{
      piid: number;
      value: number;
    }>;
    expect(out).toHaveLength(1);
    expect(out[0]?.piid).toBe(2);
    expect(
      Number.isInteger(out[0]?.value) && (out[0]?.value ?? -1) >= 0 && (out[0]?.value ?? 101) <= 100,
    ).toBe(true);
    expect(sim.values.get('curtain.target-position')).toBe(40);
    // current-position is notify: the new value is reported.
    expect(onTopic(link, 'props')[1]?.['props']).toEqual({ 'curtain.current-position': out[0]?.value });

    const bulb = await device('acme.light.bulb1');
    await bulb.sim.handleCommand(cmd({ id: 't', op: 'action', action: 'light.toggle' }));
    expect(bulb.sim.values.get('light.on')).toBe(true);
  });

  it('answers commands delivered on its command topic', async () => {
    const { sim, link } = await device('acme.plug.p1');
    const handled = waitFor(sim, 'commandHandled');
    link.deliver(`dev/${ID}/cmd`, cmd({ id: 'd1', op: 'get', props: ['switch.on'] }));
    await handled;
    expect(onTopic(link, 'replies')).toEqual([
      { id: 'd1', status: 'ok', data: { props: { 'switch.on': false } } },
    ]);
  });

  it('counts a command it cannot answer (not JSON, no id) as an error and stays up', async () => {
    const { sim, link } = await device('acme.plug.p1');
    expect(await sim.handleCommand('{nope')).toEqual([]);
    expect(await sim.handleCommand(cmd({ op: 'get', props: ['switch.on'] }))).toEqual([]);
    expect(sim.counters.errors).toBe(2);
    expect(onTopic(link, 'replies')).toEqual([]);
    expect(sim.connected).toBe(true);
  });

  it('reconnects with backoff after the link drops and sends the full report again', async () => {
    const { sim, link } = await device('acme.plug.p1', {}, { backoff: { baseMs: 20, maxMs: 80 } });
    link.failNext(new Error('ECONNREFUSED'));
    const errors: Error[] = [];
    sim.on('error', (e) => errors.push(e));
    link.drop();
    expect(sim.status).toBe('waiting');
    await waitFor(sim, 'error');
    link.failNext(undefined);
    await waitFor(sim, 'connected');
    await waitFor(sim, 'reported', (r: { kind: string }) => r.kind === 'full');
    expect(link.connections()).toBe(2);
    expect(sim.counters.reconnects).toBe(1);
    expect(errors.map((e) => e.message)).toContain('ECONNREFUSED');
    expect(onTopic(link, 'props').filter((r) => 'switch.on' in (r['props'] as object))).toHaveLength(2);
  });
});

describe('reply and report faults (memory link)', () => {
  const set = cmd({ id: 's1', op: 'set', props: { 'light.brightness': 55 } });

  it('noReplies: applies the command but never answers', async () => {
    const { sim, link } = await device('acme.light.bulb1', { noReplies: true });
    expect(await sim.handleCommand(set)).toEqual([]);
    expect(onTopic(link, 'replies')).toEqual([]);
    expect(sim.values.get('light.brightness')).toBe(55);
  });

  it('duplicateReplies: answers twice with the same id', async () => {
    const { sim, link } = await device('acme.light.bulb1', { duplicateReplies: true });
    await sim.handleCommand(set);
    expect(onTopic(link, 'replies')).toEqual([
      { id: 's1', status: 'ok', data: {} },
      { id: 's1', status: 'ok', data: {} },
    ]);
    expect(sim.counters.commandsAnswered).toBe(1);
  });

  it('slowReplies: the reply waits, the reflection does not', async () => {
    const { sim, link } = await device('acme.light.bulb1', { slowReplies: 150 });
    const started = Date.now();
    const pending = sim.handleCommand(set);
    expect(onTopic(link, 'replies')).toEqual([]);
    expect(onTopic(link, 'props')).toHaveLength(2);
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(onTopic(link, 'replies')).toHaveLength(1);
  });

  it('slowReplies: stop() cancels a pending reply', async () => {
    const { sim, link } = await device('acme.light.bulb1', { slowReplies: 60_000 });
    const pending = sim.handleCommand(set);
    await sim.stop();
    expect(await pending).toEqual([]);
    expect(onTopic(link, 'replies')).toEqual([]);
  });

  it('dropReports: answers ok but never reflects the set', async () => {
    const { sim, link } = await device('acme.light.bulb1', { dropReports: true });
    expect(await sim.handleCommand(set)).toEqual([{ id: 's1', status: 'ok', data: {} }]);
    expect(onTopic(link, 'props')).toHaveLength(1);
    expect(sim.counters.reportsDropped).toBe(1);
  });
});
