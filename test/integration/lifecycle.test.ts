import { describe, expect, it } from 'vitest';
import { newUser, startHub } from '../support/hub.js';
import { connected, end, phoneOptions } from '../support/mqtt.js';

function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

describe('hub lifecycle', () => {
  it('close() leaves no open handles behind', async () => {
    const before = resourceCounts();
    const hub = await startHub();
    const user = await newUser(hub);
    const tcp = await connected(hub.mqttUrl, phoneOptions(user));
    const ws = await connected(hub.wsUrl, phoneOptions(user));
    // Leave the MQTT clients connected: close() must disconnect them itself.
    await hub.stop();
    await Promise.all([end(tcp), end(ws)]);
    await new Promise((resolve) => setImmediate(resolve));
    const after = resourceCounts();
    for (const [kind, n] of after) {
      expect(n, `${kind} handles left open`).toBeLessThanOrEqual(before.get(kind) ?? 0);
    }
  });

  it('close() is idempotent and the data survives a restart', async () => {
    const hub = await startHub();
    const user = await newUser(hub);
    const dataDir = hub.dataDir;
    await Promise.all([hub.close(), hub.close()]);
    const again = await startHub({ dataDir });
    const me = await again.request('GET', '/v1/me', { token: user.token });
    expect(me.status).toBe(200);
    expect(again.bootstrapAdminToken).toBeUndefined();
    await again.stop();
  });

  it('mints a bootstrap operator token on first start only', async () => {
    const first = await startHub({ adminToken: undefined });
    const token = first.bootstrapAdminToken;
    expect(token).toMatch(/^eo_[0-9a-f]{16}_/);
    await first.close();
    const second = await startHub({ adminToken: undefined, dataDir: first.dataDir });
    expect(second.bootstrapAdminToken).toBeUndefined();
    const res = await second.request('GET', '/v1/me', { token: String(token) });
    expect(res.status).toBe(403); // a valid operator, just not a user
    await second.stop();
  });
});
