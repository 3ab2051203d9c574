import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardDeviceMaker, partnerWithModel } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { exampleModel } from '../support/models.js';
import type { OnboardedPartner } from '../support/partners.js';

describe('device provisioning', () => {
  let hub: TestHub;
  let partner: OnboardedPartner;
  let modelId: string;
  beforeAll(async () => {
    hub = await startHub();
    ({ partner, modelId } = await partnerWithModel(hub));
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('provisions a batch: ids, secrets and pairing codes shown once, the batch recorded', async () => {
    const res = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId, version: 1, count: 25, label: 'first run' },
    });
    expect(res.status, res.text).toBe(201);
    const batch = res.body['batch'] as Record<string, unknown>;
    expect(batch).toMatchObject({
      modelId,
      modelVersion: 1,
      size: 25,
      label: 'first run',
      partnerId: partner.partnerId,
    });
    const devices = res.body['devices'] as Array<{ id: string; secret: string; pairingCode: string }>;
    expect(devices).toHaveLength(25);
    expect(new Set(devices.map((d) => d.id)).size).toBe(25);
    for (const d of devices) {
      expect(d.id).toMatch(/^[0-9a-f]{16}$/);
      expect(d.secret.length).toBeGreaterThanOrEqual(32);
      expect(d.pairingCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    }
    const first = devices[0];
    const detail = await hub.request('GET', `/v1/devices/${first?.id}`, { token: partner.key });
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain(String(first?.secret));
    expect(detail.body).toMatchObject({
      batchId: batch['id'],
      blocked: false,
      presence: { online: false, connectionCount: 0 },
    });

    const batches = await hub.request('GET', '/v1/device-batches', { token: partner.key });
    expect((batches.body['items'] as unknown[]).length).toBeGreaterThanOrEqual(1);
    const listed = await hub.request('GET', `/v1/devices?batchId=${String(batch['id'])}&limit=10`, {
      token: partner.key,
    });
    expect((listed.body['items'] as unknown[]).length).toBe(10);
    const page2 = await hub.request(
      'GET',
      `/v1/devices?batchId=${String(batch['id'])}&limit=10&cursor=${String(listed.body['next'])}`,
      {
        token: partner.key,
      },
    );
    expect((page2.body['items'] as unknown[]).length).toBe(10);
  });

  it('answers CSV when asked, with a header and one line per device', async () => {
    const res = await hub.request('POST', '/v1/device-batches?format=csv', {
      token: partner.key,
      body: { modelId, version: 1, count: 3 },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('device_id,secret,pairing_code,model,version');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      new RegExp(`^[0-9a-f]{16},[A-Za-z0-9_-]+,[0-9A-Z-]{14},${modelId.replaceAll('.', '\\.')},1$`),
    );
  });

  it('refuses a model version that is not certified or published, naming its state', async () => {
    const doc = exampleModel('acme.plug.p1', partner.slug);
    const created = await hub.request('POST', '/v1/models', { token: partner.key, body: doc });
    expect(created.status, created.text).toBe(201);
    const res = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId: doc.model, version: 1, count: 1 },
    });
    expect(res.status).toBe(409);
    expect(res.body['code']).toBe('INVALID_STATE');
    expect(String(res.body['detail'])).toContain('draft');
  });

  it("answers 404 for another partner's model and its devices", async () => {
    const other = await onboardDeviceMaker(hub);
    const res = await hub.request('POST', '/v1/device-batches', {
      token: other.key,
      body: { modelId, version: 1, count: 1 },
    });
    expect(res.status).toBe(404);
    const mine = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId, version: 1, count: 1 },
    });
    const did = (mine.body['devices'] as Array<{ id: string }>)[0]?.id;
    for (const path of [
      `/v1/devices/${did}`,
      `/v1/devices/${did}/history?property=light.on`,
      `/v1/devices/${did}/events`,
    ]) {
      expect((await hub.request('GET', path, { token: other.key })).status, path).toBe(404);
    }
    expect((await hub.request('POST', `/v1/devices/${did}/block`, { token: other.key })).status).toBe(404);
    expect((await hub.request('GET', `/v1/devices/${did}`, { token: ADMIN_TOKEN })).status).toBe(200);
    const user = await newUser(hub);
    expect((await hub.request('GET', `/v1/devices/${did}`, { token: user.token })).status).toBe(403);
    expect(
      (
        await hub.request('POST', '/v1/device-batches', {
          token: user.token,
          body: { modelId, version: 1, count: 1 },
        })
      ).status,
    ).toBe(403);
    const theirs = await hub.request('GET', '/v1/devices', { token: other.key });
    expect(theirs.body['items']).toEqual([]);
  });

  it.each([
    [{ count: 0 }, '/count'],
    [{ count: 100_001 }, '/count'],
    [{ count: '5' }, '/count'],
    [{ count: 1.5 }, '/count'],
    [{ version: 0 }, '/version'],
    [{ extra: true }, '/extra'],
  ])('refuses %j with a 400 naming %s', async (patch, path) => {
    const res = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId, version: 1, count: 1, ...patch },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toContain(path);
  });
});
