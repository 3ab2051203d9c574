import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

/** The mqemitter aedes fans messages out through (the parts aedes and this module use). */
export interface ClusterEmitter {
  on(
    topic: string,
    listener: (message: { topic: string }, done: () => void) => void,
    done?: () => void,
  ): unknown;
  emit(message: { topic: string }, done?: (err?: Error) => void): void;
  removeListener(
    topic: string,
    listener: (message: { topic: string }, done: () => void) => void,
    done?: () => void,
  ): unknown;
  close(done: () => void): void;
}

/** Every MQTT channel this hub opens on Redis starts with this, so a shared Redis stays readable. */
export const CHANNEL_PREFIX = 'ecohub:mq:';

/** Characters PSUBSCRIBE reads as glob syntax: a topic level holding one is matched literally. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/**
 * The Redis channel a topic is published on: its first two levels (`dev/{did}`, `app/{uid}`,
 * `$SYS/{node}`). One channel for all traffic makes every node receive and discard every message
 * (the first aedes-on-Redis trap); one channel per full topic makes a phone watching a device cost
 * a pattern subscription, and Redis checks every pattern on every PUBLISH (the CPU trap). Per
 * prefix, a device's or a user's traffic reaches only the nodes holding a subscriber, through one
 * exact SUBSCRIBE that Redis looks up in a hash.
 */
export function channelOf(topic: string): string {
  const levels = topic.split('/');
  return CHANNEL_PREFIX + levels.slice(0, 2).join('/');
}

/**
 * The channel (or pattern) a subscription filter needs. A filter with no wildcard in its first two
 * levels maps onto one exact channel; the local matcher (mqemitter's qlobber) then applies the rest
 * of the filter. Wildcards in the first two levels (aedes' own `$SYS/+/heartbeat`; the hub never
 * lets a client subscribe that wide) become one pattern, a superset the local matcher narrows.
 */
export function channelFor(filter: string): { channel: string; pattern: boolean } {
  const levels = filter.split('/');
  const head = levels.slice(0, 2);
  if (!head.some((l) => l === '+' || l === '#')) {
    // `dev/abc` alone (no third level) and `dev/abc/#` both live on channel dev/abc.
    return { channel: CHANNEL_PREFIX + head.join('/'), pattern: false };
  }
  const parts: string[] = [];
  for (const level of head) {
    if (level === '#') {
      // `dev/#` also matches the parent topic `dev` [MQTT-4.7.1-2]: no separator before the glob.
      const joined = parts.join('/');
      return { channel: `${globEscape(CHANNEL_PREFIX)}${joined}${joined ? '*' : '*'}`, pattern: true };
    }
    parts.push(level === '+' ? '*' : globEscape(level));
  }
  return { channel: globEscape(CHANNEL_PREFIX) + parts.join('/'), pattern: true };
}

/**
 * aedes announces every subscribe, unsubscribe and disconnect on `$SYS/{node}/...`: through Redis,
 * one PUBLISH each that every node receives on its `$SYS` pattern and drops, since nothing listens
 * (aedes itself listens only to heartbeat, birth and new/clients, and no client may subscribe to
 * `$SYS`). These are not sent. `new/clients` still is: aedes closes a same-id client on the other
 * nodes with it, a second line behind the claim's takeover when that one timed out.
 */
const UNHEARD = /^\$SYS\/[^/]+\/(new\/subscribes|new\/unsubscribes|disconnect\/clients)$/;

export function unheard(topic: string): boolean {
  return UNHEARD.test(topic);
}

interface RedisEmitterInternals {
  /** The connection mqemitter-redis publishes on (and quits on close). */
  pubConn: {
    publish(channel: string, payload: Buffer): Promise<number>;
    on(event: string, listener: (...args: unknown[]) => void): unknown;
    quit(): Promise<unknown>;
  };
  _subTopic(topic: string): string;
  _containsWildcard(topic: string): boolean;
  emit(message: { topic: string }, done?: (err?: Error) => void): void;
}

type EmitterFactory = (options: {
  subConn: Redis;
  pubConn: Redis;
  maxLRUCache: number;
}) => ClusterEmitter & RedisEmitterInternals;

/**
 * mqemitter-redis with channels per topic prefix (see `channelOf`). It keeps mqemitter-redis's
 * subscription counting, reconnect handling and duplicate suppression; only the mapping of topics
 * and filters onto Redis channels is ours.
 */
export function createRedisEmitter(subConn: Redis, pubConn: Redis): ClusterEmitter {
  const factory = require('mqemitter-redis') as EmitterFactory;
  // Ids of messages seen, to drop a message delivered through two overlapping subscriptions.
  const emitter = factory({ subConn, pubConn, maxLRUCache: 100_000 });
  emitter._subTopic = (filter: string) => channelFor(filter).channel;
  emitter._containsWildcard = (filter: string) => channelFor(filter).pattern;
  // mqemitter-redis publishes on message.topic; the wire channel is the prefix channel, while the
  // message itself (and the topic subscribers match on) is unchanged. After construction it uses
  // its connection only to publish and, on close, to quit: those go through this view, and the
  // connection itself is never patched (swapping its `publish` per message once stacked a bound
  // function per message: every publish walked the whole stack, 90% of a busy node's CPU).
  emitter.pubConn = {
    publish: (topic: string, payload: Buffer) => pubConn.publish(channelOf(topic), payload),
    on: (event: string, listener: (...args: unknown[]) => void) => pubConn.on(event, listener),
    quit: () => pubConn.quit(),
  };
  const originalEmit = emitter.emit.bind(emitter);
  emitter.emit = (message, done) => {
    if (unheard(message.topic)) {
      if (done) queueMicrotask(() => done());
      return;
    }
    originalEmit(message, done);
  };
  return emitter;
}
