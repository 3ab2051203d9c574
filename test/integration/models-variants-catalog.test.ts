import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModelSpec } from '../../src/registry/models/service.js';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { clone, exampleModel, publishModel, publishVersion, step, versionPath } from '../support/models.js';
import { type OnboardedPartner, onboardPartner } from '../support/partners.js';

interface Entry {
  model: string;
  version: number;
  category: string;
  name: Record<string, string>;
  icon: string;
  shortName: string;
  partner: string;
  parent: string | null;
}

describe('"S" variants and the public catalog', () => {
  let hub: TestHub;
  let acme: OnboardedPartner;

  beforeAll(async () => {
    hub = await startHub();
    acme = await onboardPartner(hub);
  });
  afterAll(async () => {
    await hub.stop();
  });

  const catalog = async (query = '') => {
    const res = await hub.request('GET', `/v1/catalog/models${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body['items'] as Entry[];
  };

  it('derives a variant from the published parent; the variant has its own lifecycle', async () => {
    const parentId = await publishModel(hub, acme, exampleModel('acme.light.bulb1', acme.slug));

    const res = await hub.request('POST', `/v1/models/${parentId}/variants`, {
      token: acme.key,
      body: { code: 'bulb1s', name: { en: 'Acme Smart Bulb 1S', 'zh-CN': 'Acme 智能灯泡 1S' } },
    });
    expect(res.status, res.text).toBe(201);
    const variantId = `${acme.slug}.light.bulb1s`;
    expect(res.body).toMatchObject({ modelId: variantId, version: 1, state: 'draft' });
    const doc = res.body['document'] as ModelSpec;
    expect(doc).toMatchObject({ model: variantId, parent: parentId, specVersion: 1 });
    expect(doc.name).toEqual({ en: 'Acme Smart Bulb 1S', 'zh-CN': 'Acme 智能灯泡 1S' });

    const model = await hub.request('GET', `/v1/models/${variantId}`, { token: acme.key });
    expect(model.body).toMatchObject({ id: variantId, parent: parentId, category: 'light' });

    // The variant keeps its parent: dropping "parent", or a parent property, is refused.
    const orphan = clone(doc) as ModelSpec & { parent?: string };
    delete orphan.parent;
    const put = await hub.request('PUT', versionPath(variantId, 1), { token: acme.key, body: orphan });
    expect(put.status).toBe(400);
    expect(put.body.errors).toContainEqual({ path: '/parent', message: expect.stringMatching(/must stay/) });

    const slimmer = clone(doc);
    slimmer.services[1]!.actions = [];
    expect(
      (await hub.request('PUT', versionPath(variantId, 1), { token: acme.key, body: slimmer })).status,
    ).toBe(200);
    const refused = await hub.request('POST', versionPath(variantId, 1, 'submit'), { token: acme.key });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { path: '/services/1/actions/0', message: expect.stringMatching(/^VARIANT: removed: .*toggle/) },
    ]);

    // The example variant document (adds color and mode) goes through the whole lifecycle.
    const example = exampleModel('acme.light.bulb1s', acme.slug);
    expect(
      (await hub.request('PUT', versionPath(variantId, 1), { token: acme.key, body: example })).status,
    ).toBe(200);
    await publishVersion(hub, acme, variantId, 1);

    const entries = await catalog('?category=light');
    expect(entries.find((e) => e.model === variantId)).toEqual({
      model: variantId,
      version: 1,
      category: 'light',
      name: example.name,
      icon: example.assets.icon,
      shortName: example.assets.shortName,
      partner: acme.slug,
      parent: parentId,
    });
  });

  it('refuses a variant of a model with no published version, and a taken code', async () => {
    const doc = { ...exampleModel('acme.light.bulb1', acme.slug), model: `${acme.slug}.light.draft-only` };
    expect((await hub.request('POST', '/v1/models', { token: acme.key, body: doc })).status).toBe(201);
    const res = await hub.request('POST', `/v1/models/${doc.model}/variants`, {
      token: acme.key,
      body: { code: 'draft-only-s' },
    });
    expect(res.status).toBe(409);
    expect(res.body['code']).toBe('INVALID_STATE');
    expect(res.body['detail']).toMatch(/no published version/);

    const parentId = await publishModel(hub, acme, {
      ...exampleModel('acme.light.bulb1', acme.slug),
      model: `${acme.slug}.light.base`,
    });
    const taken = await hub.request('POST', `/v1/models/${parentId}/variants`, {
      token: acme.key,
      body: { code: 'draft-only' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body['code']).toBe('ALREADY_EXISTS');
    const badCode = await hub.request('POST', `/v1/models/${parentId}/variants`, {
      token: acme.key,
      body: { code: 'Bad Code' },
    });
    expect(badCode.status).toBe(400);
  });

  it('shows only published versions, publicly, latest first, and drops retired ones', async () => {
    const plug = exampleModel('acme.plug.p1', acme.slug);
    const id = plug.model;
    expect((await hub.request('POST', '/v1/models', { token: acme.key, body: plug })).status).toBe(201);
    await step(hub, acme.key, id, 1, 'submit', 'submitted');
    await step(hub, ADMIN_TOKEN, id, 1, 'certify', 'certified');
    expect((await catalog()).map((e) => e.model)).not.toContain(id);
    expect((await hub.request('GET', `/v1/catalog/models/${id}`)).status).toBe(404);

    await step(hub, acme.key, id, 1, 'publish', 'published');
    expect((await catalog('?category=plug')).map((e) => e.model)).toEqual([id]);
    expect((await catalog('?category=curtain')).map((e) => e.model)).toEqual([]);
    const published = await hub.request('GET', `/v1/catalog/models/${id}`);
    expect(published.status).toBe(200);
    expect(published.body).toEqual(plug);

    // Version 2 (a renamed copy) is published: the catalog moves to it; version 1 stays provisionable.
    const v2 = { ...clone(plug), specVersion: 2, name: { en: 'Acme Plug 1 (2025)' } };
    expect(
      (await hub.request('POST', `/v1/models/${id}/versions`, { token: acme.key, body: v2 })).status,
    ).toBe(201);
    await publishVersion(hub, acme, id, 2);
    expect((await catalog('?category=plug')).map((e) => [e.model, e.version])).toEqual([[id, 2]]);
    expect((await hub.request('GET', `/v1/catalog/models/${id}`)).body['specVersion']).toBe(2);

    await step(hub, acme.key, id, 2, 'retire', 'retired');
    expect((await catalog('?category=plug')).map((e) => [e.model, e.version])).toEqual([[id, 1]]);
    await step(hub, ADMIN_TOKEN, id, 1, 'retire', 'retired');
    expect((await catalog('?category=plug')).map((e) => e.model)).toEqual([]);
    expect((await hub.request('GET', `/v1/catalog/models/${id}`)).status).toBe(404);

    // A retired model may still get a new version, which publishes back into the catalog.
    const v3 = await hub.request('POST', `/v1/models/${id}/versions`, { token: acme.key });
    expect(v3.status, v3.text).toBe(201);
    await publishVersion(hub, acme, id, 3);
    expect((await catalog('?category=plug')).map((e) => [e.model, e.version])).toEqual([[id, 3]]);
  });

  it('exports a model version for other modules', async () => {
    const id = `${acme.slug}.light.bulb1`;
    expect(await findModelSpec(hub.store, id, 1)).toMatchObject({
      partnerId: acme.partnerId,
      state: 'published',
      spec: { model: id, specVersion: 1 },
    });
    expect(await findModelSpec(hub.store, id, 99)).toBeUndefined();
  });
});
