import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/registry/spec/index.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';
import { clone, exampleModel } from '../support/models.js';
import { applicationBody } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

/** Puts a document into the console's JSON editor (filling is faster than typing 4 KiB). */
async function paste(page: Page, label: string, doc: unknown): Promise<void> {
  await page.getByLabel(label).fill(JSON.stringify(doc, null, 2));
}

describe('the partner and operator consoles', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let operator: Page;
  let partner: Page;
  const application = applicationBody({ categories: ['light', 'plug'] });
  const slug = String(application['slug']);
  let apiKey = '';
  let doc: ModelSpec;

  beforeAll(async () => {
    hub = await startHub();
    const applied = await hub.request('POST', '/v1/partner-applications', { body: application });
    expect(applied.status, applied.text).toBe(201);
    doc = exampleModel('acme.light.bulb1', slug);
    browser = await openBrowser(hub.httpUrl);
    operator = browser.page;
    // A second tab: consoles keep their credential per tab, so both can be signed in at once.
    partner = await browser.context.newPage();
    partner.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
  });

  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('the operator signs in with an operator token and approves an application with a rate', async () => {
    await operator.goto('/operator');
    await operator.getByRole('heading', { name: 'Operator console' }).waitFor();
    await screenshots(operator, 'operator-sign-in');
    await operator.getByLabel('Operator token').fill('not-a-token-at-all');
    await operator.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(operator.getByRole('alert'), /^UNAUTHENTICATED: /);
    await operator.getByLabel('Operator token').fill(ADMIN_TOKEN);
    await operator.getByRole('button', { name: 'Sign in' }).click();
    const card = operator.locator(`[data-application="${slug}"]`);
    await card.waitFor();
    expect(await unlabelledControls(operator)).toEqual([]);
    await screenshots(operator, 'operator-applications');
    await card.getByLabel('Commission (%), empty for the default').fill('5');
    await card.getByRole('button', { name: 'Approve' }).click();
    const notice = operator.locator('.notice', { hasText: 'shown only now' });
    await notice.waitFor();
    apiKey = /(ek_\S+)/.exec((await notice.textContent()) ?? '')?.[1] ?? '';
    expect(apiKey).toMatch(/^ek_/);
  });

  it('the partner signs in with its API key; lint findings show on the item they are about', async () => {
    await partner.goto('/partner');
    await partner.getByLabel('API key').fill(apiKey);
    await partner.getByRole('button', { name: 'Sign in' }).click();
    await partner.getByRole('heading', { name: 'Models', level: 1 }).waitFor();

    const broken = clone(doc);
    broken.services[1]!.name = 'Light_Source';
    await paste(partner, 'Model document (JSON, see the spec docs)', broken);
    await partner.getByRole('button', { name: 'Create model' }).click();
    await waitForText(partner.getByRole('alert'), /^VALIDATION_FAILED: /);
    // The kebab-case finding sits under the service it names, in the outline.
    await partner
      .locator('.outline-item[data-pointer="/services/1"] .findings.error li[data-rule="Q006"]')
      .waitFor();
    await screenshots(partner, 'partner-new-model-lint');

    await paste(partner, 'Model document (JSON, see the spec docs)', doc);
    await partner.getByRole('button', { name: 'Create model' }).click();
    await partner.getByRole('heading', { name: doc.model, level: 1 }).waitFor();
    await partner.locator('tr[data-version="1"] .state', { hasText: 'draft' }).waitFor();
    await partner.getByRole('button', { name: 'Submit for certification' }).click();
    await partner.locator('tr[data-version="1"] .state', { hasText: 'submitted' }).waitFor();
  });

  it('the operator certifies the submitted version with a note', async () => {
    await operator.getByRole('link', { name: 'Certification' }).click();
    const item = operator.locator(`[data-submitted="${doc.model}@1"]`);
    await item.waitFor();
    await screenshots(operator, 'operator-certification');
    await item
      .getByLabel('Certification note (what was checked, and how)')
      .fill('bench-tested with the simulator');
    // No harness run in this walk-through: the operator overrides, with the note as the reason.
    await item.getByLabel(/Override: certify without a passing harness run/).check();
    await item.getByRole('button', { name: 'Certify' }).click();
    await waitForText(operator.locator('.notice'), `${doc.model} v1 is certified.`);
  });

  it('the partner publishes, starts version 2 and sees its diff and the add-only rule', async () => {
    // A reload of a model page (its path holds dots) comes back to the app, signed in.
    await partner.reload();
    await partner.getByRole('button', { name: 'Publish' }).click();
    await partner.locator('tr[data-version="1"] .state', { hasText: 'published' }).waitFor();
    await partner.getByRole('button', { name: 'Start version 2' }).click();
    await partner.locator('tr[data-version="2"] .state', { hasText: 'draft' }).waitFor();

    const next = clone(doc);
    next.specVersion = 2;
    next.services[1]!.properties.push({
      iid: 5,
      name: 'mode',
      description: 'Lighting mode.',
      format: 'uint8',
      access: ['read', 'write', 'notify'],
      enum: [
        { value: 0, description: 'Day' },
        { value: 1, description: 'Night' },
      ],
    });
    await paste(partner, 'Draft document (JSON)', next);
    await partner.getByRole('button', { name: 'Save and check' }).click();
    await partner.locator('.diff li[data-diff="added"]', { hasText: 'light.mode' }).waitFor();
    await waitForText(partner.locator('.ok-note'), 'the add-only rule holds');
    await screenshots(partner, 'partner-model-diff');

    // Removing a property is listed and flagged: the hub would refuse it on submit.
    next.services[1]!.properties = next.services[1]!.properties.filter((p) => p.name !== 'fault');
    next.services[1]!.events = [];
    await paste(partner, 'Draft document (JSON)', next);
    await partner.getByRole('button', { name: 'Save and check' }).click();
    await partner.locator('.diff li[data-diff="removed"] strong', { hasText: /^light\.fault$/ }).waitFor();
    await partner
      .locator('.diff li[data-diff="removed"] strong', { hasText: /^light\.fault-occurred!$/ })
      .waitFor();
    await waitForText(partner.locator('.error-note'), 'Refused on submit by the add-only rule');
    await partner.getByRole('button', { name: 'Submit for certification' }).click();
    await waitForText(partner.getByRole('alert'), /^VALIDATION_FAILED: /);
  });

  it('the partner provisions a batch and gets its credentials once', async () => {
    await partner.getByRole('link', { name: 'Provisioning' }).click();
    await partner.getByLabel('Devices').fill('3');
    await partner.getByLabel('Label (optional)').fill('line 3, week 47');
    await partner.getByRole('button', { name: 'Provision' }).click();
    await waitForText(partner.locator('h2'), 'Batch provisioned: 3 devices');
    expect(await partner.locator('table', { hasText: 'Pairing code' }).locator('tbody tr').count()).toBe(3);
    await partner.locator('tr[data-batch]', { hasText: 'line 3, week 47' }).waitFor();
    await screenshots(partner, 'partner-provisioning');
    const listed = await hub.request('GET', '/v1/device-batches', { token: apiKey });
    expect((listed.body['items'] as unknown[]).length).toBe(1);
  });

  it('the partner sees its commission and statement; the operator sets a new rate and closes a month', async () => {
    await partner.getByRole('link', { name: 'Sales', exact: true }).click();
    await waitForText(partner.locator('p'), 'Commission in force: 5 %');
    await partner.locator('table[data-statement]').waitFor();
    await screenshots(partner, 'partner-sales');

    await operator.getByRole('link', { name: 'Partners' }).click();
    await operator.locator(`tr[data-partner="${slug}"] a`).click();
    await operator.getByLabel('Commission (%)').fill('7.5');
    await operator.getByRole('button', { name: 'Set rate' }).click();
    await operator.locator('.plain-list li', { hasText: '7.5 %' }).waitFor();
    await screenshots(operator, 'operator-partner');

    await operator.getByRole('link', { name: 'Months' }).click();
    await operator.locator('[data-month-state="open"]').waitFor();
    await operator.getByRole('button', { name: /^Close \d{4}-\d{2}…$/ }).click();
    await operator.getByRole('button', { name: /^Yes, close / }).click();
    await operator.locator('[data-month-state="closed"]').waitFor();
    await screenshots(operator, 'operator-months');
  });

  it('a partner key is refused by the operator console, and signing out ends the console session', async () => {
    const other = await browser.context.newPage();
    try {
      await other.goto('/operator');
      await other.getByLabel('Operator token').fill(apiKey);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(other.getByRole('alert'), /^FORBIDDEN: /);
    } finally {
      await other.close();
    }
    await partner.getByRole('button', { name: 'Sign out' }).click();
    await partner.getByRole('heading', { name: 'Partner console' }).waitFor();
    expect(await partner.evaluate(() => window.sessionStorage.getItem('ecohub.console'))).toBeNull();
  });
});
