/**
 * The browser tests' harness: one RegLab server (on a free port, over a scenarios folder) and Debian's
 * Chromium through playwright-core, started once per file and stopped by the file's `after`; pages
 * that collect every script and console error so a test can assert there were none.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { LADDER } from '../../web/src/charts/ladder-layout.ts';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Harness {
  server: RunningServer;
  browser: Browser;
}

let ready: Promise<Harness> | undefined;

/** Starts the server and the browser once (from inside a test, so a missing Chromium fails it with a clear message). */
export function harness(scenariosDir = join(ROOT, 'scenarios')): Promise<Harness> {
  ready ??= (async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the browser tests need Debian's Chromium. Run .ci/run (it installs it), or apt-get install chromium`);
    const server = await startServer({ port: 0, scenariosDir, buildIfNeeded: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return { server, browser };
  })();
  return ready;
}

export async function closeHarness(): Promise<void> {
  if (!ready) return;
  const h = await ready.catch(() => undefined);
  await h?.browser.close();
  await h?.server.close();
}

/** A page at `url` that records script errors and console errors (a test asserts the list is empty). */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }, firstVisit = false): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // The first-contact tour is covered by its own test (firstVisit); the others start with it dismissed.
  if (!firstVisit) {
    await context.addInitScript(() => {
      try {
        localStorage.setItem('reglab.tour.dismissed', '1');
      } catch {
        // about:blank has no storage; the dashboard's own page does.
      }
    });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('close', () => {
    context.close().catch(() => {});
  });
  await page.goto(url);
  return { page, problems };
}

/**
 * Runs `fn` on a page openPage opened, then checks that the page logged no error; closes the page
 * whatever happens.
 */
export async function onPage(opened: { page: Page; problems: string[] }, fn: (page: Page) => Promise<void>): Promise<void> {
  try {
    await fn(opened.page);
    assert.deepEqual(opened.problems, []);
  } finally {
    await opened.page.close();
  }
}

/** Picks a scenario in the list, runs it (optionally with a seed) and waits until it has finished. */
export async function runScenarioInPage(page: Page, path: string, seed?: number, timeout = 60_000): Promise<void> {
  await page.locator(`[data-testid="scenario-item"][data-path="${path}"]`).click();
  if (seed !== undefined) await page.getByTestId('seed-input').fill(String(seed));
  await page.getByTestId('run-button').click();
  await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor({ timeout });
}

/** Scrolls the virtualised ladder so row `row` is drawn, then clicks the message with trace number `seq`. */
export async function clickMessage(page: Page, seq: number, row = seq): Promise<void> {
  await page.getByTestId('ladder-scroll').evaluate(
    (el, [r, h]) => {
      el.scrollTop = Math.max(0, r * h - 2 * h);
    },
    [row, LADDER.row] as const,
  );
  await page.locator(`[data-testid="ladder-arrow"][data-seq="${seq}"]`).click();
}

/** Messages of the scaled scenario writeBigScenario writes. */
export const BIG_MESSAGES = 105_000;

/**
 * learn/request-response.yaml scaled to 21,000 watched request/answer exchanges: 105,000 traced
 * messages in a couple of CPU seconds (used by the ladder's scale test and bench/ladder-100k.ts).
 */
export function writeBigScenario(file: string): void {
  const doc = parse(readFileSync(join(ROOT, 'scenarios/learn/request-response.yaml'), 'utf8'));
  doc.description = 'The request-response example scaled to 105,000 traced messages (ladder scale test).';
  doc.duration = '30s';
  doc.population = { size: 21_000 };
  doc.workload[0].pattern.window = '20s';
  doc.nodes[1].costs.default.perMessage = '10us';
  doc.nodes[2].costs.request.perMessage = '10us';
  doc.observe = { ...doc.observe, watch: { first: 21_000 }, traceLimit: 200_000 };
  writeFileSync(file, stringify(doc));
}
