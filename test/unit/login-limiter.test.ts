import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/identity/login-limiter.js';

describe('LoginLimiter', () => {
  it('refuses after maxFailures inside the window and allows again once the oldest failure ages out', () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.recordFailure('a');
      now += 1000;
    }
    expect(limiter.retryAfterMs('a')).toBe(57_000);
    expect(limiter.retryAfterMs('b')).toBe(0);
    now += 57_000;
    expect(limiter.retryAfterMs('a')).toBe(0);
  });

  it('forgets a key on reset', () => {
    const limiter = new LoginLimiter({ maxFailures: 1, windowMs: 60_000, now: () => 0 });
    limiter.recordFailure('a');
    expect(limiter.retryAfterMs('a')).toBeGreaterThan(0);
    limiter.reset('a');
    expect(limiter.retryAfterMs('a')).toBe(0);
  });
});
