import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, partnerWithModel, provision } from '../support/devices.js';
import { startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';
import { openBrowser, screenshots, type TestBrowser } from './support/browser.js';
import { unlabelledControls, waitForText } from './support/page.js';

const PASSWORD = 'correct horse battery';

describe('the community page in a real browser', () => {
  let hub: TestHub;
  let browser: TestBrowser;
  let partner: OnboardedPartner;
  let modelId: string;

  beforeAll(async () => {
    hub = await startHub();
    ({ partner, modelId } = await partnerWithModel(hub));
    browser = await openBrowser(hub.httpUrl);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('lets an owner post about its model, vote, and read the maker’s answer', async () => {
    const { page } = browser;
    const email = `owner-${Date.now()}@example.com`;
    await page.goto('/register');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    const login = await hub.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    const [device] = await provision(hub, partner, modelId, 1);
    await claim(hub, String(login.body['token']), device!);

    await page.getByRole('link', { name: 'Community' }).first().click();
    await page.getByRole('heading', { name: 'Community', level: 1 }).waitFor();
    await page.getByRole('heading', { name: `Posts about ${modelId}` }).waitFor();
    await page.getByLabel('Title').fill('Sunrise mode');
    await page.getByLabel('What and why').fill('Fade in over 20 minutes before the alarm');
    await page.getByRole('button', { name: 'Post' }).click();
    const post = page.locator('li.post', { hasText: 'Sunrise mode' });
    await waitForText(post, '1 owner vote');
    // The author's vote counts from the start; withdrawing and voting again toggles it.
    await post.getByRole('button', { name: 'Withdraw vote' }).click();
    await waitForText(post, '0 owner votes');
    await post.getByRole('button', { name: 'Vote' }).click();
    await waitForText(post, '1 owner vote');

    const listed = await hub.request('GET', `/v1/models/${modelId}/posts`, { token: partner.key });
    const postId = (listed.body['items'] as Array<{ id: string }>)[0]!.id;
    const planned = await hub.request('PUT', `/v1/posts/${postId}/status`, {
      token: partner.key,
      body: { status: 'planned', note: 'Coming in 2.1' },
    });
    expect(planned.status, planned.text).toBe(200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitForText(page.locator('li.notice'), 'Coming in 2.1');
    await page.getByRole('heading', { name: /Answers \(1 new\)/ }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshots(page, 'community');
    await page.getByRole('button', { name: 'Mark read' }).click();
    await page.getByRole('heading', { name: 'Answers', exact: true }).waitFor();
    expect(browser.problems).toEqual([]);
  });
});
