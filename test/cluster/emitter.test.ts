import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHANNEL_PREFIX, type ClusterEmitter, createRedisEmitter } from '../../src/cluster/emitter.js';

/**
 * The MQTT fan-out on Redis. Found by profiling a node of bench:cluster at 78,000 devices: 90% of
 * its CPU was in the emitter's `emit`, because each message rebound the connection's `publish` on
 * top of the last one, so the n-th publish walked n bound functions.
 */
describe('the Redis emitter', () => {
  let pub: Redis;
  let sub: Redis;
  let watcher: Redis;
  let emitter: ClusterEmitter;
  beforeAll(async () => {
    const url = inject('redisUrl');
    pub = new Redis(url);
    sub = new Redis(url);
    watcher = new Redis(url);
    emitter = createRedisEmitter(sub, pub);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => emitter.close(() => resolve()));
    watcher.disconnect();
    sub.disconnect();
  });

  it('publishes each message on its prefix channel, to a local subscriber once, and leaves the connection as it was', async () => {
    const channel = `${CHANNEL_PREFIX}dev/emitter-test`;
    const onWire: string[] = [];
    await watcher.subscribe(channel);
    watcher.on('message', (c: string) => onWire.push(c));

    const received: string[] = [];
    await new Promise<void>((resolve) =>
      emitter.on(
        'dev/emitter-test/#',
        (message, done) => {
          received.push(message.topic);
          done();
        },
        resolve,
      ),
    );
    const count = 5000;
    await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<void>((resolve, reject) =>
            emitter.emit({ topic: `dev/emitter-test/${i % 2 === 0 ? 'props' : 'events'}` }, (err) =>
              err ? reject(err) : resolve(),
            ),
          ),
      ),
    );
    const deadline = Date.now() + 10_000;
    while ((received.length < count || onWire.length < count) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(count);
    expect(onWire).toHaveLength(count);
    expect(new Set(onWire)).toEqual(new Set([channel]));
    // The connection's own publish is untouched: no per-message wrapper left on it.
    expect(Object.hasOwn(pub, 'publish')).toBe(false);
    expect(pub.publish).toBe(Redis.prototype.publish);
  });
});
