import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.js';
import { createLogger } from '../../src/log.js';
import { claim, fakeDevice, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { end } from '../support/mqtt.js';

type Line = Record<string, unknown> & { level: number; msg: string; reqId?: string };

function collector() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { lines, log: createLogger('debug', stream) };
}

const DEBUG = 20;
const INFO = 30;
const ERROR = 50;

describe('request logging', () => {
  let hub: TestHub;
  const { lines, log } = collector();
  const forRequest = (res: { headers: Headers }) =>
    lines.filter((l) => l.reqId === res.headers.get('x-request-id'));

  beforeAll(async () => {
    hub = await startHub({ logger: log, commandTimeoutMs: 300 });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('logs one info line per request, with method, url, status and time', async () => {
    const user = await newUser(hub);
    const res = await hub.request('GET', '/v1/me', { token: user.token });
    expect(res.status).toBe(200);
    const mine = forRequest(res);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: INFO, msg: 'request', method: 'GET', url: '/v1/me', status: 200 });
    expect(typeof mine[0]?.['ms']).toBe('number');
    expect(JSON.stringify(mine[0])).not.toContain(user.token);
  });

  it('logs health checks and metrics scrapes at debug', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await hub.request('GET', path);
      expect(res.status).toBe(200);
      const mine = forRequest(res);
      expect(mine, path).toHaveLength(1);
      expect(mine[0]?.level, path).toBe(DEBUG);
    }
  });

  it('logs expected failures (4xx, 504 DEVICE_TIMEOUT) at info with their code and no stack', async () => {
    const missing = await hub.request('GET', '/v1/nope');
    expect(missing.status).toBe(404);
    expect(forRequest(missing)).toEqual([
      expect.objectContaining({ level: INFO, status: 404, code: 'ROUTE_NOT_FOUND' }),
    ]);

    const { partner, modelId } = await partnerWithModel(hub);
    const [device] = await provision(hub, partner, modelId, 1);
    if (!device) throw new Error('no device');
    const owner = await newUser(hub);
    await claim(hub, owner.token, device);
    const silent = await fakeDevice(hub.mqttUrl, device, () => undefined);
    const res = await hub.request('POST', `/v1/devices/${device.id}/commands`, {
      token: owner.token,
      body: { op: 'get', props: ['light.on'] },
    });
    await end(silent.client);
    expect(res.status).toBe(504);
    expect(res.body['code']).toBe('DEVICE_TIMEOUT');
    const mine = forRequest(res);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: INFO, status: 504, code: 'DEVICE_TIMEOUT' });
    expect(JSON.stringify(mine[0])).not.toContain('stack');
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
  });

  it('logs a bug (500) once, at error, with the stack of what was thrown', async () => {
    const bugLog = collector();
    const app = await buildApi(
      {
        log: bugLog.log,
        auth: { resolvers: {}, fallback: () => undefined },
        publicUrl: undefined,
        bodyLimit: 1024,
        trustProxy: false,
        version: 'test',
      },
      (api) => {
        api.get('/boom', { config: { access: 'public' } }, async () => {
          throw new TypeError('something broke');
        });
      },
    );
    try {
      const res = await app.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('something broke');
      const mine = bugLog.lines.filter((l) => l.reqId === res.headers['x-request-id']);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ level: ERROR, status: 500, code: 'INTERNAL' });
      const err = mine[0]?.['err'] as { message: string; stack: string };
      expect(err.message).toBe('something broke');
      expect(err.stack).toContain('TypeError: something broke');
    } finally {
      await app.close();
    }
  });
});
