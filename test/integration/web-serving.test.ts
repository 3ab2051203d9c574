import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, partnerWithModel, provision } from '../support/devices.js';
import { newUser, startHub, type TestHub, tempDir } from '../support/hub.js';

/** A small stand-in for web/dist: the hub serves whatever build it is pointed at. */
function fakeBuild(): string {
  const root = tempDir('ecohub-web-');
  mkdirSync(join(root, 'assets'));
  mkdirSync(join(root, 'icons'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ecohub app</title><div id="app"></div>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  writeFileSync(join(root, 'icons', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, '.secret'), 'dotfiles are never served');
  return root;
}

describe('the web app served at /', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ webRoot: fakeBuild() });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('serves index.html at / with security headers and no caching', async () => {
    const res = await fetch(`${hub.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('ecohub app');
  });

  it('answers every page path with the app, so deep links work', async () => {
    for (const path of [
      '/login',
      '/devices/0a1b2c3d4e5f6071',
      '/homes/x/y?tab=rooms',
      '/partner/models/acme.light.bulb1',
    ]) {
      const res = await fetch(`${hub.httpUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('ecohub app');
    }
  });

  it('serves hashed assets as immutable and other files without caching', async () => {
    const asset = await fetch(`${hub.httpUrl}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const sw = await fetch(`${hub.httpUrl}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
  });

  it('never shadows the API, docs, MQTT or operations paths', async () => {
    const unknownApi = await hub.request('GET', '/v1/no-such-route');
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknownApi.body['code']).toBe('ROUTE_NOT_FOUND');
    expect((await hub.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await hub.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
    expect((await hub.request('GET', '/openapi.json')).body['openapi']).toBe('3.0.3');
    const metrics = await fetch(`${hub.httpUrl}/metrics`);
    expect(await metrics.text()).toContain('ecohub_mqtt_connections');
    const docs = await fetch(`${hub.httpUrl}/docs`, { redirect: 'manual' });
    expect(docs.status).toBeLessThan(400);
    expect(await docs.text()).not.toContain('ecohub app');
    // A plain GET of the WebSocket path (no upgrade) is not the app either.
    const mqtt = await hub.request('GET', '/mqtt');
    expect(mqtt.status).toBe(404);
    expect(mqtt.body['code']).toBe('ROUTE_NOT_FOUND');
    // Other methods on page paths are no routes.
    expect((await hub.request('POST', '/devices/x')).status).toBe(404);
  });

  it('answers 404 for missing files, dotfiles and paths that try to leave the build', async () => {
    for (const path of [
      '/assets/missing-123.js',
      '/favicon.ico',
      '/.secret',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
    ]) {
      const res = await hub.request('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('dotfiles are never served');
      expect(res.text, path).not.toContain('"name": "ecohub"');
    }
  });
});

describe('a hub without a built web app', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ webRoot: join(tempDir('ecohub-noweb-'), 'missing') });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('says at / how to build it, and the API keeps working', async () => {
    const res = await fetch(`${hub.httpUrl}/`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toContain('The web app is not built');
    expect(text).toContain('npm run build');
    expect((await hub.request('GET', '/healthz')).status).toBe(200);
    expect((await hub.request('GET', '/devices/abc')).status).toBe(503);
    expect((await hub.request('GET', '/assets/index.js')).status).toBe(404);
  });
});

describe('GET /v1/me/devices/{did}/model', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ webRoot: null });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("gives a user the document of its device's model version, and nobody else", async () => {
    const { partner, modelId, spec } = await partnerWithModel(hub, 'acme.light.bulb1');
    const [device] = await provision(hub, partner, modelId, 1);
    if (!device) throw new Error('no device');
    const owner = await newUser(hub);
    const stranger = await newUser(hub);
    await claim(hub, owner.token, device);

    const res = await hub.request('GET', `/v1/me/devices/${device.id}/model`, { token: owner.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ modelId, version: 1, document: spec });

    const other = await hub.request('GET', `/v1/me/devices/${device.id}/model`, { token: stranger.token });
    expect(other.status).toBe(404);
    expect(other.body['code']).toBe('NOT_FOUND');
    const partnerCall = await hub.request('GET', `/v1/me/devices/${device.id}/model`, { token: partner.key });
    expect(partnerCall.status).toBe(403);
    expect((await hub.request('GET', `/v1/me/devices/${device.id}/model`)).status).toBe(401);
  });
});
