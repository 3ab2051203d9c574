import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../support/devices.js';
import { newUser, startHub, type TestHub, tempDir } from '../support/hub.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import {
  type Catalog,
  eventually,
  provisionOne,
  publishExamples,
  type SimHandle,
  startSim,
} from './support/fleet.js';
import { commandResult, waitChecked } from './support/page.js';

describe('the live link survives a hub restart', () => {
  const dataDir = tempDir('ecohub-e2e-restart-');
  let hub: TestHub;
  let catalog: Catalog;
  let browser: TestBrowser;
  let light: SimHandle;

  beforeAll(async () => {
    hub = await startHub({ dataDir });
    catalog = await publishExamples(hub);
    const user = await newUser(hub);
    const credentials = await provisionOne(hub, catalog, 'acme.light.bulb1');
    await claim(hub, user.token, credentials);
    light = await startSim(hub, catalog, 'acme.light.bulb1', credentials);
    browser = await openBrowser(hub.httpUrl);
    const { page } = browser;
    await page.goto('/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
  });

  afterAll(async () => {
    await light?.device.stop();
    await browser?.close();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the link down with its retry countdown, reconnects with backoff, and commands work again', async () => {
    const { page } = browser;
    await page.goto(`/devices/${light.device.id}`);
    await page.locator('.link-status[data-link="online"]').waitFor();
    const { httpPort, mqttPort } = hub;

    await hub.stop();
    await page
      .locator('.link-status[data-link="waiting"]', { hasText: /Disconnected, retrying in \d+ s/ })
      .waitFor();
    // What the page knows about the device is now only the last known state, and it says so.
    await page.locator('.device-head .presence.stale', { hasText: 'Last known: online' }).waitFor();
    await screenshots(page, 'link-down');

    // The same hub comes back on the same ports with the same data.
    hub = await startHub({ dataDir, httpPort, mqttPort });
    await page.locator('.link-status[data-link="online"]').waitFor({ timeout: 60_000 });
    await page.locator('.device-head [data-presence="online"]').waitFor({ timeout: 30_000 });

    const power = page.locator('.device-card [data-prop="light.on"] input');
    await waitChecked(power, false);
    await power.click();
    expect(await commandResult(page, 'Power → On', 'ok')).toBe('Done');
    await eventually(() => light.device.values.get('light.on') === true, 'the device got the command');
    // Console errors from requests made while the hub was down are expected here; page errors are not.
    expect(browser.problems.filter((p) => p.startsWith('page error'))).toEqual([]);
  });
});
