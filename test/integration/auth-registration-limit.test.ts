import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub.js';

const password = 'correct horse battery';

describe('registration is limited per client address', () => {
  let hub: TestHub;
  let now = Date.UTC(2031, 0, 10, 9);

  beforeAll(async () => {
    // Behind a proxy: X-Forwarded-For says which client each request stands for.
    hub = await startHub({ trustProxy: true, now: () => now, limits: { registrationsPerAddress: 3 } });
  });
  afterAll(() => hub.stop());

  const register = (email: string, address: string) =>
    hub.request('POST', '/v1/auth/register', {
      body: { email, password },
      headers: { 'x-forwarded-for': address },
    });

  it('answers the attempt past the limit with 429 and Retry-After, and creates nothing', async () => {
    expect((await register('a0@example.com', '198.51.100.7')).status).toBe(201);
    expect((await register('a1@example.com', '198.51.100.7')).status).toBe(201);
    // A refused attempt counts too: it costs a password hash and says the email is taken.
    expect((await register('a0@example.com', '198.51.100.7')).status).toBe(409);

    const refused = await register('a-late@example.com', '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.body['code']).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    const login = await hub.request('POST', '/v1/auth/login', {
      body: { email: 'a-late@example.com', password },
      headers: { 'x-forwarded-for': '203.0.113.50' },
    });
    expect(login.status).toBe(401); // no account was made

    // Other addresses are not affected, and accounts made before still log in from the limited one.
    expect((await register('b0@example.com', '198.51.100.8')).status).toBe(201);
    const known = await hub.request('POST', '/v1/auth/login', {
      body: { email: 'a1@example.com', password },
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(known.status).toBe(200);
  });

  it('allows the address again once the 15-minute window has passed', async () => {
    expect((await register('a-again@example.com', '198.51.100.7')).status).toBe(429);
    now += 15 * 60_000 + 1;
    expect((await register('a-again@example.com', '198.51.100.7')).status).toBe(201);
  });

  it('allows 20 attempts per address by default', async () => {
    // Before: 290 accounts in 20 s from one address.
    const open = await startHub();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const res = await open.request('POST', '/v1/auth/register', {
          body: { email: `default-${i}@example.com`, password },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array<number>(20).fill(201), 429]);
    } finally {
      await open.stop();
    }
  }, 90_000); // 20 password hashes
});
