import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claim, partnerWithModel, provision } from '../support/devices.js';
import { shipPackage } from '../support/firmware.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

const PASSWORD = 'correct horse battery';

async function post(hub: TestHub, token: string, modelId: string, title: string, body: string) {
  const res = await hub.request('POST', `/v1/models/${modelId}/posts`, {
    token,
    body: { kind: 'idea', title, body },
  });
  expect(res.status, res.text).toBe(201);
  return String(res.body['id']);
}

describe('the partner’s community page and the operator’s moderation page', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let owner: Page;
  let partnerTab: Page;
  let operatorTab: Page;
  let partner: OnboardedPartner;
  let modelId: string;
  let spamId = '';
  let dimId = '';
  let duplicateId = '';

  beforeAll(async () => {
    hub = await startHub();
    ({ partner, modelId } = await partnerWithModel(hub));
    browser = await openBrowser(hub.httpUrl);
    owner = browser.page;
    partnerTab = await browser.context.newPage();
    operatorTab = await browser.context.newPage();
    for (const tab of [partnerTab, operatorTab]) {
      tab.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
    }
    // The owner in the browser registers there; another owner (over the API) writes the posts.
    const email = `owner-${Date.now()}@example.com`;
    await owner.goto('/register');
    await owner.getByLabel('Email').fill(email);
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.waitForURL((url) => url.pathname === '/');
    const login = await hub.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    const ownerToken = String(login.body['token']);
    const writer = await newUser(hub);
    const [mine, theirs] = await provision(hub, partner, modelId, 2);
    await claim(hub, ownerToken, mine!);
    await claim(hub, writer.token, theirs!);
    const sunrise = await post(hub, writer.token, modelId, 'Sunrise mode', 'Fade in over 20 minutes');
    spamId = await post(hub, writer.token, modelId, 'Cheap watches here', 'Visit my shop');
    dimId = await post(hub, writer.token, modelId, 'Dim to 1%', 'For the night');
    duplicateId = await post(hub, writer.token, modelId, 'Lowest brightness', 'Darker please');
    expect((await hub.request('PUT', `/v1/posts/${sunrise}/vote`, { token: ownerToken })).status).toBe(200);
    await shipPackage(hub, partner.key, modelId, '2.1.0');
  }, 120_000);

  afterEach(() => {
    expect(browser.problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('the partner sees what owners wrote, ranked by votes, and marks a post planned with a release', async () => {
    await partnerTab.goto('/partner/community');
    await partnerTab.getByLabel('API key').fill(partner.key);
    await partnerTab.getByRole('button', { name: 'Sign in' }).click();
    await partnerTab.getByRole('heading', { name: 'Community', level: 1 }).waitFor();
    const sunrise = partnerTab.locator('li.post', { hasText: 'Sunrise mode' });
    await waitForText(sunrise, '2 owner votes');
    // Ranked by verified votes: the post with two votes comes first.
    await waitForText(partnerTab.locator('li.post').first(), 'Sunrise mode');
    expect(await unlabelledControls(partnerTab)).toEqual([]);

    await sunrise.getByText('Answer “Sunrise mode”').click();
    await sunrise.getByLabel('Status').selectOption('planned');
    await sunrise.getByLabel('Note to voters (optional)').fill('Coming in 2.1');
    await sunrise.getByRole('button', { name: 'Set status' }).click();
    await waitForText(partnerTab.getByRole('status'), '“Sunrise mode” is planned; its voters are told.');
    await waitForText(sunrise.locator('[data-status]'), 'planned');

    // The answer stays open after a change, for the next step.
    await sunrise.getByLabel('Firmware release that addresses it').selectOption({ label: '2.1.0 (ready)' });
    await sunrise.getByRole('button', { name: 'Link release' }).click();
    await waitForText(partnerTab.getByRole('status'), 'linked to firmware 2.1.0');
    await waitForText(sunrise.locator('[data-links]'), 'Addressed by firmware 2.1.0');
    await screenshots(partnerTab, 'partner-community');

    // The owner who voted reads the answer in the app.
    await owner.goto('/community');
    await waitForText(owner.locator('li.notice'), 'Coming in 2.1');
  });

  it('a refusal from the hub shows with its code on the post it is about', async () => {
    // The page still shows a post that was merged meanwhile (another moderator, over the API).
    const stale = partnerTab.locator('li.post', { hasText: 'Lowest brightness' });
    await stale.waitFor();
    const merged = await hub.request('POST', `/v1/posts/${duplicateId}/merge`, {
      token: ADMIN_TOKEN,
      body: { into: dimId },
    });
    expect(merged.status, merged.text).toBe(200);
    await stale.getByText('Answer “Lowest brightness”').click();
    await stale.getByLabel('Status').selectOption('declined');
    await stale.getByRole('button', { name: 'Set status' }).click();
    await waitForText(stale.getByRole('alert'), `INVALID_STATE: the post was merged into ${dimId}`);
  });

  it('the operator hides a reported post with a reason and the owner no longer sees it', async () => {
    // The owner reports a post from the app.
    await owner.goto('/community');
    const spam = owner.locator('li.post', { hasText: 'Cheap watches here' });
    await spam.getByText('Report “Cheap watches here”').click();
    await spam.getByLabel('What is wrong with it').fill('Spam link');
    await spam.getByRole('button', { name: 'Send report' }).click();
    await waitForText(spam, 'Reported: moderators will look at it.');
    expect(await unlabelledControls(owner)).toEqual([]);
    await screenshots(owner, 'community-report');

    await operatorTab.goto('/operator/moderation');
    await operatorTab.getByLabel('Operator token').fill(ADMIN_TOKEN);
    await operatorTab.getByRole('button', { name: 'Sign in' }).click();
    await operatorTab.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
    const queued = operatorTab.locator(`li.queued[data-post="${spamId}"]`);
    await waitForText(queued, '“Spam link”');
    await waitForText(queued, '1 report');
    expect(await unlabelledControls(operatorTab)).toEqual([]);
    await screenshots(operatorTab, 'operator-moderation');
    await queued.getByLabel('Reason for “Cheap watches here”').fill('Advertising');
    await queued.getByRole('button', { name: 'Hide post' }).click();
    await waitForText(operatorTab.getByRole('status'), '“Cheap watches here” is hidden: Advertising');
    await waitForText(operatorTab.locator('.panel', { hasText: 'Reported posts' }), 'Nothing reported');
    await waitForText(operatorTab.locator(`li.hidden-post[data-post="${spamId}"]`), 'hidden: Advertising');

    await owner.reload();
    await owner.locator('li.post', { hasText: 'Sunrise mode' }).waitFor();
    expect(await owner.locator('li.post', { hasText: 'Cheap watches here' }).count()).toBe(0);

    // The partner's moderation page lists it as hidden, and restoring it shows it to owners again.
    await partnerTab.goto('/partner/moderation');
    const hidden = partnerTab.locator(`li.hidden-post[data-post="${spamId}"]`);
    await waitForText(hidden, 'hidden: Advertising');
    await screenshots(partnerTab, 'partner-moderation');
    await hidden.getByLabel('Why restore “Cheap watches here” (optional)').fill('Shop is the maker’s');
    await hidden.getByRole('button', { name: 'Restore' }).click();
    await waitForText(partnerTab.getByRole('status'), 'is shown again');
    await owner.reload();
    await owner.locator('li.post', { hasText: 'Cheap watches here' }).waitFor();
  });
});
