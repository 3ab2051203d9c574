import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeviceState } from '../../web/src/api/types.js';
import { CommandTracker } from '../../web/src/live/commands.js';
import { DeviceLive, MAX_ACTIVITY, MAX_EVENTS, REFLECT_WINDOW_MS } from '../../web/src/live/device-live.js';

function state(version: number, reported: Record<string, unknown>, online = true): DeviceState {
  const at = new Date(1_900_000_000_000 + version).toISOString();
  return {
    id: '0a1b2c3d4e5f6071',
    modelId: 'acme.light.bulb1',
    modelVersion: 1,
    role: 'owner',
    firmwareVersion: '1.0.0',
    presence: { online, lastSeenAt: null },
    version,
    reported: Object.fromEntries(
      Object.entries(reported).map(([k, value]) => [k, { value, reportedAt: at }]),
    ),
    desired: {},
    placement: null,
  };
}

describe('DeviceLive: what a control shows', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never lets an older report or REST answer take back a newer value', () => {
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    live.applyShadow(11, 'a', { 'light.brightness': 80 });
    // A REST answer that was in flight (version 10) and a late live message (version 9).
    live.applyState(state(10, { 'light.brightness': 20, 'light.on': true }));
    live.applyShadow(9, 'b', { 'light.brightness': 5 });
    expect(live.shown('light.brightness')).toEqual({ value: 80, source: 'reported' });
    // What the older answer knew and nothing newer said is still taken.
    expect(live.shown('light.on')).toEqual({ value: true, source: 'reported' });
    live.applyShadow(12, 'c', { 'light.brightness': 81 });
    expect(live.shown('light.brightness').value).toBe(81);
  });

  it('shows a set while it is pending and until the report reflects it, then the report', () => {
    vi.useFakeTimers();
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    live.applyState(state(5, { 'light.brightness': 20 }));
    live.startSet('light.brightness', { commandId: 'c1', value: 60, stamp: 1 });
    expect(live.shown('light.brightness')).toEqual({ value: 60, source: 'pending' });
    expect(live.outcomes.get('light.brightness')?.status).toBe('pending');
    // The reply says ok before the report arrived: the value stays on show.
    live.endSet('light.brightness', 'c1', { status: 'ok', message: 'Done' });
    expect(live.shown('light.brightness').value).toBe(60);
    live.applyShadow(6, 'a', { 'light.brightness': 60 });
    expect(live.shown('light.brightness')).toEqual({ value: 60, source: 'reported' });

    // A device that never reflects: after the window the reported value shows again.
    live.startSet('light.brightness', { commandId: 'c2', value: 90, stamp: 2 });
    live.endSet('light.brightness', 'c2', { status: 'ok', message: 'Done' });
    expect(live.shown('light.brightness').value).toBe(90);
    vi.advanceTimersByTime(REFLECT_WINDOW_MS);
    expect(live.shown('light.brightness')).toEqual({ value: 60, source: 'reported' });
    live.dispose();
  });

  it('a failed set shows its error and the reported value again', () => {
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    live.applyState(state(5, { 'light.on': false }));
    live.startSet('light.on', { commandId: 'c1', value: true, stamp: 1 });
    live.endSet('light.on', 'c1', {
      status: 'error',
      code: 'DEVICE_TIMEOUT',
      message: 'no reply within 5000 ms',
    });
    expect(live.shown('light.on')).toEqual({ value: false, source: 'reported' });
    expect(live.outcomes.get('light.on')).toEqual({
      status: 'error',
      code: 'DEVICE_TIMEOUT',
      message: 'no reply within 5000 ms',
    });
  });

  it('a set queued for an offline device shows until a report carries it', () => {
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    live.applyState(state(5, { 'light.on': false }, false));
    live.startSet('light.on', { commandId: 'c1', value: true, stamp: 1 });
    live.endSet(
      'light.on',
      'c1',
      { status: 'queued', message: 'Will apply when the device is back online' },
      true,
    );
    expect(live.shown('light.on')).toEqual({ value: true, source: 'desired' });
    live.applyPresence(true, 'x');
    live.applyShadow(6, 'y', { 'light.on': false });
    expect(live.desired.has('light.on')).toBe(true);
    live.applyShadow(7, 'z', { 'light.on': true });
    expect(live.desired.has('light.on')).toBe(false);
    expect(live.shown('light.on')).toEqual({ value: true, source: 'reported' });
  });

  it('a get reply sent before a set never overwrites the value that set gave', () => {
    vi.useFakeTimers();
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    // target-position is readable but not notify: only reads and sets say what it is.
    live.startSet('curtain.target-position', { commandId: 'set', value: 70, stamp: 2 });
    live.endSet('curtain.target-position', 'set', { status: 'ok', message: 'Done' });
    vi.advanceTimersByTime(REFLECT_WINDOW_MS);
    live.applyRead({ 'curtain.target-position': 10 }, 1);
    expect(live.shown('curtain.target-position')).toEqual({ value: 70, source: 'known' });
    live.applyRead({ 'curtain.target-position': 40 }, 3);
    expect(live.shown('curtain.target-position').value).toBe(40);
    live.dispose();
  });

  it('keeps presence from MQTT over REST once it has arrived', () => {
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    live.applyPresence(false, '2030-01-01T00:00:00.000Z');
    live.applyState(state(1, {}, true));
    expect(live.online).toBe(false);
    live.resubscribed();
    live.applyState(state(2, {}, true));
    expect(live.online).toBe(true);
  });

  it('bounds events (once each, newest first) and the command list', () => {
    const live = new DeviceLive('0a1b2c3d4e5f6071');
    const events = Array.from({ length: MAX_EVENTS + 20 }, (_, i) => ({
      event: 'light.fault-occurred',
      ts: new Date(1_900_000_000_000 + i * 1000).toISOString(),
      seq: i,
      args: [],
    }));
    live.addEvents(events);
    live.addEvents(events.slice(-5));
    expect(live.events).toHaveLength(MAX_EVENTS);
    expect(live.events[0]?.seq).toBe(MAX_EVENTS + 19);
    for (let i = 0; i < MAX_ACTIVITY + 5; i++) {
      live.recordActivity({ id: `c${i}`, label: 'Power', status: 'pending', detail: '', at: i });
      live.recordActivity({ id: `c${i}`, label: 'Power', status: 'ok', detail: 'Done', at: i + 0.5 });
    }
    expect(live.activity).toHaveLength(MAX_ACTIVITY);
    expect(new Set(live.activity.map((a) => a.id)).size).toBe(MAX_ACTIVITY);
    expect(live.activity.every((a) => a.status === 'ok')).toBe(true);
  });
});

