/**
 * Screenshots of the dashboard after a real run, for the README and for looking at the page.
 *
 *   node --import tsx scripts/dashboard-screenshot.ts [--scenario learn/x.yaml] [--seed N]
 *        [--out docs/images/dashboard.png] [--width 1440] [--height 1400] [--click N] [--full]
 *        [--scenarios DIR] [--no-run]
 *
 * Builds the web app if needed, serves it on a free loopback port with the real scenarios folder,
 * drives Debian's Chromium (/usr/bin/chromium) through playwright-core, runs the scenario, clicks
 * message N of the ladder (default 0) and saves the PNG.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../sim/server/server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string', default: 'docs/images/dashboard.png' },
    width: { type: 'string', default: '1440' },
    height: { type: 'string', default: '1400' },
    click: { type: 'string', default: '0' },
    full: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'scenarios' },
    'no-run': { type: 'boolean', default: false },
  },
});

const server = await startServer({ port: 0, scenariosDir: resolve(ROOT, values.scenarios), buildIfNeeded: true, log: (l) => console.error(l) });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.getByTestId('run-button').waitFor();
  if (values['no-run']) await page.getByTestId('scenario-item').first().waitFor();
  const item = values.scenario ? page.locator(`[data-testid="scenario-item"][data-path="${values.scenario}"]`) : page.getByTestId('scenario-item').first();
  if (!values['no-run']) {
    await item.click();
    if (values.seed) await page.getByTestId('seed-input').fill(values.seed);
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="run-status"][data-phase="finished"], [data-testid="error-panel"]').first().waitFor({ timeout: 60_000 });
    const arrows = page.getByTestId('ladder-arrow');
    const n = Number(values.click);
    if (n >= 0 && (await arrows.count()) > n) await arrows.nth(n).click();
  }
  const out = resolve(ROOT, values.out);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: values.full });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
