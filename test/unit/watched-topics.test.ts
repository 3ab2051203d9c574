import { describe, expect, it } from 'vitest';
import { PresenceWriter } from '../../src/broker/registry-bridge.js';
import { WatchedTopics } from '../../src/broker/watchers.js';

/** The two aedes methods the index wraps, recording what reached the router. */
function fakeRouter() {
  const routed: string[] = [];
  return {
    routed,
    subscribe(topic: string, _func: unknown, done?: (err?: Error) => void) {
      routed.push(`+${topic}`);
      done?.(topic.split('/').length > 5 ? new Error('topic has too many levels') : undefined);
    },
    unsubscribe(topic: string, _func: unknown, done?: (err?: Error) => void) {
      routed.push(`-${topic}`);
      done?.();
    },
  };
}

function fakePersistence() {
  const calls: string[] = [];
  return {
    calls,
    other: () => 'passed through',
    async addSubscriptions(client: { id: string }, subs: Array<{ topic: string; qos: number }>) {
      calls.push(`add ${client.id} ${subs.map((s) => s.topic).join(',')}`);
    },
    async removeSubscriptions(client: { id: string }, topics: string[]) {
      calls.push(`remove ${client.id} ${topics.join(',')}`);
    },
    async cleanSubscriptions(client: { id: string }) {
      calls.push(`clean ${client.id}`);
    },
  };
}

describe('watched topics', () => {
  it('answers a topic asked again from what is held now: a filter added or dropped changes the answer at once', () => {
    const index = new WatchedTopics();
    const router = fakeRouter();
    index.trackLive(router);
    const other = () => undefined;
    router.subscribe('dev/a/cmd', other);
    expect(index.watched('dev/b/shadow')).toBe(false);
    expect(index.watched('dev/b/shadow')).toBe(false);
    router.subscribe('dev/+/shadow', other);
    expect(index.watched('dev/b/shadow')).toBe(true);
    router.subscribe('dev/+/shadow', other);
    router.unsubscribe('dev/+/shadow', other);
    expect(index.watched('dev/b/shadow')).toBe(true);
    router.unsubscribe('dev/+/shadow', other);
    expect(index.watched('dev/b/shadow')).toBe(false);
    const persistence = index.trackPersistent(fakePersistence());
    return persistence.addSubscriptions({ id: 'phone' }, [{ topic: 'dev/b/#', qos: 1 }]).then(async () => {
      expect(index.watched('dev/b/shadow')).toBe(true);
      await persistence.cleanSubscriptions({ id: 'phone' });
      expect(index.watched('dev/b/shadow')).toBe(false);
    });
  });

  it('matches a topic against exact, + and # filters held by live sessions', () => {
    const index = new WatchedTopics();
    const router = fakeRouter();
    index.trackLive(router);
    expect(index.watched('dev/d1/shadow')).toBe(false);
    for (const [filter, matches, misses] of [
      ['dev/d1/shadow', 'dev/d1/shadow', 'dev/d1/notify'],
      ['dev/d1/+', 'dev/d1/notify', 'dev/d2/notify'],
      ['dev/d1/#', 'dev/d1/presence', 'dev/d2/presence'],
      ['dev/+/notify', 'dev/d9/notify', 'dev/d9/shadow'],
      ['#', 'dev/d7/shadow', '$SYS/x/y'],
    ] as const) {
      router.subscribe(filter, () => undefined);
      expect(index.watched(matches), `${filter} matches ${matches}`).toBe(true);
      expect(index.watched(misses), `${filter} does not match ${misses}`).toBe(false);
      router.unsubscribe(filter, () => undefined);
      expect(index.watched(matches), `${filter} released`).toBe(false);
    }
    // `a/#` also matches `a` ([MQTT-4.7.1-2]); a filter the router refused is not counted.
    router.subscribe('dev/#', () => undefined);
    expect(index.watched('dev')).toBe(true);
    router.subscribe('a/b/c/d/e/f', () => undefined);
    expect(index.watched('a/b/c/d/e/f')).toBe(false);
    expect(router.routed).toContain('+a/b/c/d/e/f');
  });

  it('counts two sessions holding one filter separately', () => {
    const index = new WatchedTopics();
    const router = fakeRouter();
    index.trackLive(router);
    router.subscribe('dev/d1/shadow', () => undefined);
    router.subscribe('dev/d1/shadow', () => undefined);
    router.unsubscribe('dev/d1/shadow', () => undefined);
    expect(index.watched('dev/d1/shadow')).toBe(true);
    router.unsubscribe('dev/d1/shadow', () => undefined);
    expect(index.watched('dev/d1/shadow')).toBe(false);
    expect(index.size).toEqual({ live: 0, persistent: 0 });
  });

  it("keeps a persistent session's QoS 1 filters while it is offline, until removed or cleaned", async () => {
    const index = new WatchedTopics();
    const inner = fakePersistence();
    const persistence = index.trackPersistent(inner);
    const phone = { id: 'app/u1/p' };
    await persistence.addSubscriptions(phone, [
      { topic: 'dev/d1/shadow', qos: 1 },
      { topic: 'dev/d1/notify', qos: 0 },
    ]);
    expect(index.watched('dev/d1/shadow')).toBe(true);
    // QoS 0 filters get nothing queued offline.
    expect(index.watched('dev/d1/notify')).toBe(false);
    await persistence.removeSubscriptions(phone, ['dev/d1/shadow']);
    expect(index.watched('dev/d1/shadow')).toBe(false);
    await persistence.addSubscriptions(phone, [{ topic: 'dev/d1/#', qos: 1 }]);
    await persistence.addSubscriptions(phone, [{ topic: 'dev/d1/#', qos: 1 }]);
    expect(index.watched('dev/d1/notify')).toBe(true);
    await persistence.cleanSubscriptions(phone);
    expect(index.watched('dev/d1/notify')).toBe(false);
    expect(index.size).toEqual({ live: 0, persistent: 0 });
    // Every call reached the persistence; other methods pass through.
    expect(inner.calls).toHaveLength(5);
    expect(persistence.other()).toBe('passed through');
  });
});

describe('retained presence', () => {
  it('is written once per change, the changes of one turn coalesced', () => {
    const writes: string[] = [];
    const presence = new PresenceWriter((deviceId, online) => writes.push(`${deviceId} ${online}`));
    presence.changed('d1', true, 1);
    presence.changed('d2', true, 1);
    presence.flush();
    expect(writes).toEqual(['d1 true', 'd2 true']);
    // d1 drops and is back within one turn: nothing changed; d2 goes offline.
    presence.changed('d1', false, 2);
    presence.changed('d1', true, 3);
    presence.changed('d2', false, 2);
    presence.flush();
    expect(writes).toEqual(['d1 true', 'd2 true', 'd2 false']);
    // An offline for a device whose retained message says offline already writes nothing.
    presence.changed('d2', false, 4);
    presence.flush();
    expect(writes).toHaveLength(3);
  });

  it('writes on the next turn by itself', async () => {
    const written = new Promise<string>((resolve) => {
      const presence = new PresenceWriter((deviceId, online) => resolve(`${deviceId} ${online}`));
      presence.changed('d1', true, 1);
    });
    expect(await written).toBe('d1 true');
  });
});
