import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/broker/admission.js';
import { clip, LogThrottle } from '../../src/log-throttle.js';
import { TokenBuckets } from '../../src/rate-limit.js';
import { CommandMemory, commandFingerprint } from '../../src/registry/control/command-memory.js';
import type { PhoneReply } from '../../src/registry/control/command-schema.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { log, lines };
}

describe('LogThrottle', () => {
  it('logs perWindow lines per source and reason, then one summary with the count', () => {
    let now = 0;
    const { log, lines } = capture();
    const t = new LogThrottle(log, { perWindow: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 10; i++) t.info('a', 'r', { i }, 'line');
    for (let i = 0; i < 2; i++) t.info('b', 'r', { i }, 'line');
    expect(lines).toHaveLength(5);
    now = 1000;
    t.info('b', 'other', {}, 'line');
    expect(lines.slice(5)).toEqual([
      expect.objectContaining({
        source: 'a',
        reason: 'r',
        suppressed: 7,
        msg: 'repeated log lines suppressed',
      }),
      expect.objectContaining({ msg: 'line' }),
    ]);
  });

  it('shares one budget among new sources once maxKeys are tracked', () => {
    const { log, lines } = capture();
    const t = new LogThrottle(log, { perWindow: 2, windowMs: 1000, maxKeys: 5, now: () => 0 });
    for (let i = 0; i < 100; i++) t.warn(`s${i}`, 'r', {}, 'line');
    expect(lines).toHaveLength(5 + 2);
    t.close();
    expect(lines.at(-1)).toMatchObject({ source: '*', suppressed: 93 });
  });

  it('clips client strings and says how much was cut', () => {
    expect(clip('x'.repeat(200), 10)).toBe('xxxxxxxxxx...(+190 chars)');
    expect(clip('short')).toBe('short');
  });
});

describe('TokenBuckets', () => {
  it('allows the burst, then the rate, and says how long to wait', () => {
    let now = 0;
    const b = new TokenBuckets({ ratePerSec: 10, burst: 3, now: () => now });
    expect([b.take('k'), b.take('k'), b.take('k')]).toEqual([0, 0, 0]);
    expect(b.take('k')).toBe(100);
    now = 100;
    expect(b.take('k')).toBe(0);
    expect(b.take('other')).toBe(0);
  });

  it('stays within maxKeys', () => {
    let now = 0;
    const b = new TokenBuckets({ ratePerSec: 1, burst: 1, maxKeys: 100, now: () => now });
    for (let i = 0; i < 10_000; i++) {
      now++;
      b.take(`k${i}`);
    }
    expect(b.size).toBeLessThanOrEqual(100);
  });
});

describe('CommandMemory', () => {
  const reply = Promise.resolve({ id: 'x', did: 'd', status: 'ok', data: {} } as PhoneReply);

  it('evicts the oldest id of a user past its cap, and the oldest of all past the total', () => {
    const m = new CommandMemory({ perUser: 3, total: 5 });
    for (const user of ['u1', 'u2']) {
      for (let i = 0; i < 10; i++) {
        m.remember(CommandMemory.key(user, 'd', `c${i}`), {
          userId: user,
          fingerprint: 'f',
          reply,
          done: true,
          at: 0,
        });
      }
    }
    expect(m.size).toEqual({ ids: 5, users: 2, largestUser: 3 });
    expect(m.get(CommandMemory.key('u2', 'd', 'c9'))).toBeDefined();
    expect(m.get(CommandMemory.key('u2', 'd', 'c6'))).toBeUndefined();
    m.forgetUser('u2');
    expect(m.size.users).toBe(1);
  });

  it('fingerprints what a command asks, not its key order, id or device', () => {
    const a = commandFingerprint({ id: '1', did: 'a', op: 'set', props: { x: 1, y: { b: 2, a: 1 } } });
    const b = commandFingerprint({ props: { y: { a: 1, b: 2 }, x: 1 }, op: 'set', id: '2', did: 'b' });
    expect(a).toBe(b);
    expect(commandFingerprint({ op: 'set', props: { x: 2 } })).not.toBe(
      commandFingerprint({ op: 'set', props: { x: 1 } }),
    );
  });
});

describe('sourceKey', () => {
  it('keys IPv4 by address and IPv6 by /64', () => {
    expect(sourceKey('10.1.2.3')).toBe('10.1.2.3');
    expect(sourceKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(sourceKey('fe80::1')).toBe('fe80:0:0:0::/64');
    expect(sourceKey(undefined)).toBe('unknown');
  });
});
