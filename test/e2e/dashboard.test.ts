/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core), against the real
 * server and runner: what the page draws must be what the simulator produced for the same
 * scenario and seed. (README's screenshot is taken by ladder.test.ts with REGLAB_SCREENSHOT=1.)
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { closeHarness, harness, onPage, ROOT } from './browser.ts';
import type { ScenarioInfo } from '../../sim/server/api-types.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';

const SEED = 42;

let server: RunningServer | undefined;
let browser: Browser | undefined;
let ready: Promise<void> | undefined;

/**
 * Starts the server and the browser once (browser.ts's harness), from inside the first test (not a
 * before hook), so a missing Chromium fails the tests with its message rather than a bare "cancelled".
 * The server builds web/dist first when it is missing or older than web/src (sim/server/web-build.ts).
 */
function setUp(): Promise<void> {
  ready ??= harness().then((h) => {
    server = h.server;
    browser = h.browser;
  });
  return ready;
}

after(closeHarness);

function serverOf(): RunningServer {
  assert.ok(server);
  return server;
}

/** A page that fails the test on any script error or console error. */
async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1440, height: 1400 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

describe('dashboard', () => {
  test('runs the first learn scenario and draws the ladder, chart and summary from the real run', async () => {
    await setUp();
    const server = serverOf();
    const list = (await (await fetch(new URL('api/scenarios', server.url))).json()) as ScenarioInfo[];
    const learn = list.find((s) => s.path === 'learn/ics-detach-with-call.yaml');
    assert.ok(learn, 'scenarios/learn/ has no scenario');
    const direct: RunResult = await runScenario(loadScenarioFile(join(ROOT, 'scenarios', learn.path), { seed: SEED }));
    assert.ok(direct.trace.length > 0, `${learn.path} traces no messages: nothing to draw`);

    await onPage(await openPage(server.url), async (page) => {
      // The scenario that tells the whole story is preselected, so a newcomer can press Run at once.
      const item = page.locator(`[data-testid="scenario-item"][data-path="${learn.path}"]`);
      await item.waitFor();
      assert.equal(await item.getAttribute('aria-pressed'), 'true');
      assert.match((await page.getByTestId('empty-run').textContent()) ?? '', /Pick a scenario and press Run/);
      await item.click();
      await page.getByTestId('seed-input').fill(String(SEED));
      await page.getByTestId('run-button').click();
      await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor({ timeout: 30_000 });

      // Ladder: every trace record is a row (no cap; the diagram draws the rows in view), in trace
      // order, same endpoints and kinds.
      await page.getByTestId('ladder-svg').waitFor();
      const scroll = page.getByTestId('ladder-scroll');
      assert.equal(Number(await scroll.getAttribute('data-rows')), direct.trace.length);
      const arrows = page.getByTestId('ladder-arrow');
      const drawn = await arrows.evaluateAll((els) =>
        els.map((e) => ({ seq: Number(e.getAttribute('data-seq')), kind: e.getAttribute('data-kind'), from: e.getAttribute('data-from'), to: e.getAttribute('data-to') })),
      );
      assert.ok(drawn.length > 0);
      assert.deepEqual(drawn[0], { seq: 0, kind: direct.trace[0]!.kind, from: direct.trace[0]!.from, to: direct.trace[0]!.to });
      assert.deepEqual(
        drawn,
        direct.trace.slice(0, drawn.length).map((r) => ({ seq: r.seq, kind: r.kind, from: r.from, to: r.to })),
      );
      const shown = drawn.length;

      // Clicking an arrow shows that message's wire text, exactly (Raw tab).
      for (const i of [0, Math.min(3, shown - 1)]) {
        await arrows.nth(i).click();
        const panel = page.getByTestId('wire-panel');
        await panel.getByTestId('tab-raw').click();
        assert.equal(await panel.getByTestId('wire-text').textContent(), direct.trace[i]!.wire);
        assert.match((await panel.textContent()) ?? '', new RegExp(direct.trace[i]!.kind));
      }

      // Chart: one line per node with samples, drawn through more than a couple of points.
      const chart = page.getByTestId('rate-chart');
      const lines = chart.locator('path.recharts-line-curve');
      await lines.first().waitFor();
      const sampled = new Set(direct.samples.map((s) => s.node));
      assert.equal(await lines.count(), sampled.size);
      const d = (await lines.first().getAttribute('d')) ?? '';
      assert.ok(d.length > 20 && (d.match(/L/g) ?? []).length >= 2, `line path too simple: '${d}'`);
      assert.equal(Number(await chart.getAttribute('data-points')), new Set(direct.samples.map((s) => s.t)).size);

      // Summary: the same run (trace hash), with procedures, nodes and rules.
      const summary = page.getByTestId('summary');
      const text = (await summary.textContent()) ?? '';
      assert.ok(text.includes(direct.summary.traceHash), 'summary shows another run’s trace hash');
      for (const proc of Object.keys(direct.summary.procedures)) assert.ok(text.includes(proc), `procedure ${proc} missing`);
      assert.equal(await summary.getByTestId('summary-nodes').locator('tbody tr').count(), Object.keys(direct.summary.nodes).length);
      assert.equal(await summary.getByTestId('summary-rules').locator('li').count(), direct.rules.length);

    });
  });

  test('shows a scenario’s problems when it does not validate', async () => {
    await setUp();
    const dir = mkdtempSync(join(tmpdir(), 'reglab-e2e-'));
    mkdirSync(join(dir, 'learn'));
    writeFileSync(join(dir, 'learn/broken.yaml'), 'description: broken on purpose\nseed: -1\nduration: soon\n');
    const bad = await startServer({ port: 0, scenariosDir: dir });
    const { page, problems } = await openPage(bad.url);
    try {
      await page.getByTestId('scenario-item').first().waitFor();
      await page.getByTestId('run-button').click();
      const panel = page.getByTestId('error-panel');
      await panel.waitFor();
      const text = (await panel.textContent()) ?? '';
      assert.match(text, /E_SCENARIO/);
      assert.match(text, /learn\/broken\.yaml: \d+ problems?/);
      const items = await panel.getByTestId('error-problems').locator('li').allTextContents();
      assert.ok(items.some((p) => p.startsWith('seed')), items.join('\n'));
      assert.ok(items.some((p) => p.startsWith('duration')), items.join('\n'));
      assert.equal(await page.getByTestId('ladder-svg').count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await bad.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
