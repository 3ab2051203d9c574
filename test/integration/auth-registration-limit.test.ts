import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub.js';

describe('registration is limited per client address', () => {
  let hub: TestHub;
  let now = Date.UTC(2031, 0, 10, 9);
  const password = 'correct horse battery';

  beforeAll(async () => {
    // Behind a proxy: X-Forwarded-For says which client each request stands for.
    hub = await startHub({ trustProxy: true, now: () => now });
  });
  afterAll(() => hub.stop());

  const register = (email: string, address: string) =>
    hub.request('POST', '/v1/auth/register', {
      body: { email, password },
      headers: { 'x-forwarded-for': address },
    });

  it('answers the 21st attempt from one address in 15 minutes with 429 and Retry-After, and creates nothing', async () => {
    for (let i = 0; i < 19; i++) {
      const res = await register(`a${i}@example.com`, '198.51.100.7');
      expect(res.status, res.text).toBe(201);
    }
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

  it('allows the address again once the window has passed', async () => {
    expect((await register('a-again@example.com', '198.51.100.7')).status).toBe(429);
    now += 15 * 60_000 + 1;
    expect((await register('a-again@example.com', '198.51.100.7')).status).toBe(201);
  });

  it('takes its limit from the options', async () => {
    const strict = await startHub({ limits: { registrationsPerAddress: 2 } });
    try {
      const res = [];
      for (const name of ['x', 'y', 'z']) {
        res.push(
          (
            await strict.request('POST', '/v1/auth/register', {
              body: { email: `${name}@example.com`, password },
            })
          ).status,
        );
      }
      expect(res).toEqual([201, 201, 429]);
    } finally {
      await strict.stop();
    }
  });
});
