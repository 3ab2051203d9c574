import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MODEL_DOCUMENT_BYTES, type ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { clone, exampleModel, publishModel, publishVersion, step, versionPath } from '../support/models.js';
import { type OnboardedPartner, onboardPartner } from '../support/partners.js';

type Errors = Array<{ path: string; message: string }>;

function lightService(doc: ModelSpec) {
  const service = doc.services.find((s) => s.name === 'light');
  if (!service) throw new Error('the example has no light service');
  return service;
}

describe('model lifecycle over REST', () => {
  let hub: TestHub;
  let acme: OnboardedPartner;

  beforeAll(async () => {
    hub = await startHub();
    acme = await onboardPartner(hub);
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('creates, edits, submits, certifies, publishes, then accepts an added property and refuses changes', async () => {
    const doc = exampleModel('acme.light.bulb1', acme.slug);
    const id = doc.model;

    const created = await hub.request('POST', '/v1/models', { token: acme.key, body: doc });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ modelId: id, version: 1, state: 'draft', warnings: [] });
    expect(created.body['document']).toEqual(doc);

    const edited = clone(doc);
    edited.name = { ...edited.name, en: 'Acme Bulb One' };
    const put = await hub.request('PUT', versionPath(id, 1), { token: acme.key, body: edited });
    expect(put.status, put.text).toBe(200);
    expect((put.body['document'] as ModelSpec).name.en).toBe('Acme Bulb One');

    await step(hub, acme.key, id, 1, 'submit', 'submitted');
    const certified = await hub.request('POST', versionPath(id, 1, 'certify'), {
      token: ADMIN_TOKEN,
      body: { note: 'bench-tested: all properties report and accept writes', override: true },
    });
    expect(certified.status, certified.text).toBe(200);
    expect(certified.body).toMatchObject({
      state: 'certified',
      certificationNote: 'bench-tested: all properties report and accept writes',
      certifiedBy: expect.any(String),
    });
    await step(hub, acme.key, id, 1, 'publish', 'published');

    // The owner sees the certification note but not which operator token certified it.
    const v1 = await hub.request('GET', versionPath(id, 1), { token: acme.key });
    expect(v1.body['certificationNote']).toBe('bench-tested: all properties report and accept writes');
    expect(v1.body).not.toHaveProperty('certifiedBy');
    expect(v1.body['publishedAt']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    // Version 2 adds a property: allowed.
    const v2doc = clone(edited);
    v2doc.specVersion = 2;
    lightService(v2doc).properties.push({
      iid: 5,
      name: 'mode',
      description: 'Lighting scene.',
      format: 'uint8',
      access: ['read', 'write', 'notify'],
      enum: [
        { value: 0, description: 'Day' },
        { value: 1, description: 'Night' },
      ],
    });
    const v2 = await hub.request('POST', `/v1/models/${id}/versions`, { token: acme.key, body: v2doc });
    expect(v2.status, v2.text).toBe(201);
    expect(v2.body).toMatchObject({ version: 2, state: 'draft' });
    await publishVersion(hub, acme, id, 2);

    // Version 3 (a copy of version 2 by default) removes a property, changes a format, renumbers an iid.
    const v3 = await hub.request('POST', `/v1/models/${id}/versions`, { token: acme.key });
    expect(v3.status, v3.text).toBe(201);
    const v3doc = v3.body['document'] as ModelSpec;
    expect(v3doc.specVersion).toBe(3);
    const light = lightService(v3doc);
    light.properties = light.properties.filter((p) => p.name !== 'fault');
    v3doc.services[1]!.events = [];
    const brightness = light.properties.find((p) => p.name === 'brightness')!;
    brightness.format = 'uint16';
    const colorTemperature = light.properties.find((p) => p.name === 'color-temperature')!;
    colorTemperature.iid = 9;
    const put3 = await hub.request('PUT', versionPath(id, 3), { token: acme.key, body: v3doc });
    expect(put3.status, put3.text).toBe(200);

    const refused = await hub.request('POST', versionPath(id, 3, 'submit'), { token: acme.key });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body['code']).toBe('VALIDATION_FAILED');
    const errors = refused.body.errors as Errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: '/services/1/properties/3', message: expect.stringMatching(/^ADD-ONLY: removed: .*fault/) },
        {
          path: '/services/1/properties/1/format',
          message: expect.stringMatching(/^ADD-ONLY: changed: .*uint8 to uint16/),
        },
        {
          path: '/services/1/properties/2/iid',
          message: expect.stringMatching(/^ADD-ONLY: changed: .*3 to 9/),
        },
        {
          path: '/services/1/events/0',
          message: expect.stringMatching(/^ADD-ONLY: removed: .*fault-occurred/),
        },
      ]),
    );
    const still = await hub.request('GET', versionPath(id, 3), { token: acme.key });
    expect(still.body['state']).toBe('draft');

    const model = await hub.request('GET', `/v1/models/${id}`, { token: acme.key });
    expect(model.status).toBe(200);
    expect((model.body['versions'] as Array<{ state: string }>).map((v) => v.state)).toEqual([
      'published',
      'published',
      'draft',
    ]);
  });

  it('answers 409 INVALID_STATE naming the state for every forbidden transition', async () => {
    const doc = exampleModel('acme.plug.p1', acme.slug);
    const id = doc.model;
    expect((await hub.request('POST', '/v1/models', { token: acme.key, body: doc })).status).toBe(201);
    const expectState = async (
      method: string,
      path: string,
      token: string,
      detail: RegExp,
      body?: unknown,
    ) => {
      const res = await hub.request(method, path, { token, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(409);
      expect(res.body['code']).toBe('INVALID_STATE');
      expect(res.body['detail']).toMatch(detail);
    };
    const note = { note: 'ok' };

    await expectState('POST', versionPath(id, 1, 'publish'), acme.key, /is draft, not certified/);
    await expectState('POST', versionPath(id, 1, 'certify'), ADMIN_TOKEN, /is draft, not submitted/, note);
    await expectState('POST', versionPath(id, 1, 'retire'), acme.key, /is draft, not published/);
    await expectState('POST', `/v1/models/${id}/versions`, acme.key, /version 1 is draft/);
    await expectState('POST', `/v1/models/${id}/variants`, acme.key, /no published version/, { code: 'p1s' });

    const asPartner = await hub.request('POST', versionPath(id, 1, 'certify'), {
      token: acme.key,
      body: note,
    });
    expect(asPartner.status).toBe(403);

    await step(hub, acme.key, id, 1, 'submit', 'submitted');
    await expectState(
      'PUT',
      versionPath(id, 1),
      acme.key,
      /cannot edit version 1: it is submitted, not draft/,
      doc,
    );
    await expectState('POST', versionPath(id, 1, 'submit'), acme.key, /is submitted, not draft/);
    await expectState('POST', versionPath(id, 1, 'publish'), acme.key, /is submitted, not certified/);
    await expectState('POST', `/v1/models/${id}/versions`, acme.key, /version 1 is submitted/);

    await step(hub, ADMIN_TOKEN, id, 1, 'certify', 'certified');
    await expectState(
      'POST',
      versionPath(id, 1, 'certify'),
      ADMIN_TOKEN,
      /is certified, not submitted/,
      note,
    );
    await expectState('PUT', versionPath(id, 1), acme.key, /it is certified, not draft/, doc);

    await step(hub, acme.key, id, 1, 'publish', 'published');
    await expectState('POST', versionPath(id, 1, 'publish'), acme.key, /is published, not certified/);
    await step(hub, ADMIN_TOKEN, id, 1, 'retire', 'retired');
    await expectState('POST', versionPath(id, 1, 'retire'), acme.key, /is retired, not published/);

    const missing = await hub.request('POST', versionPath(id, 7, 'submit'), { token: acme.key });
    expect(missing.status).toBe(404);
  });

  it('reports every violation of a document in one 400, with paths and rule ids', async () => {
    const doc = clone(exampleModel('acme.light.bulb1', acme.slug)) as ModelSpec & Record<string, unknown>;
    doc.services[1]!.name = 'Light_Source';
    doc.services[1]!.properties[2]!.unit = 'K';
    doc.category = 'air-purifier';
    doc.parent = `${acme.slug}.light.other`;
    doc.specVersion = 4;
    const res = await hub.request('POST', '/v1/models', { token: acme.key, body: doc });
    expect(res.status, res.text).toBe(400);
    expect(res.body['code']).toBe('VALIDATION_FAILED');
    const errors = res.body.errors as Errors;
    const byPath = (path: string) => errors.filter((e) => e.path === path).map((e) => e.message);
    expect(byPath('/services/1/name')).toEqual([expect.stringMatching(/^Q006: /)]);
    expect(byPath('/services/1/properties/2/unit')).toEqual([expect.stringMatching(/^Q010: /)]);
    expect(byPath('/model')).toContainEqual(expect.stringMatching(/^Q004: /));
    expect(byPath('/category')).toContainEqual(expect.stringMatching(/^REGISTRY: "air-purifier" is not one/));
    expect(byPath('/parent')).toContainEqual(expect.stringMatching(/^REGISTRY: .*variants/));
    expect(byPath('/specVersion')).toEqual([expect.stringMatching(/^REGISTRY: must be 1/)]);

    const schema = await hub.request('POST', '/v1/models', {
      token: acme.key,
      body: { ...doc, services: 'none', extra: true },
    });
    expect(schema.status).toBe(400);
    expect((schema.body.errors as Errors).map((e) => e.path)).toEqual(
      expect.arrayContaining(['/services', '/extra']),
    );
  });

  it("refuses a model id outside the partner's slug and an existing model id", async () => {
    const foreign = { ...exampleModel('acme.light.bulb1', acme.slug), model: 'other.light.bulb1' };
    const res = await hub.request('POST', '/v1/models', { token: acme.key, body: foreign });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({
      path: '/model',
      message: expect.stringMatching(`^REGISTRY: must start with your partner slug: ${acme.slug}\\.`),
    });

    // The test partner applied for light and plug only.
    const sw = await hub.request('POST', '/v1/models', {
      token: acme.key,
      body: exampleModel('acme.switch.s2', acme.slug),
    });
    expect(sw.status).toBe(400);
    expect(sw.body.errors).toEqual([
      { path: '/category', message: expect.stringMatching(/^REGISTRY: "switch" is not one of your/) },
    ]);
    const bulb = { ...exampleModel('acme.light.bulb1', acme.slug), model: `${acme.slug}.light.dup` };
    expect((await hub.request('POST', '/v1/models', { token: acme.key, body: bulb })).status).toBe(201);
    const again = await hub.request('POST', '/v1/models', { token: acme.key, body: bulb });
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('ALREADY_EXISTS');
  });

  it('answers malformed JSON with 400 INVALID_JSON and an oversize document with 413', async () => {
    const bad = await hub.request('POST', '/v1/models', { token: acme.key, body: '{"model": ' });
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('INVALID_JSON');

    const doc = exampleModel('acme.light.bulb1', acme.slug);
    const padded = JSON.stringify({ ...doc, pad: 'x'.repeat(MAX_MODEL_DOCUMENT_BYTES) });
    const big = await hub.request('POST', '/v1/models', { token: acme.key, body: padded });
    expect(big.status).toBe(413);
    expect(big.body['code']).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lists models by partner and state, and rejects a new version that breaks the version number', async () => {
    const id = await publishModel(hub, acme, {
      ...exampleModel('acme.light.bulb1', acme.slug),
      model: `${acme.slug}.light.listed`,
    });
    const mine = await hub.request('GET', '/v1/models?state=published', { token: acme.key });
    expect(mine.status).toBe(200);
    expect((mine.body['items'] as Array<{ id: string }>).map((m) => m.id)).toContain(id);
    const all = await hub.request('GET', `/v1/models?partnerId=${acme.partnerId}&state=retired`, {
      token: ADMIN_TOKEN,
    });
    expect((all.body['items'] as Array<{ id: string }>).map((m) => m.id)).not.toContain(id);

    const next = { ...exampleModel('acme.light.bulb1', acme.slug), model: id, specVersion: 7 };
    const res = await hub.request('POST', `/v1/models/${id}/versions`, { token: acme.key, body: next });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({
      path: '/specVersion',
      message: expect.stringMatching(/must be 2/),
    });
  });
});
