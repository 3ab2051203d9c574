import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../../firmware-sim/index.js';
import { type RunView, runToEnd, startSim, submittedModel } from '../integration/certification-support.js';
import { onboardDeviceMaker } from '../support/devices.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

/**
 * Certification in the consoles: the partner sees its run case by case and its scorecard (uPlot);
 * the operator sees the passing run in the review queue and certifies without an override.
 */
describe('certification and scorecards in the consoles', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let partnerPage: Page;
  let operator: Page;
  let partner: OnboardedPartner;
  let sim: SimulatedDevice;
  let run: RunView;
  let modelId = '';

  beforeAll(async () => {
    hub = await startHub();
    partner = await onboardDeviceMaker(hub);
    const { doc, device } = await submittedModel(hub, partner, 'acme.remote-control.r1');
    modelId = doc.model;
    sim = await startSim(hub, doc, device);
    run = await runToEnd(hub, partner.key, { modelId, version: 1, deviceId: device.id });
    expect(run.verdict).toBe('pass');
    browser = await openBrowser(hub.httpUrl);
    partnerPage = browser.page;
    operator = await browser.context.newPage();
    operator.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
  }, 120_000);

  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await hub?.stop();
  });

  it('the partner watches its run case by case and sees its scorecard', async () => {
    await partnerPage.goto('/partner/certification');
    await partnerPage.getByLabel('API key').fill(partner.key);
    await partnerPage.getByRole('button', { name: 'Sign in' }).click();
    await partnerPage.getByRole('heading', { name: 'Certification', level: 1 }).waitFor();
    const row = partnerPage.locator(`[data-run-row="${run.id}"] button`);
    await waitForText(row, /pass/);
    await row.click();
    const detail = partnerPage.locator(`[data-run="${run.id}"]`);
    await detail.locator('tr[data-case="reconnect.backoff"] td', { hasText: 'pass' }).waitFor();
    expect(await detail.locator('tr[data-case]').count()).toBe(run.cases.length);
    await detail.getByRole('button', { name: 'Download the signed report' }).waitFor();
    expect(await unlabelledControls(partnerPage)).toEqual([]);
    await screenshots(partnerPage, 'partner-certification');

    await partnerPage.getByRole('link', { name: 'Scorecard' }).click();
    await partnerPage.locator(`th[data-model="${modelId}"]`).waitFor();
    await partnerPage.locator('td[data-figure="certification"]', { hasText: 'run pass v1' }).waitFor();
    // The run's own connects are field data: the chart has a day to draw.
    await partnerPage.locator('[data-chart="daily"] canvas').waitFor();
    await screenshots(partnerPage, 'partner-scorecard');
  });

  it('the operator sees the passing run in the queue, certifies without override, and compares partners', async () => {
    await operator.goto('/operator/certification');
    await operator.getByLabel('Operator token').fill(ADMIN_TOKEN);
    await operator.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(operator.locator(`[data-runs="${modelId}@1"]`), /passing run/);
    const item = operator.locator(`[data-submitted="${modelId}@1"]`);
    await item.getByLabel('Certification note (what was checked, and how)').fill('harness run passed');
    await item.getByRole('button', { name: 'Certify' }).click();
    await waitForText(operator.locator('.notice'), `${modelId} v1 is certified.`);
    const history = await hub.request('GET', `/v1/certification/models/${modelId}/versions/1`, {
      token: ADMIN_TOKEN,
    });
    expect(history.body['decisions']).toEqual([expect.objectContaining({ kind: 'report', runId: run.id })]);

    await operator.getByRole('link', { name: 'Scorecards' }).click();
    await operator.locator(`th[data-model="${modelId}"]`).waitFor();
    expect(await unlabelledControls(operator)).toEqual([]);
    await screenshots(operator, 'operator-scorecards');
  });
});
