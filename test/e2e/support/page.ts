import type { Locator, Page } from 'playwright-core';

/** Waits until `locator` matches an element whose text matches `text`. */
export async function waitForText(locator: Locator, text: string | RegExp, timeout = 20_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** Waits for a checkbox or switch to be (un)checked, as the page shows it. */
export async function waitChecked(locator: Locator, checked: boolean, timeout = 20_000): Promise<void> {
  const handle = await locator.elementHandle({ timeout });
  if (handle === null) throw new Error('no element to watch');
  await locator
    .page()
    .waitForFunction(([el, want]) => (el as HTMLInputElement).checked === want, [handle, checked] as const, {
      timeout,
    });
}

/** The activity row of the newest command whose label contains `label`. */
export function activity(page: Page, label: string): Locator {
  return page.locator('.activity li', { hasText: label }).first();
}

/** Waits until the newest command labelled `label` has ended with `status`; returns its result text. */
export async function commandResult(
  page: Page,
  label: string,
  status: 'ok' | 'queued' | 'error',
): Promise<string> {
  const row = page.locator(`.activity li[data-status="${status}"]`, { hasText: label }).first();
  await row.waitFor();
  return (await row.locator('.result').textContent()) ?? '';
}

/**
 * Controls (inputs, selects, buttons) on the page without an accessible name: each must have a
 * label, aria-label(ledby), or text.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('input, select, button, textarea'))) {
      if (el.closest('[hidden]') || (el as HTMLInputElement).type === 'hidden') continue;
      const labelled = el
        .getAttribute('aria-labelledby')
        ?.split(' ')
        .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
        .join('');
      const labels = (el as HTMLInputElement).labels;
      const name =
        el.getAttribute('aria-label') ||
        labelled ||
        (labels
          ? Array.from(labels)
              .map((l) => l.textContent?.trim() ?? '')
              .join('')
          : '') ||
        (el.tagName === 'BUTTON' ? el.textContent?.trim() : '') ||
        el.getAttribute('title');
      if (!name) problems.push(el.outerHTML.slice(0, 120));
    }
    return problems;
  });
}

/** Tabs through the page from the top and collects the `data-prop` / `data-action` each focused control sits in. */
export async function reachableByKeyboard(page: Page, presses = 120): Promise<Set<string>> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const seen = new Set<string>();
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const el = document.activeElement;
      const owner = el?.closest('[data-prop], [data-action]');
      return owner?.getAttribute('data-prop') ?? owner?.getAttribute('data-action') ?? null;
    });
    if (where !== null) seen.add(where);
  }
  return seen;
}
