import { describe, expect, it } from 'vitest';
import { CHANNEL_PREFIX, channelFor, channelOf, unheard } from '../../src/cluster/emitter.js';
import { ClusterUrlError, checkNodeId, describeRedis, parseRedisUrl } from '../../src/cluster/options.js';

describe('Redis channels per topic prefix', () => {
  it('publishes each topic on the channel of its first two levels', () => {
    expect(channelOf('dev/abc/props')).toBe(`${CHANNEL_PREFIX}dev/abc`);
    expect(channelOf('app/u1/replies')).toBe(`${CHANNEL_PREFIX}app/u1`);
    expect(channelOf('$SYS/node-1/heartbeat')).toBe(`${CHANNEL_PREFIX}$SYS/node-1`);
    expect(channelOf('single')).toBe(`${CHANNEL_PREFIX}single`);
  });

  it('subscribes a filter without a wildcard in its first two levels to one exact channel', () => {
    for (const filter of ['dev/abc/+', 'dev/abc/#', 'dev/abc/cmd', 'dev/abc']) {
      expect(channelFor(filter)).toEqual({ channel: `${CHANNEL_PREFIX}dev/abc`, pattern: false });
    }
  });

  it("turns wildcards in the first two levels (aedes' $SYS filters) into one pattern", () => {
    expect(channelFor('$SYS/+/heartbeat')).toEqual({ channel: `${CHANNEL_PREFIX}$SYS/*`, pattern: true });
    expect(channelFor('#').pattern).toBe(true);
    expect(channelFor('dev/#')).toEqual({ channel: `${CHANNEL_PREFIX}dev*`, pattern: true });
  });

  it("does not send aedes' $SYS announcements nothing listens to, and sends the ones aedes uses", () => {
    for (const what of ['new/subscribes', 'new/unsubscribes', 'disconnect/clients'])
      expect(unheard(`$SYS/node-1/${what}`)).toBe(true);
    for (const topic of [
      '$SYS/node-1/new/clients',
      '$SYS/node-1/heartbeat',
      '$SYS/node-1/birth',
      '$SYS/sub/add',
      '$SYS/sub/rm',
      'dev/abc/disconnect/clients',
    ])
      expect(unheard(topic)).toBe(false);
  });

  it('escapes glob characters so a topic level is matched literally', () => {
    expect(channelFor('a[b]/+/x').channel).toBe(`${CHANNEL_PREFIX}a\\[b\\]/*`);
  });

  it('every topic a filter matches is published on a channel the filter subscribes', () => {
    const cases: Array<[string, string]> = [
      ['dev/abc/+', 'dev/abc/shadow'],
      ['dev/abc/#', 'dev/abc'],
      ['$SYS/+/new/clients', '$SYS/n1/new/clients'],
    ];
    for (const [filter, topic] of cases) {
      const { channel, pattern } = channelFor(filter);
      const published = channelOf(topic);
      if (!pattern) expect(published).toBe(channel);
      else {
        const glob = new RegExp(
          `^${channel.replace(/\\(.)|([.$^+(){}|])|\*/g, (_m, esc, special) => (esc ? `\\${esc}` : special ? `\\${special}` : '.*'))}$`,
        );
        expect(published).toMatch(glob);
      }
    }
  });
});

describe('cluster options', () => {
  it('takes redis:// and rediss:// URLs and never echoes a password', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(describeRedis('redis://:s3cret@cache.local:6380/2')).toBe('redis://cache.local:6380/2');
    expect(() => parseRedisUrl('http://x')).toThrow(/unsupported cluster scheme 'http:'/);
    let message = '';
    try {
      parseRedisUrl('redis://:s3cret@[bad');
    } catch (err) {
      message = (err as ClusterUrlError).message;
    }
    expect(message).toMatch(/not a valid URL/);
    expect(message).not.toContain('s3cret');
  });

  it('checks node ids', () => {
    expect(checkNodeId('hub-a.1')).toBe('hub-a.1');
    expect(() => checkNodeId('bad id')).toThrow(ClusterUrlError);
  });
});
