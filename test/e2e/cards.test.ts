import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../../src/registry/spec/index.js';
import { claim } from '../support/devices.js';
import { newUser, startHub, type TestHub } from '../support/hub.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import {
  type Catalog,
  exampleFiles,
  provisionOne,
  publishExamples,
  type SimHandle,
  startSim,
} from './support/fleet.js';
import { reachableByKeyboard, unlabelledControls } from './support/page.js';

/**
 * What one property's row offers, read from the page: the control the user can operate, or the
 * value it shows.
 */
async function describeRow(page: Page, key: string) {
  const row = page.locator(`.device-card [data-prop="${key}"]`);
  return row.evaluate((el) => {
    const controls = Array.from(
      el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button'),
    );
    const range = el.querySelector<HTMLInputElement>('input[type="range"]');
    const select = el.querySelector('select');
    return {
      kind: el.getAttribute('data-kind'),
      visible: (el as HTMLElement).offsetParent !== null,
      enabled: controls.filter((c) => !c.disabled).length,
      value: el.querySelector('[data-value]')?.textContent ?? null,
      range: range ? { min: Number(range.min), max: Number(range.max), step: range.step } : null,
      options: select ? select.querySelectorAll('option:not([disabled])').length : null,
    };
  });
}

describe('a card for every example model', () => {
  let hub: TestHub;
  let catalog: Catalog;
  let browser: TestBrowser;
  const sims: SimHandle[] = [];

  beforeAll(async () => {
    hub = await startHub();
    catalog = await publishExamples(hub);
    const user = await newUser(hub);
    for (const file of exampleFiles()) {
      const credentials = await provisionOne(hub, catalog, file);
      await claim(hub, user.token, credentials);
      sims.push(await startSim(hub, catalog, file, credentials));
    }
    browser = await openBrowser(hub.httpUrl);
    await browser.page.goto('/login');
    await browser.page.getByLabel('Email').fill(user.email);
    await browser.page.getByLabel('Password').fill(user.password);
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await browser.page.waitForURL((url) => url.pathname === '/');
  });

  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(sims.map((s) => s.device.stop()));
    await browser?.close();
    await hub?.stop();
  });

  it('lists every device with its presence', async () => {
    const { page } = browser;
    for (const sim of sims)
      await page.locator(`[data-device="${sim.device.id}"] [data-presence="online"]`).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshots(page, 'devices-all-models');
  });

  it('is installable: a manifest with icons, and a service worker that never caches hub answers', async () => {
    const { page } = browser;
    const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
    expect(manifest).toMatchObject({ name: 'ecohub', start_url: '/', display: 'standalone' });
    for (const icon of manifest.icons as Array<{ src: string; type: string }>) {
      const res = await page.evaluate(async (src) => {
        const r = await fetch(src);
        return { status: r.status, type: r.headers.get('content-type') };
      }, icon.src);
      expect(res, icon.src).toEqual({ status: 200, type: expect.stringContaining(icon.type) });
    }
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    // Browse with the worker in control: pages, the device list, live state.
    await page.reload();
    await page.locator(`[data-device="${sims[0]?.device.id}"] [data-presence="online"]`).waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys())
          urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/');
    expect(
      cached.filter((path) => /^\/(v1|mqtt|docs|openapi\.json|healthz|readyz|metrics)(\/|$)/.test(path)),
    ).toEqual([]);
  });

  it.each(exampleFiles())('%s: every property has a usable control or a shown value', async (file) => {
    const { page } = browser;
    const sim = sims.find((s) => s.device.spec.spec.model === catalog.models.get(file)?.model);
    if (sim === undefined) throw new Error(`no device of ${file}`);
    const spec = compileSpec(sim.device.spec.spec);
    await page.goto(`/devices/${sim.device.id}`);
    await page.locator('.device-card').waitFor();
    await page.locator('.device-head [data-presence="online"]').waitFor();
    await page.locator('.device-card details.info summary').click();

    for (const prop of spec.properties) {
      // Parameter-only properties are fields of the actions that take them (checked below).
      if (prop.parameterOnly) continue;
      const row = await describeRow(page, prop.key);
      expect(row.visible, prop.key).toBe(true);
      if (prop.writable) {
        expect(row.kind, prop.key).not.toBe('value');
        expect(row.enabled, `${prop.key} has an enabled control`).toBeGreaterThan(0);
        if (row.range) {
          expect(row.range.max, prop.key).toBeGreaterThan(row.range.min);
          expect(row.range.step, prop.key).toBe(String(prop.range?.step ?? 1));
        }
        if (prop.enumEntries && row.options !== null)
          expect(row.options, prop.key).toBe(prop.enumEntries.length);
      } else {
        expect(row.kind, prop.key).toBe('value');
        // Every reported property shows its value (the simulator reports them all on connect).
        if (prop.notifiable || prop.service === 'device-information')
          expect(row.value, prop.key).not.toBe('—');
      }
    }
    for (const action of spec.actions) {
      const form = page.locator(`.device-card [data-action="${action.key}"]`);
      expect(await form.locator('button[type="submit"]').isEnabled(), action.key).toBe(true);
      expect(await form.locator('fieldset input, fieldset select').count(), action.key).toBe(
        action.in.length,
      );
    }
    expect(await unlabelledControls(page)).toEqual([]);

    // Every control of the card is reachable with the keyboard alone.
    const reached = await reachableByKeyboard(page, 40 + 4 * (spec.properties.length + spec.actions.length));
    const operable = [
      ...spec.properties.filter((p) => p.writable && !p.parameterOnly).map((p) => p.key),
      ...spec.actions.map((a) => a.key),
    ];
    expect(operable.filter((key) => !reached.has(key))).toEqual([]);
    await screenshots(page, `card-${file}`);
  });
});
