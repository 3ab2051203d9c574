import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listSku } from '../support/commerce.js';
import { partnerWithModel } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

const PASSWORD = 'correct horse battery';

describe('the store and the partner’s flash console in a real browser', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let partner: OnboardedPartner;
  let modelId: string;
  let batchId: string;
  let saleId: string;
  let skuIdOf: string;

  /** A sale whose registration is open now and which opens in `inMs` (created once the buyer is signed in). */
  async function openSale(inMs: number): Promise<void> {
    const now = Date.now();
    const sale = await hub.request('POST', '/v1/flash-sales', {
      token: partner.key,
      body: {
        skuId: skuIdOf,
        name: 'Bulb launch',
        cap: 2,
        mode: 'first_come',
        registrationOpensAt: new Date(now).toISOString(),
        opensAt: new Date(now + inMs).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
      },
    });
    expect(sale.status, sale.text).toBe(201);
    saleId = String(sale.body['id']);
  }

  beforeAll(async () => {
    hub = await startHub();
    ({ partner, modelId } = await partnerWithModel(hub));
    const made = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId, version: 1, count: 3 },
    });
    batchId = String((made.body['batch'] as { id: string }).id);
    const skuId = await listSku(hub, partner, modelId, { priceMinor: 9900, currency: 'EUR' });
    await hub.request('POST', `/v1/models/${modelId}/bom-costs`, {
      token: partner.key,
      body: { costMinor: 9000, currency: 'EUR', effectiveFrom: '2020-01-01' },
    });
    skuIdOf = skuId;
    browser = await openBrowser(hub.httpUrl);
  }, 120_000);
  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('a user sees the countdown, registers, buys at the opening and sees the reservation in their orders', async () => {
    const { page } = browser;
    await page.goto('/register');
    await page.getByLabel('Email').fill(`buyer-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await openSale(15_000);
    await page.getByRole('link', { name: 'Store' }).first().click();
    await page.getByRole('heading', { name: 'Store', level: 1 }).waitFor();
    const card = page.locator(`[data-sale="${saleId}"]`);
    await waitForText(card.getByRole('timer'), /Sale opens in 00 min \d\d s/);
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshots(page, 'store-countdown');
    await card.getByRole('button', { name: 'Register' }).click();
    await waitForText(card, 'You are registered.');
    // The Buy button comes alive when the countdown reaches the opening.
    const buy = card.getByRole('button', { name: 'Buy' });
    await page.waitForFunction((el) => !(el as HTMLButtonElement).disabled, await buy.elementHandle(), {
      timeout: 40_000,
    });
    await buy.click();
    await waitForText(card.getByRole('status'), 'Reserved: pay to complete your purchase');
    await waitForText(page.getByRole('list', { name: 'My purchases' }), 'Reserved: awaiting payment');
    await screenshots(page, 'store-reserved');
  }, 90_000);

  it('the partner records a held batch, sees the margin chart, and releases the batch', async () => {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
    await page.goto('/partner');
    await page.getByLabel('API key').fill(partner.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Flash sales' }).first().click();
    await page.getByRole('heading', { name: 'Flash sales and batches', level: 1 }).waitFor();
    await waitForText(page.locator(`[data-sale="${saleId}"]`), 'Bulb launch');
    await page.getByLabel('Provisioning batch id').fill(batchId);
    await page.getByLabel('Hold until the margin reaches (%), empty to release at once').fill('30');
    await page.getByRole('button', { name: 'Record batch' }).click();
    const row = page.locator(`tr[data-batch="${batchId}"]`);
    await waitForText(row, 'held until 30');
    await page.locator(`figure[data-chart="${modelId}"] svg`).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshots(page, 'partner-flash');
    await row.getByRole('button', { name: 'Release now' }).click();
    await waitForText(row, 'released (partner)');
    await page.close();
  }, 60_000);
});
