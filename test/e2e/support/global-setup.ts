import { existsSync } from 'node:fs';
import { chromiumPath } from './browser.js';

/** Fails the whole run at once, with the reason, when the browser or the built app is missing. */
export default function setup(): void {
  chromiumPath();
  const index = new URL('../../../web/dist/index.html', import.meta.url);
  if (!existsSync(index)) {
    throw new Error(
      'web/dist/index.html is missing: build the web app first (npm run build; npm run test:e2e does it).',
    );
  }
}