describe('CommandTracker: exactly one result per command', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles once, ignores a second reply and replies to unknown ids', async () => {
    const published: unknown[] = [];
    const tracker = new CommandTracker({ publish: (b) => published.push(b) > 0 });
    const { id, result } = tracker.send({ did: '0a1b2c3d4e5f6071', op: 'set', props: { 'light.on': true } });
    expect(published).toEqual([{ id, did: '0a1b2c3d4e5f6071', op: 'set', props: { 'light.on': true } }]);
    tracker.onReply({ id: 'someone-else', status: 'ok', data: {} });
    tracker.onReply({
      id,
      did: '0a1b2c3d4e5f6071',
      status: 'error',
      error: { code: 'DEVICE_ERROR', message: 'no', deviceCode: 'VALUE_INVALID' },
    });
    tracker.onReply({ id, status: 'ok', data: {} });
    expect(await result).toEqual({
      status: 'error',
      code: 'DEVICE_ERROR',
      message: 'no',
      deviceCode: 'VALUE_INVALID',
    });
    expect(tracker.pendingCount).toBe(0);
  });

  it('sends a command again under the same id after the link was down, and reads queued replies', async () => {
    let online = false;
    const published: Array<{ id: string }> = [];
    const tracker = new CommandTracker({
      publish: (b) => online && published.push(b as { id: string }) > 0,
    });
    const { id, result } = tracker.send({ did: '0a1b2c3d4e5f6071', op: 'set', props: { 'light.on': true } });
    expect(published).toEqual([]);
    online = true;
    tracker.resend();
    tracker.resend();
    expect(published.map((p) => p.id)).toEqual([id, id]);
    tracker.onReply({ id, status: 'queued', data: { desired: { 'light.on': true } } });
    expect(await result).toEqual({ status: 'queued', desired: { 'light.on': true } });
  });

  it('ends a command whose reply never comes, and every command on sign-out', async () => {
    vi.useFakeTimers();
    const tracker = new CommandTracker({ publish: () => true, timeoutMs: 1000 });
    const lost = tracker.send({ did: '0a1b2c3d4e5f6071', op: 'get', props: ['light.on'] });
    const other = tracker.send({ did: '0a1b2c3d4e5f6071', op: 'action', action: 'light.toggle', in: [] });
    tracker.failAll('SIGNED_OUT', 'signed out');
    expect(await other.result).toEqual({ status: 'error', code: 'SIGNED_OUT', message: 'signed out' });
    expect(await lost.result).toMatchObject({ status: 'error', code: 'SIGNED_OUT' });
    const late = tracker.send({ did: '0a1b2c3d4e5f6071', op: 'get', props: ['light.on'] });
    vi.advanceTimersByTime(1000);
    expect(await late.result).toMatchObject({ status: 'error', code: 'NO_REPLY' });
  });
});
