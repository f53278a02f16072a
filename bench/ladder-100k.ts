/**
 * The dashboard's ladder at 105,000 traced messages, in headless Chromium (issue 15's targets):
 *
 *   first paint   time from the `finished` frame reaching the page to the first animation frame
 *                 whose ladder holds every message (target ≤ 1 s)
 *   scroll        largest gap between animation frames while the ladder scrolls through the trace
 *                 (steady steps, then jumps to the end and back; target ≤ 50 ms)
 *   playback      largest frame gap while playback runs at 50 msg/s and at 1000 simulated ms per s
 *
 *   npm run bench -- ladder-100k [--runs 3]
 *
 * Gaps come from requestAnimationFrame timestamps (the Performance API's clock). Figures go to
 * stdout; BENCHMARKS.md has the story.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../sim/server/server.ts';
import { BIG_MESSAGES, CHROMIUM, runScenarioInPage, writeBigScenario } from '../test/e2e/browser.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

/** Installed before the page loads: notes when a `finished` frame arrives, and frame gaps on demand. */
const PROBE = `(() => {
  const W = window.WebSocket;
  window.__finishedAt = 0;
  window.WebSocket = class extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (m) => {
        if (typeof m.data === 'string' && m.data.startsWith('{"type":"finished"')) window.__finishedAt = performance.now();
      });
    }
  };
  window.__gaps = (ms) => new Promise((done) => {
    const t = [];
    const end = performance.now() + ms;
    const tick = (now) => { t.push(now); if (now < end) requestAnimationFrame(tick); else done(t.slice(1).map((x, i) => x - t[i])); };
    requestAnimationFrame(tick);
  });
})();`;

const dir = mkdtempSync(join(tmpdir(), 'reglab-bench-ladder-'));
mkdirSync(join(dir, 'learn'));
writeBigScenario(join(dir, 'learn/ladder-100k.yaml'));
const server = await startServer({ port: 0, scenariosDir: dir, buildIfNeeded: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const rows: Record<string, number | string>[] = [];
try {
  for (let r = 0; r < runs; r++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`localStorage.setItem('reglab.tour.dismissed', '1');${PROBE}`);
    const page = await context.newPage();
    await page.goto(server.url);
    // First paint: poll each frame from the finished frame on until the ladder holds every message.
    // (Strings, not functions: the TS loader would wrap inner helpers in its own __name calls.)
    const paint = page.evaluate<number>(`new Promise((done) => {
      const check = (now) => {
        const el = document.querySelector('[data-testid="ladder-scroll"]');
        if (window.__finishedAt > 0 && el && el.getAttribute('data-rows') === '${BIG_MESSAGES}' && document.querySelector('[data-testid="run-status"][data-phase="finished"]')) done(Math.max(0, performance.now() - window.__finishedAt));
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    })`);
    const wall0 = performance.now();
    await runScenarioInPage(page, 'learn/ladder-100k.yaml', undefined, 300_000);
    const firstPaint = await paint;
    const runWall = performance.now() - wall0;

    const scroll = page.getByTestId('ladder-scroll');
    // The control: the same page doing nothing. On a shared, loaded machine its gaps are the floor.
    const idleGaps = await page.evaluate((t) => (window as unknown as { __gaps(ms: number): Promise<number[]> }).__gaps(t), 2000);
    const gapsDuring = async (action: () => Promise<void>, ms: number) => {
      const gaps = page.evaluate((t) => (window as unknown as { __gaps(ms: number): Promise<number[]> }).__gaps(t), ms);
      await action();
      const g = await gaps;
      return { max: Math.max(...g), frames: g.length };
    };
    const scrollGaps = await gapsDuring(async () => {
      await scroll.evaluate(async (el) => {
        for (let i = 0; i < 90; i++) {
          el.scrollTop += 2400;
          await new Promise((d) => requestAnimationFrame(d));
        }
        el.scrollTop = el.scrollHeight;
        await new Promise((d) => requestAnimationFrame(d));
        el.scrollTop = 0;
        await new Promise((d) => requestAnimationFrame(d));
        el.scrollTop = el.scrollHeight / 2;
      });
    }, 2500);
    await scroll.focus();
    await page.keyboard.press('Home');
    await page.getByTestId('playback-speed').selectOption('50');
    // Playback gaps are taken once it runs (the click itself is Playwright's, not the page's).
    await page.getByTestId('play-button').click();
    await page.waitForTimeout(300);
    const playGaps = await gapsDuring(async () => {}, 2000);
    await page.getByTestId('play-button').click();
    await page.getByTestId('playback-mode').selectOption('time');
    await page.getByTestId('playback-speed').selectOption('1000');
    await page.getByTestId('play-button').click();
    await page.waitForTimeout(300);
    const timeGaps = await gapsDuring(async () => {}, 2000);
    rows.push({
      run: r + 1,
      'run wall (s)': (runWall / 1000).toFixed(1),
      'first paint (ms)': Math.round(firstPaint),
      'idle max gap (ms)': Math.max(...idleGaps).toFixed(1),
      'scroll max gap (ms)': scrollGaps.max.toFixed(1),
      'scroll frames': scrollGaps.frames,
      'play 50 msg/s max gap (ms)': playGaps.max.toFixed(1),
      'play 1000 ms/s max gap (ms)': timeGaps.max.toFixed(1),
    });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`ladder-100k: ${BIG_MESSAGES} traced messages, headless Chromium 1280x800, ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
console.table(rows);
