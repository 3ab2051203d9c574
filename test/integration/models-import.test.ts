import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { onboardDeviceMaker, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { exampleModel, publishVersion } from '../support/models.js';
import { type OnboardedPartner, onboardPartner } from '../support/partners.js';
import { POWER_STRIP } from '../unit/spec/miot-fixture.js';

type Errors = Array<{ path: string; message: string }>;

describe('POST /v1/models/import/miot', () => {
  let hub: TestHub;
  let maker: OnboardedPartner;

  beforeAll(async () => {
    hub = await startHub();
    maker = await onboardDeviceMaker(hub);
  });
  afterAll(async () => {
    await hub.stop();
  });

  const importMiot = (token: string, body: string, query = '') =>
    hub.request('POST', `/v1/models/import/miot${query}`, { token, body });

  it('creates the model at its MIoT instance version, lists the import notes, and publishes', async () => {
    const res = await importMiot(maker.key, POWER_STRIP);
    expect(res.status, res.text).toBe(201);
    const modelId = `${maker.slug}.plug.p9`;
    expect(res.body).toMatchObject({ modelId, version: 2, state: 'draft', warnings: [] });
    const doc = res.body['document'] as ModelSpec;
    expect(doc).toMatchObject({ model: modelId, specVersion: 2, addressing: 'iid' });
    // Parsed exactly: 2^64 - 1 did not become 2^64 on the way in.
    expect(doc.services[4]?.properties[0]?.range).toEqual([0, '18446744073709551615', 1]);
    const notes = res.body['importNotes'] as Array<{ path: string; kind: string }>;
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/services/0/comment', kind: 'dropped' }),
        expect.objectContaining({ path: '/services/3/properties/3/unit', kind: 'converted' }),
      ]),
    );
    await publishVersion(hub, maker, modelId, 2);
    const catalog = await hub.request('GET', `/v1/catalog/models/${modelId}`);
    expect(catalog.status).toBe(200);
    expect((catalog.body as unknown as ModelSpec).specVersion).toBe(2);
    const [device] = await provision(hub, maker, modelId, 1, 2);
    expect(device?.id).toMatch(/^[0-9a-f]{16}$/);
    const next = await hub.request('POST', `/v1/models/${modelId}/versions`, { token: maker.key });
    expect(next.status, next.text).toBe(201);
    expect(next.body['version']).toBe(3);
  });

  it('takes the model id from ?model=, and refuses a second model with that id', async () => {
    const modelId = `${maker.slug}.plug.strip9`;
    const first = await importMiot(maker.key, POWER_STRIP, `?model=${modelId}`);
    expect(first.status, first.text).toBe(201);
    expect(first.body['modelId']).toBe(modelId);
    const again = await importMiot(maker.key, POWER_STRIP, `?model=${modelId}`);
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('ALREADY_EXISTS');
  });

  it('refuses what cannot be imported with pointers into the source, and what the partner may not make', async () => {
    const notMiot = await importMiot(maker.key, '{"services": [{"iid": "two"}]}');
    expect(notMiot.status).toBe(400);
    expect(notMiot.body['code']).toBe('VALIDATION_FAILED');
    const errors = notMiot.body.errors as Errors;
    expect(errors.some((e) => e.path === '/type' && e.message.startsWith('IMPORT: '))).toBe(true);
    expect(errors.some((e) => e.path === '/services/0/iid' && e.message.startsWith('IMPORT: '))).toBe(true);

    const dishwasher = await importMiot(
      maker.key,
      POWER_STRIP.replace(':device:outlet:', ':device:dishwasher:'),
    );
    expect(dishwasher.status).toBe(400);
    expect((dishwasher.body.errors as Errors)[0]).toMatchObject({ path: '/type' });

    const lightsOnly = await onboardPartner(hub);
    const thermostat = POWER_STRIP.replace(':device:outlet:', ':device:thermostat:');
    const refused = await importMiot(lightsOnly.key, thermostat);
    expect(refused.status).toBe(400);
    expect((refused.body.errors as Errors).map((e) => e.path)).toContain('/category');

    const broken = await importMiot(maker.key, '{"type": ');
    expect(broken.status).toBe(400);
    expect(broken.body['code']).toBe('INVALID_JSON');
  });

  it('is for partners only', async () => {
    const user = await newUser(hub);
    expect((await importMiot(ADMIN_TOKEN, POWER_STRIP)).status).toBe(403);
    expect((await importMiot(user.token, POWER_STRIP)).status).toBe(403);
    const anonymous = await hub.request('POST', '/v1/models/import/miot', { body: POWER_STRIP });
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /v1/models with a MIoT device type', () => {
  let hub: TestHub;
  let maker: OnboardedPartner;

  beforeAll(async () => {
    hub = await startHub();
    maker = await onboardDeviceMaker(hub);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('starts the model at the instance version the type names, and refuses another first version', async () => {
    const doc = exampleModel('acme.light.bulb1', maker.slug);
    doc.type = `urn:miot-spec-v2:device:light:0000A001:${maker.slug}-bulb1:3`;
    const wrong = await hub.request('POST', '/v1/models', { token: maker.key, body: doc });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors as Errors).toContainEqual({
      path: '/specVersion',
      message: expect.stringMatching(/^REGISTRY: must be 3/),
    });
    const created = await hub.request('POST', '/v1/models', {
      token: maker.key,
      body: { ...doc, specVersion: 3 },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ version: 3, state: 'draft' });
    const model = await hub.request('GET', `/v1/models/${doc.model}`, { token: maker.key });
    expect((model.body['versions'] as Array<{ version: number }>).map((v) => v.version)).toEqual([3]);
  });
});
