// Renders the app's SVG icons to the PNG sizes the web manifest and iOS need, with Debian's
// Chromium (or CHROMIUM_PATH). Run after changing web/public/icons/*.svg; the PNGs are committed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const icons = new URL('../web/public/icons/', import.meta.url).pathname;
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(executablePath))
  throw new Error(`Chromium not found at ${executablePath}; set CHROMIUM_PATH`);

const outputs = [
  { svg: 'icon.svg', png: 'icon-192.png', size: 192 },
  { svg: 'icon.svg', png: 'icon-512.png', size: 512 },
  { svg: 'icon-maskable.svg', png: 'icon-maskable-512.png', size: 512 },
];

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  for (const { svg, png, size } of outputs) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const markup = readFileSync(join(icons, svg), 'utf8');
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${markup}`,
    );
    await page.screenshot({ path: join(icons, png), omitBackground: true });
    await page.close();
    process.stdout.write(`${png} (${size}x${size})\n`);
  }
} finally {
  await browser.close();
}
