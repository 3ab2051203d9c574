import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedDevice } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import {
  type Catalog,
  eventually,
  provisionOne,
  publishExamples,
  type SimHandle,
  startSim,
} from './support/fleet.js';
import { commandResult, unlabelledControls, waitChecked, waitForText } from './support/page.js';

const PASSWORD = 'correct horse battery';

/** Signs a new user up through the register page; lands on the (empty) device list. */
async function register(page: Page, email: string): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
}

/** Claims through the Add device page and waits for the device's page. */
async function claimInApp(page: Page, device: ProvisionedDevice): Promise<void> {
  await page.getByRole('link', { name: 'Add device' }).first().click();
  await page.getByLabel('Device id').fill(device.id);
  await page.getByLabel('Pairing code').fill(device.pairingCode);
  await page.getByRole('button', { name: 'Add device' }).click();
  await page.waitForURL((url) => url.pathname === `/devices/${device.id}`);
  await page.locator('.device-card').waitFor();
}

function sets(sim: SimHandle, key: string) {
  return sim.commands.filter(
    (c) => c.op === 'set' && typeof c.props === 'object' && c.props !== null && key in c.props,
  );
}

describe('the remote control in a real browser', () => {
  let hub: TestHub;
  let catalog: Catalog;
  let alice: TestBrowser;
  let page: Page;
  const email = `alice-${Date.now()}@example.com`;
  let aliceToken = '';
  let light: SimHandle;
  let lightCreds: ProvisionedDevice;
  const sims: SimHandle[] = [];

  beforeAll(async () => {
    // A short command timeout so a device that never answers fails within the test.
    hub = await startHub({ commandTimeoutMs: 2000 });
    catalog = await publishExamples(hub);
    alice = await openBrowser(hub.httpUrl);
    page = alice.page;
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      // What the page knew when the test failed: where it was and the state of its live link.
      const status = await page
        .locator('.link-status')
        .textContent()
        .catch(() => null);
      console.error(`${context.task.name}: page ${page.url()}, link: ${status}`);
    }
    expect(alice.problems).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(sims.map((s) => s.device.stop()));
    await alice?.close();
    await hub?.stop();
  });

  it('a new user registers, signs in and claims a device with its pairing code', async () => {
    await page.goto('/');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshots(page, 'sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await screenshots(page, 'register');

    await register(page, email);
    await waitForText(page.locator('.empty'), 'No devices yet');
    await screenshots(page, 'devices-empty');

    lightCreds = await provisionOne(hub, catalog, 'acme.light.bulb1');
    light = await startSim(hub, catalog, 'acme.light.bulb1', lightCreds);
    sims.push(light);

    // A wrong code is refused with the hub's code, next to the field.
    await page.getByRole('link', { name: 'Add device' }).first().click();
    await page.getByLabel('Device id').fill(lightCreds.id);
    await page.getByLabel('Pairing code').fill('WRONG-CODE-1234');
    await page.getByRole('button', { name: 'Add device' }).click();
    await waitForText(page.getByRole('alert'), /^NOT_FOUND: /);
    await screenshots(page, 'add-device-error');

    await claimInApp(page, lightCreds);
    await page.getByRole('heading', { name: 'Acme Smart Bulb 1', level: 1 }).waitFor();
    await page.locator('.device-head [data-presence="online"]').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    const login = await hub.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    aliceToken = String(login.body['token']);
  });

  it('switches a light: pending, then one result, and the device applied it', async () => {
    const power = page.locator('.device-card [data-prop="light.on"] input');
    await waitChecked(power, false);
    const before = light.commands.length;
    await power.click();
    expect(await commandResult(page, 'Power → On', 'ok')).toBe('Done');
    expect(light.commands.slice(before)).toEqual([
      expect.objectContaining({ op: 'set', props: { 'light.on': true } }),
    ]);
    expect(light.device.values.get('light.on')).toBe(true);
    await waitChecked(power, true);
    // One command, one row: pending became its result in place.
    expect(await page.locator('.activity li', { hasText: 'Power → On' }).count()).toBe(1);
  });

  it('drags the brightness slider: exactly one command, on release, on the step grid', async () => {
    const slider = page.locator('.device-card [data-prop="light.brightness"] input[type="range"]');
    const box = await slider.boundingBox();
    if (box === null) throw new Error('the slider is not visible');
    const y = box.y + box.height / 2;
    const before = sets(light, 'light.brightness').length;
    await page.mouse.move(box.x + 4, y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + (box.width * i) / 20, y, { steps: 3 });
    // While the finger is down nothing is sent.
    expect(sets(light, 'light.brightness').length).toBe(before);
    await page.mouse.up();
    const row = page.locator('.activity li[data-status="ok"]', { hasText: 'Brightness →' }).first();
    await row.waitFor();
    const shown = Number(
      (await page.locator('[data-prop="light.brightness"] output').textContent())?.replace(/[^0-9]/g, ''),
    );
    await eventually(
      () => light.device.values.get('light.brightness') === shown,
      'device has the slider value',
    );
    expect(Number.isInteger(shown) && shown >= 1 && shown <= 100).toBe(true);

    // A later command is a marker: anything the slider sent would have arrived before it.
    await page.locator('.device-card [data-action="light.toggle"] button').click();
    expect(await commandResult(page, 'Toggle', 'ok')).toBe('Done');
    expect(sets(light, 'light.brightness').slice(before)).toEqual([
      expect.objectContaining({ op: 'set', props: { 'light.brightness': shown } }),
    ]);
    // The keyboard commits once per key press.
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await commandResult(page, `Brightness → ${shown + 1} %`, 'ok');
    expect(sets(light, 'light.brightness').slice(before).length).toBe(2);
    await screenshots(page, 'device-light');
  });

  it('runs an action without arguments and one with an argument form', async () => {
    const on = light.device.values.get('light.on');
    await page.locator('.device-card [data-action="light.toggle"] button').click();
    await eventually(() => light.device.values.get('light.on') === !on, 'toggle flipped the light');
    await waitChecked(page.locator('.device-card [data-prop="light.on"] input'), !on);

    const curtainCreds = await provisionOne(hub, catalog, 'acme.curtain.c1');
    const curtain = await startSim(hub, catalog, 'acme.curtain.c1', curtainCreds);
    sims.push(curtain);
    await claimInApp(page, curtainCreds);
    const form = page.locator('.device-card [data-action="curtain.move-to"]');
    await form.getByLabel('Target position').fill('40');
    await form.getByRole('button', { name: 'Run move to' }).click();
    const result = await commandResult(page, 'Move to (Target position 40 %)', 'ok');
    expect(result).toMatch(/^Done\. Current position: \d+ %$/);
    expect(curtain.commands.filter((c) => c.op === 'action')).toEqual([
      expect.objectContaining({ action: 'curtain.move-to', in: [{ piid: 3, value: 40 }] }),
    ]);
    expect(curtain.device.values.get('curtain.target-position')).toBe(40);
    // target-position is readable but never reported: the app read it from the device.
    await waitForText(page.locator('[data-prop="curtain.target-position"] output'), '40 %');
    await screenshots(page, 'device-curtain');
  });

  it("shows a simulated device's reports and events live, without reloading", async () => {
    await page.goto(`/devices/${lightCreds.id}`);
    await page.locator('.device-card').waitFor();
    await page.locator('.chart canvas').waitFor();
    // Live from here on: what follows must arrive over MQTT, not with the snapshot taken on connect.
    await page.locator('.link-status[data-link="online"]').waitFor();
    // Someone else (another session of the same user) sets the brightness: the device reports it.
    const res = await hub.request('POST', `/v1/devices/${lightCreds.id}/commands`, {
      token: aliceToken,
      body: { op: 'set', props: { 'light.brightness': 77 } },
    });
    expect(res.status, res.text).toBe(200);
    await waitForText(page.locator('[data-prop="light.brightness"] output'), '77 %');
    await light.device.sendEvent('light.fault-occurred');
    await page.locator('.timeline li[data-event="light.fault-occurred"]').waitFor();
    const points = Number(await page.locator('.chart').getAttribute('data-points'));
    expect(points).toBeGreaterThan(0);
  });

  it('an offline device says so; a set will apply when it is back online', async () => {
    const power = page.locator('.device-card [data-prop="light.on"] input');
    const target = !(light.device.values.get('light.on') === true);
    await light.device.stop();
    await page.locator('.device-head [data-presence="offline"]').waitFor();
    await page.locator('.offline-note').waitFor();

    // An action fails fast with its code; a set is kept as desired state.
    await page.locator('.device-card [data-action="light.toggle"] button').click();
    expect(await commandResult(page, 'Toggle', 'error')).toMatch(/^DEVICE_OFFLINE: /);
    const before = light.commands.length;
    await power.click();
    const label = `Power → ${target ? 'On' : 'Off'}`;
    expect(await commandResult(page, label, 'queued')).toBe('Will apply when the device is back online');
    await waitForText(
      page.locator('[data-prop="light.on"] .command-status'),
      'Will apply when the device is back online',
    );
    await waitChecked(power, target);
    // A second waiting value, withdrawn: the device never gets it.
    const slider = page.locator('.device-card [data-prop="light.brightness"] input[type="range"]');
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    const brightness = page.locator(
      '.device-card [data-prop="light.brightness"] .command-status[data-status="queued"]',
    );
    await brightness.waitFor();
    await screenshots(page, 'device-offline');
    await brightness.getByRole('button', { name: 'Cancel' }).click();
    await brightness.waitFor({ state: 'detached' });
    const desired = await hub.request('GET', `/v1/me/devices/${lightCreds.id}/desired`, {
      token: aliceToken,
    });
    expect(Object.keys(desired.body['desired'] as object)).toEqual(['light.on']);
    expect(light.commands.length).toBe(before);

    // The device comes back: it gets the desired value as a set, applies and reports it.
    light = await startSim(hub, catalog, 'acme.light.bulb1', lightCreds);
    sims.push(light);
    await eventually(
      () => light.device.values.get('light.on') === target,
      'the desired value reached the device',
    );
    expect(sets(light, 'light.on')).toEqual([expect.objectContaining({ props: { 'light.on': target } })]);
    expect(sets(light, 'light.brightness')).toEqual([]);
    await page.locator('.device-head [data-presence="online"]').waitFor();
    await page.locator('.offline-note').waitFor({ state: 'detached' });
    await waitChecked(power, target);
  });

  it('a command that fails shows its code and message; an invalid value is never sent', async () => {
    const plugCreds = await provisionOne(hub, catalog, 'acme.plug.p1');
    const plug = await startSim(hub, catalog, 'acme.plug.p1', plugCreds, { faults: { noReplies: true } });
    sims.push(plug);
    await claimInApp(page, plugCreds);
    await page.locator('.device-card [data-prop="switch.on"] input').click();
    const result = await commandResult(page, 'Power → On', 'error');
    expect(result).toMatch(/^DEVICE_TIMEOUT: /);
    await waitForText(
      page.locator('[data-prop="switch.on"] .command-status[data-status="error"]'),
      'DEVICE_TIMEOUT',
    );
    await screenshots(page, 'device-command-failed');

    await page.goto(`/devices/${lightCreds.id}`);
    const field = page.locator('.device-card [data-prop="light.color-temperature"]');
    const before = light.commands.length;
    await field.locator('input').fill('2700.5');
    await field.getByRole('button', { name: 'Set' }).click();
    await waitForText(field.locator('.command-status[data-status="invalid"]'), /color-temperature/);
    expect(light.commands.length).toBe(before);
    await field.locator('input').fill('4000');
    await field.getByRole('button', { name: 'Set' }).click();
    await commandResult(page, 'Color temperature → 4,000 K', 'ok');
    expect(light.device.values.get('light.color-temperature')).toBe(4000);
  });

  it('homes and rooms group the devices; the device list follows placement', async () => {
    await page.getByRole('link', { name: 'Homes' }).click();
    await page.getByRole('heading', { name: 'Homes', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('Flat');
    await page.getByRole('button', { name: 'Create home' }).click();
    await page.getByRole('heading', { name: 'Flat', level: 1 }).waitFor();
    await page.getByLabel('New room').fill('Kitchen');
    await page.getByRole('button', { name: 'Add room' }).click();
    await page.locator('.plain-list li', { hasText: 'Kitchen' }).waitFor();
    await screenshots(page, 'home');
    await page.getByRole('link', { name: 'Homes' }).first().click();
    await page.locator('.plain-list a', { hasText: 'Flat' }).waitFor();
    await screenshots(page, 'homes');

    await page.goto(`/devices/${lightCreds.id}`);
    await page.getByLabel('Home', { exact: true }).selectOption({ label: 'Flat' });
    await page.getByLabel('Room', { exact: true }).selectOption({ label: 'Kitchen' });
    await page.getByRole('button', { name: 'Save place' }).click();
    await waitForText(page.locator('.device-head .sub'), 'Flat · Kitchen');
    await page.getByRole('link', { name: 'Devices' }).first().click();
    const group = page.locator('section.group', { has: page.getByRole('heading', { name: 'Flat' }) });
    await group.locator(`[data-device="${lightCreds.id}"]`).waitFor();
    await waitForText(group.locator('h3'), 'Kitchen');
    await screenshots(page, 'devices');
  });

  it('a user never sees another user’s devices; sharing shows one, revoking hides it again', async () => {
    const bob = await openBrowser(hub.httpUrl);
    try {
      const bobEmail = `bob-${Date.now()}@example.com`;
      await register(bob.page, bobEmail);
      await waitForText(bob.page.locator('.empty'), 'No devices yet');
      await bob.page.goto(`/devices/${lightCreds.id}`);
      await bob.page.getByRole('heading', { name: 'Device not found' }).waitFor();
      await screenshots(bob.page, 'device-not-found');
      await bob.page.goto('/no/such/page');
      await bob.page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await screenshots(bob.page, 'page-not-found');

      // Alice shares the light with Bob.
      await page.goto(`/devices/${lightCreds.id}`);
      await page.getByLabel('Share with (email)').fill(bobEmail);
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      await page.getByRole('button', { name: `Stop sharing with ${bobEmail}` }).waitFor();

      await bob.page.goto('/');
      const tile = bob.page.locator(`[data-device="${lightCreds.id}"]`);
      await tile.waitFor();
      expect(await bob.page.locator('.tile').count()).toBe(1);
      // Bob may use it: a tap on the tile's switch reaches the device.
      const target = !(light.device.values.get('light.on') === true);
      await tile.locator('input[role="switch"]').click();
      await eventually(() => light.device.values.get('light.on') === target, "Bob's tap reached the device");
      await bob.page.goto(`/devices/${lightCreds.id}`);
      await waitForText(bob.page.locator('.device-head .sub'), 'shared with you');
      await screenshots(bob.page, 'device-shared');

      // Alice revokes: Bob's list is empty again, and the device page is gone for him.
      await page.getByRole('button', { name: `Stop sharing with ${bobEmail}` }).click();
      await waitForText(page.locator('.settings'), 'Only you can use this device.');
      await bob.page.goto('/');
      await waitForText(bob.page.locator('.empty'), 'No devices yet');
      expect(await bob.page.locator(`[data-device="${lightCreds.id}"]`).count()).toBe(0);
      expect(bob.problems).toEqual([]);
    } finally {
      await bob.close();
    }
  });

  it('signs out: the token is revoked and pages need signing in again', async () => {
    const stored = await page.evaluate(() => window.localStorage.getItem('ecohub.session'));
    const token = String((JSON.parse(stored ?? '{}') as { token?: string }).token);
    expect((await hub.request('GET', '/v1/me', { token })).status).toBe(200);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await screenshots(page, 'account');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await waitForText(page.getByRole('status'), 'You are signed out.');
    expect(await page.evaluate(() => window.localStorage.getItem('ecohub.session'))).toBeNull();
    await page.goto(`/devices/${lightCreds.id}`);
    await page.waitForURL((url) => url.pathname === '/login');
    expect((await hub.request('GET', '/v1/me', { token })).status).toBe(401);
  });

  it('deletes an account, confirmed with its password: its devices come back with new pairing codes', async () => {
    const carol = `carol-${Date.now()}@example.com`;
    await register(page, carol);
    const plugCreds = await provisionOne(hub, catalog, 'acme.plug.p1');
    await claimInApp(page, plugCreds);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Password, to confirm').fill('not my password');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await waitForText(page.getByRole('alert'), /^FORBIDDEN: the password does not match/);
    await page.getByLabel('Password, to confirm').fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    const notice = page.getByRole('status').filter({ hasText: 'Your account is deleted.' });
    await notice.waitFor();
    const code = new RegExp(`${plugCreds.id}: (\\S+?)\\.?$`).exec((await notice.textContent()) ?? '')?.[1];
    expect(code).toBeTruthy();
    expect(code).not.toBe(plugCreds.pairingCode);
    const login = await hub.request('POST', '/v1/auth/login', { body: { email: carol, password: PASSWORD } });
    expect(login.status).toBe(401);
  });
});
