import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

describe('user accounts and tokens', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('registers, logs in and shows the signed-in user', async () => {
    const reg = await hub.request('POST', '/v1/auth/register', {
      body: { email: 'Alice@Example.com', password: 'correct horse battery', displayName: 'Alice' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email: 'Alice@Example.com', displayName: 'Alice' });
    expect(reg.text).not.toContain('password');

    const login = await hub.request('POST', '/v1/auth/login', {
      body: { email: 'alice@example.com', password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    expect(String(login.body['token'])).toMatch(/^eu_[0-9a-f]{16}_/);
    expect(Date.parse(String(login.body['expiresAt']))).toBeGreaterThan(Date.now());

    const me = await hub.request('GET', '/v1/me', { token: String(login.body['token']) });
    expect(me.status).toBe(200);
    expect(me.body['id']).toBe(reg.body['id']);
  });

  it('refuses a second account with the same email (any case)', async () => {
    await newUser(hub, 'dup@example.com');
    const again = await hub.request('POST', '/v1/auth/register', {
      body: { email: 'DUP@example.com', password: 'another password' },
    });
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('ALREADY_EXISTS');
    expect(again.body.errors?.[0]?.path).toBe('/email');
  });

  it('answers a wrong password with 401 and the 6th rapid failure with 429 and Retry-After', async () => {
    const user = await newUser(hub, 'bruteforce@example.com');
    for (let i = 0; i < 5; i++) {
      const res = await hub.request('POST', '/v1/auth/login', {
        body: { email: user.email, password: 'wrong password!' },
      });
      expect(res.status).toBe(401);
      expect(res.body['code']).toBe('UNAUTHENTICATED');
    }
    const sixth = await hub.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(sixth.status).toBe(429);
    expect(sixth.body['code']).toBe('RATE_LIMITED');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('names every bad field in a 400, without coercing types or accepting unknown fields', async () => {
    const res = await hub.request('POST', '/v1/auth/register', {
      body: { email: 'not-an-email', password: 12345678, nickname: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body['code']).toBe('VALIDATION_FAILED');
    const paths = res.body.errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/email', '/password', '/nickname']));
    const missing = await hub.request('POST', '/v1/auth/login', { body: { email: 'a@example.com' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: '/password', message: 'is required' }]);
  });

  it('logs out: the token stops working at once', async () => {
    const user = await newUser(hub);
    const out = await hub.request('POST', '/v1/auth/logout', { token: user.token });
    expect(out.status).toBe(204);
    const me = await hub.request('GET', '/v1/me', { token: user.token });
    expect(me.status).toBe(401);
  });

  it('keeps roles apart: an operator token is not a user session', async () => {
    const me = await hub.request('GET', '/v1/me', { token: ADMIN_TOKEN });
    expect(me.status).toBe(403);
    expect(me.body['code']).toBe('FORBIDDEN');
    const anonymous = await hub.request('GET', '/v1/me');
    expect(anonymous.status).toBe(401);
  });
});
