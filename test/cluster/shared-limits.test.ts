import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedDevice } from '../support/devices.js';
import { newUser } from '../support/hub.js';
import { firstNodes, startCluster, type TestCluster } from './nodes.js';

describe('abuse limits shared across nodes (Redis)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // One command per second, two at once: per node that would be 2 + 2 for a user using both.
    cluster = await startCluster(2, { limits: { commandRatePerSec: 1 } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('holds one command budget per user however the commands spread over the nodes', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const { device, user } = await ownedDevice(n1);

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? n1 : n2).request('POST', `/v1/devices/${device.id}/commands`, {
          token: user.token,
          body: { op: 'get', props: ['light.on'] },
        }),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const limited = answers.filter((a) => a.status === 429);
    const allowed = answers.length - limited.length;
    // The burst of 2, plus what one per second refilled while the requests ran; node-local
    // buckets would have let 4 through at once.
    expect(allowed, JSON.stringify(answers.map((a) => a.status))).toBeGreaterThanOrEqual(2);
    expect(allowed, JSON.stringify(answers.map((a) => a.status))).toBeLessThanOrEqual(
      2 + Math.floor(elapsedS),
    );
    expect(limited[0]?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0]?.body['code']).toBe('RATE_LIMITED');
  });

  it('counts failed logins for an account on every node: the 6th failure in a row is refused wherever it lands', async () => {
    const [n1, n2] = firstNodes(cluster, 2);
    const user = await newUser(n1);
    const wrong = { email: user.email, password: 'not the password at all' };
    // Five wrong passwords spread over both nodes (3 on node 1, 2 on node 2): each is 401.
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 === 0 ? n1 : n2).request('POST', '/v1/auth/login', { body: wrong });
      expect(res.status, res.text).toBe(401);
    }
    // Node 2 saw only two of them; the sixth attempt is refused there, even with the right password.
    const refused = await n2.request('POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(refused.status, refused.text).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // The keys in Redis are hashes: no email in them.
    const keys = await cluster.redis.keys('ecohub:lim:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes(user.email))).toBe(false);
  });
});
