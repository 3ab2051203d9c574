import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claim, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { type OtaDevice, shipPackage, startOtaDevices, stopOtaDevices } from '../support/firmware.js';
import { startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

const PASSWORD = 'correct horse battery';

/**
 * Firmware in the web app: the partner ships a release and rolls it out in stages from the partnerPage
 * while simulated devices update (and one that fails halts its rollout); the owner watches its
 * device's update live on the device page and opts into beta.
 */
describe('firmware updates in the web app', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let partner: OnboardedPartner;
  let modelId = '';
  let devices: ProvisionedDevice[] = [];
  let fleet: OtaDevice[] = [];
  let partnerPage: Page;

  beforeAll(async () => {
    hub = await startHub({ firmware: { tickMs: 50 } });
    const made = await partnerWithModel(hub);
    partner = made.partner;
    modelId = made.modelId;
    devices = await provision(hub, partner, modelId, 4);
    // 0: the owner's, on a slow link (its download takes seconds); 1, 2: healthy; 3: its install fails.
    fleet = await startOtaDevices(hub, made.spec, devices, (i) =>
      i === 0 ? { slowLinkBytesPerSec: 24 * 1024 } : i === 3 ? { installFails: true } : {},
    );
    browser = await openBrowser(hub.httpUrl);
    partnerPage = browser.page;
  }, 120_000);

  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await stopOtaDevices(fleet, hub);
    await hub?.stop();
  });

  it('the partner ships a signed release and watches a staged rollout advance stage by stage', async () => {
    await partnerPage.goto('/partner/firmware');
    await partnerPage.getByLabel('API key').fill(partner.key);
    await partnerPage.getByRole('button', { name: 'Sign in' }).click();
    await partnerPage.getByRole('heading', { name: 'Firmware', level: 1 }).waitFor();
    await partnerPage.getByText(`No releases of ${modelId} yet.`).waitFor();

    // A wrong version is refused with the field named.
    const release = partnerPage.getByRole('form', { name: 'New firmware package' });
    await release.getByLabel('Version', { exact: true }).fill('one');
    await release.getByRole('button', { name: 'Register (upload later)' }).click();
    await waitForText(release.locator('.error-note'), 'VALIDATION_FAILED');

    await release.getByLabel('Version', { exact: true }).fill('1.1.0');
    await release.getByLabel('Release notes').fill('Faster pairing.\nFixes the night-light flicker.');
    await release.getByLabel('Binary').setInputFiles({
      name: 'fw-1.1.0.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(64 * 1024, 7),
    });
    await release.getByRole('button', { name: 'Register and upload' }).click();
    const row = partnerPage.locator('tr[data-package="1.1.0"]');
    await waitForText(row.locator('[data-signature]'), /signed by the hub/);
    await waitForText(row, 'ready');
    await waitForText(row, '64.0 KiB');
    await waitForText(row, 'Fixes the night-light flicker.');
    expect(await unlabelledControls(partnerPage)).toEqual([]);
    await screenshots(partnerPage, 'partner-firmware');

    // Two listed devices: a canary of one, then the rest on the partner's word (manual promotion).
    const form = partnerPage.getByRole('form', { name: 'New rollout' });
    await form.getByLabel('Target').selectOption('devices');
    await form.getByLabel('Device ids').fill(`${devices[1]!.id}\n${devices[2]!.id}`);
    await form.getByLabel('Canary devices').fill('1');
    await form.getByLabel('Stages (cumulative %)').fill('100');
    await form.getByLabel('Promotion').selectOption('manual');
    await form.getByLabel('Soak between stages (minutes)').fill('0');
    await form.getByLabel('Offers per minute').fill('1000');
    await form.getByRole('button', { name: 'Start rollout' }).click();
    await partnerPage.waitForURL(/\/partner\/firmware\/rollouts\/ro_/);
    const canary = partnerPage.locator('li[data-stage="0"]');
    const rest = partnerPage.locator('li[data-stage="1"]');
    await waitForText(canary.locator('[data-stage-figures]'), '1 of 1 targeted · 1 updated');
    await waitForText(rest.locator('[data-stage-figures]'), '0 of 1 targeted · 0 updated');
    await waitForText(partnerPage.locator('[data-rollout-totals]'), '1 of 2 devices updated');
    await partnerPage.getByRole('button', { name: 'Pause' }).click();
    await waitForText(partnerPage.locator('[data-rollout-state]'), 'paused');
    await waitForText(partnerPage.locator('[data-halt-reason]'), /paused by partner/);
    await partnerPage.getByRole('button', { name: 'Resume' }).click();
    await waitForText(partnerPage.locator('[data-rollout-state]'), 'running');
    await partnerPage.getByRole('button', { name: 'Start the next stage now' }).click();
    await waitForText(rest.locator('[data-stage-figures]'), '1 of 1 targeted · 1 updated');
    await waitForText(partnerPage.locator('[data-rollout-state]'), 'completed');
    await waitForText(partnerPage.locator('[data-rollout-totals]'), '2 of 2 devices updated · 0 failed');
    expect(await rest.locator('.stage-bar').getAttribute('aria-label')).toContain('1 of 1 updated');
    await screenshots(partnerPage, 'partner-rollout');
  });

  it('a rollout whose devices fail to install halts itself and says why', async () => {
    await partnerPage.goto('/partner/firmware');
    const form = partnerPage.getByRole('form', { name: 'New rollout' });
    await form.getByLabel('Target').selectOption('devices');
    await form.getByLabel('Device ids').fill(devices[3]!.id);
    await form.getByLabel('Canary devices').fill('1');
    await form.getByLabel('Stages (cumulative %)').fill('100');
    await form.getByLabel('Soak between stages (minutes)').fill('0');
    await form.getByLabel('Offers per minute').fill('1000');
    await form.getByLabel('Retries per device').fill('0');
    await form.getByLabel('Failures exceed (%)').fill('0');
    await form.getByLabel('…once this many finished').fill('1');
    await form.getByRole('button', { name: 'Start rollout' }).click();
    await partnerPage.waitForURL(/\/partner\/firmware\/rollouts\/ro_/);
    await waitForText(partnerPage.locator('[data-rollout-state]'), 'halted');
    await waitForText(partnerPage.locator('.halt-note'), /Halted itself: failures: 1 of 1 finished/);
    await waitForText(partnerPage.locator('li[data-stage="0"] [data-stage-figures]'), '1 failed');
    await partnerPage.getByRole('button', { name: 'Resume' }).waitFor();
    await screenshots(partnerPage, 'partner-rollout-halted');
  });

  it('the owner opts into beta and watches its device update live on the device page', async () => {
    const owner = await browser.context.newPage();
    owner.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
    const email = `fw-owner-${Date.now()}@example.com`;
    await owner.goto('/register');
    await owner.getByLabel('Email').fill(email);
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.waitForURL((url) => url.pathname === '/');
    const login = await hub.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    await claim(hub, String(login.body['token']), devices[0]!);

    await owner.goto(`/devices/${devices[0]!.id}`);
    const panel = owner.locator('[data-firmware]');
    await waitForText(panel.locator('[data-firmware-version]'), '1.0.0');
    await panel.getByText('The firmware is up to date.').waitFor();
    // 1.1.0 is not released to a channel yet: owners are not offered it.
    const toggle = panel.getByRole('switch', { name: 'Beta channel' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await waitForText(panel.locator('[role="status"]'), 'Opted in.');
    expect(await toggle.isChecked()).toBe(true);
    expect(await unlabelledControls(owner)).toEqual([]);

    // The partner releases 1.1.0 to beta: the opted-in device is offered it at once.
    const pkg = await hub.request('GET', `/v1/firmware/packages?modelId=${modelId}`, { token: partner.key });
    const packageId = (pkg.body['items'] as Array<{ id: string }>)[0]!.id;
    const beta = await hub.request('POST', `/v1/firmware/packages/${packageId}/beta`, {
      token: partner.key,
      body: { soakMs: 0, policy: { baseRatePerMinute: 1000, maxRatePerMinute: 1000 } },
    });
    expect(beta.status, beta.text).toBe(200);
    await waitForText(panel.locator('[data-update-status]'), /Downloading \d+%/);
    await waitForText(panel, "What's new in 1.1.0");
    await waitForText(panel, 'Fixes the night-light flicker.');
    await screenshots(owner, 'device-firmware-updating');
    await waitForText(panel.locator('[data-update-status]'), 'Done: the device runs 1.1.0', 30_000);
    await waitForText(panel.locator('[data-firmware-version]'), '1.1.0');
    await screenshots(owner, 'device-firmware');
    await owner.close();
  });

  it('a rollout of firmware without a passing certification run is refused with CERTIFICATION_REQUIRED', async () => {
    // A hub with the certification gate on (docs/certification.md): the model is certified (by
    // override), its firmware 2.0.0 has no passing run.
    const gated = await startHub({ certificationFirmwareGate: true });
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
    try {
      const made = await partnerWithModel(gated);
      await provision(gated, made.partner, made.modelId, 1);
      await shipPackage(gated, made.partner.key, made.modelId, '2.0.0');
      await page.goto(`${gated.httpUrl}/partner/firmware`);
      await page.getByLabel('API key').fill(made.partner.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const form = page.getByRole('form', { name: 'New rollout' });
      await form.getByRole('button', { name: 'Start rollout' }).click();
      await waitForText(
        form.locator('.error-note'),
        /CERTIFICATION_REQUIRED: firmware 2\.0\.0 of certified model/,
      );
      await form.locator('[data-certification-needed] a[href="/partner/certification"]').waitFor();
      expect(page.url()).toMatch(/\/partner\/firmware$/);
      await screenshots(page, 'partner-rollout-certification-required');
    } finally {
      await page.close();
      await gated.stop();
    }
  });
});
