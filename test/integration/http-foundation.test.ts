import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, startHub, type TestHub } from '../support/hub.js';

describe('HTTP foundation', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('answers liveness and readiness', async () => {
    const live = await hub.request('GET', '/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await hub.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const res = await hub.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body['openapi']).toBe('3.0.3');
    const paths = res.body['paths'] as Record<string, Record<string, { security?: unknown }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/v1/auth/register', '/v1/auth/login', '/v1/me', '/healthz']),
    );
    expect(paths['/v1/me']?.['get']?.security).toEqual([{ bearer: [] }]);
    expect(paths['/v1/auth/login']?.['post']?.security).toBeUndefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await fetch(`${hub.httpUrl}/docs/`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('swagger');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await hub.request('GET', '/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', instance: '/v1/nope' });
    expect(res.body['requestId']).toBe(res.headers.get('x-request-id'));
  });

  it('echoes a caller-supplied request id', async () => {
    const res = await hub.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
  });

  it('refuses malformed JSON, wrong content types and oversize bodies with problems', async () => {
    const badJson = await hub.request('POST', '/v1/auth/register', { body: '{"email": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body['code']).toBe('INVALID_JSON');
    const wrongType = await hub.request('POST', '/v1/auth/register', {
      body: 'email=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body['code']).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await hub.request('POST', '/v1/auth/register', {
      body: { email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body['code']).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a malformed Authorization header and an unknown token with 401', async () => {
    const malformed = await hub.request('GET', '/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    expect(malformed.body['code']).toBe('UNAUTHENTICATED');
    const unknown = await hub.request('GET', '/v1/me', { token: 'eu_0123456789abcdef_notarealsecretatall' });
    expect(unknown.status).toBe(401);
  });

  it('takes the Bearer scheme in any case, as RFC 7235 says', async () => {
    const user = await newUser(hub);
    for (const scheme of ['bearer', 'BEARER', 'bEaReR', 'Bearer ']) {
      const res = await hub.request('GET', '/v1/me', {
        headers: { authorization: `${scheme} ${user.token}` },
      });
      expect(res.status, scheme).toBe(200);
      expect(res.body['id']).toBe(user.id);
    }
  });
});
