/**
 * The architects' and researchers' views in a real browser (Debian's Chromium through
 * playwright-core) against the real server, runner and scenarios; every figure checked against
 * the CLI's own files for the same seed: comparison.csv (reglab run), sweep.csv (reglab sweep),
 * compare.csv (reglab compare). Small populations keep it fast.
 * REGLAB_SCREENSHOT=1 also saves docs/images/dashboard-compare.png.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { reglab, ROOT } from '../reglab-process.ts';
import { onPage } from './browser.ts';

const CHROMIUM = '/usr/bin/chromium';
const BVI = 'sizing/msgin5g-bulk-vs-individual.yaml';
const FFS = 'ffs/ics-restart-lost-200.yaml';

let server: RunningServer | undefined;
let browser: Browser | undefined;
let ready: Promise<void> | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'reglab-e2e-campaign-'));

function setUp(): Promise<void> {
  ready ??= (async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the browser tests need Debian's Chromium (.ci/run installs it)`);
    server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios'), buildIfNeeded: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  })();
  return ready;
}

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function openPage(search: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1440, height: 1600 }, acceptDownloads: true });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  await page.goto(new URL(search, server!.url).href);
  return { page, problems };
}

/** Rows of a CSV the CLI wrote (values as text). */
function readCsv(text: string): Record<string, string>[] {
  const parse = (line: string) => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
        else if (c === '"') q = false;
        else cur += c;
      } else if (c === '"') q = true;
      else if (c === ',') out.push(cur), (cur = '');
      else cur += c;
    }
    out.push(cur);
    return out;
  };
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = parse(head!);
  return lines.map((l) => Object.fromEntries(parse(l).map((v, i) => [cols[i]!, v])));
}

/** Waits until the campaign finished (the CSV download is offered) and returns the page's CSV. */
async function finishedCsv(page: Page): Promise<{ name: string; text: string }> {
  const button = page.getByTestId('download-csv');
  await button.waitFor({ timeout: 90_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

async function runClick(page: Page): Promise<void> {
  const run = page.getByTestId('campaign-run');
  await page.locator('[data-testid="params-status"][data-state="ok"]').waitFor({ timeout: 20_000 });
  await run.click();
}

describe('campaign views', () => {
  test('compare view: both variants of bulk-vs-individual drawn from real runs, totals equal to the CLI’s comparison.csv', async () => {
    await setUp();
    const cli = await reglab('run', join('scenarios', BVI), '--seed', '7', '--set', 'population.size=2000', '--out', join(tmp, 'variants'), '--quiet');
    assert.equal(cli.status, 0, cli.stderr);
    const expected = readCsv(readFileSync(join(tmp, 'variants/comparison.csv'), 'utf8'));
    await onPage(await openPage(`?view=compare&scenario=${BVI}&seed=7&set=population.size%3D2000`), async (page) => {
      // The variants are visible and selectable before the run.
      const checks = page.getByTestId('variant-check');
      await checks.first().waitFor();
      assert.deepEqual(await checks.evaluateAll((els) => els.map((e) => e.getAttribute('data-variant'))), ['bulk', 'individual']);
      await runClick(page);
      const csv = await finishedCsv(page);
      assert.equal(csv.name, 'comparison.csv');

      // Totals: every cell is the CLI's number for that variant and column.
      const cells = await page.getByTestId('totals-cell').evaluateAll((els) =>
        els.map((e) => ({ column: e.closest('tr')!.getAttribute('data-column')!, variant: e.getAttribute('data-variant')!, value: e.getAttribute('data-value')! })),
      );
      assert.ok(cells.length >= 20, `only ${cells.length} totals cells`);
      for (const c of cells) {
        const row = expected.find((r) => r.variant === c.variant)!;
        assert.equal(Number(c.value), Number(row[c.column]), `${c.variant} ${c.column}`);
      }
      assert.ok(cells.some((c) => c.column === 'node.server.cpu_s'));
      // The downloaded file is the CLI's, but for the wall-clock column.
      const mine = readCsv(csv.text).map(({ wall_ms: _w, ...r }) => r);
      assert.deepEqual(mine, expected.map(({ wall_ms: _w, ...r }) => r));

      // Charts from real run data: a line per variant in each load chart, completion and CDF.
      const load = page.getByTestId('load-chart').first();
      // Charts mount one per frame (charts/staggered-mount.tsx): wait for the last one.
      await page.getByTestId('cdf-chart').first().waitFor();
      assert.equal(await load.getAttribute('data-series'), 'bulk|individual');
      assert.ok(Number(await load.getAttribute('data-points')) >= 2);
      assert.equal(await load.locator('path.recharts-line-curve').count(), 2);
      const completion = page.getByTestId('completion-chart').first();
      assert.match((await completion.textContent()) ?? '', /bulk: all done/);
      assert.equal(await page.getByTestId('cdf-chart').first().locator('path.recharts-line-curve').count(), 2);
      // The x axis ends at the run's end: the longer run's simulated time.
      const end = Math.max(...expected.map((r) => Number(r.simulated_s)));
      assert.ok(Math.abs(Number(await load.getAttribute('data-end-s')) - end) < 1e-9);
      assert.match((await page.getByTestId('manifest-command').textContent()) ?? '', /reglab run scenarios\/sizing\/msgin5g-bulk-vs-individual\.yaml --seed 7 --set population\.size=2000/);

      // An override edited in the form changes the result.
      const size = page.locator('[data-testid="param-input"][data-path="population.size"]');
      await size.fill('1000');
      await runClick(page);
      const completed = page.locator('[data-testid="totals-row"][data-column="proc.msgin5g-registration.completed"] [data-testid="totals-cell"]').first();
      await page.waitForFunction(() => document.querySelector('[data-testid="manifest-sets"]')?.textContent?.includes('population.size=1000'), null, { timeout: 60_000 });
      await page.getByTestId('download-csv').waitFor();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="totals-row"][data-column="proc.msgin5g-registration.completed"] [data-testid="totals-cell"]')?.getAttribute('data-value') === '1000',
        null,
        { timeout: 60_000 },
      );
      assert.equal(await completed.getAttribute('data-value'), '1000');
      // The link reopens the same question.
      assert.match(page.url(), /view=compare/);
      assert.match(decodeURIComponent(page.url()), /set=population\.size=1000/);

      if (process.env.REGLAB_SCREENSHOT === '1') {
        const out = join(ROOT, 'docs/images/dashboard-compare.png');
        mkdirSync(dirname(out), { recursive: true });
        await page.screenshot({ path: out, fullPage: true });
      }
    });
  });

  test('a bad override is refused with the field named, as the CLI names it, and nothing runs', async () => {
    await setUp();
    const cli = await reglab('run', join('scenarios', BVI), '--set', 'msgin5g.bulking.maxSize=lots', '--quiet');
    assert.equal(cli.status, 2);
    const cliLine = cli.stderr.split('\n').map((l) => l.trim()).find((l) => l.startsWith('msgin5g.bulking.maxSize'));
    assert.ok(cliLine, cli.stderr);
    await onPage(await openPage(`?view=compare&scenario=${BVI}&set=population.size%3D2000`), async (page) => {
      await page.locator('[data-testid="params-status"][data-state="ok"]').waitFor();
      await page.locator('[data-testid="param-input"][data-path="msgin5g.bulking.maxSize"]').fill('lots');
      const err = page.getByTestId('param-error').first();
      await err.waitFor();
      assert.equal((await err.textContent())?.trim(), cliLine);
      assert.equal(await page.getByTestId('campaign-run').isDisabled(), true);
      assert.equal(await page.getByTestId('campaign-status').count(), 0);
    });
  });

  test('sweep of the bulk size with 4 values: charted, table equal to the CLI’s sweep.csv', async () => {
    await setUp();
    const values = '1,10,100,1000';
    const cli = await reglab('sweep', join('scenarios', BVI), '--vary', `msgin5g.bulking.maxSize=${values}`, '--set', 'population.size=2000', '--out', join(tmp, 'sweep'), '--quiet');
    assert.equal(cli.status, 0, cli.stderr);
    const expected = readCsv(readFileSync(join(tmp, 'sweep/sweep.csv'), 'utf8'));
    await onPage(await openPage(`?view=sweep&scenario=${BVI}&set=population.size%3D2000&vary=msgin5g.bulking.maxSize%3D${values}&metric=node.server.cpu_s`), async (page) => {
      await runClick(page);
      const csv = await finishedCsv(page);
      assert.equal(csv.name, 'sweep.csv');
      const strip = (rows: Record<string, string>[]) => rows.map(({ wall_ms: _w, ...r }) => r);
      assert.deepEqual(strip(readCsv(csv.text)), strip(expected));
      const chart = page.getByTestId('sweep-chart');
      assert.equal(await chart.getAttribute('data-log-x'), 'true');
      assert.equal(await chart.locator('.recharts-line-dots circle').count(), 4);
      const shown = await page.locator('[data-testid="sweep-row"] td.num').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
      assert.deepEqual(shown, expected.map((r) => Number(r['node.server.cpu_s'])));
      assert.equal(await page.getByTestId('campaign-progress').getAttribute('data-done'), '4');
    });
  });

  test('policy view on an ffs scenario: 2 policies × 2 seeds, the numbers of reglab compare’s compare.csv', async () => {
    await setUp();
    const policies = 'clear-locally,keep-and-report';
    const cli = await reglab('compare', join('scenarios', FFS), '--policy', `nodes.msc.params.policies.deregFailure=${policies}`, '--seeds', '2', '--set', 'population.size=300', '--out', join(tmp, 'compare'), '--quiet');
    assert.equal(cli.status, 0, cli.stderr);
    const expectedText = readFileSync(join(tmp, 'compare/compare.csv'), 'utf8');
    const expected = readCsv(expectedText);
    await onPage(await openPage(`?view=policies&scenario=${FFS}&set=population.size%3D300&values=${policies}&seeds=2`), async (page) => {
      await runClick(page);
      const csv = await finishedCsv(page);
      assert.equal(csv.name, 'compare.csv');
      assert.equal(csv.text, expectedText);
      const cells = await page.getByTestId('policy-cell').evaluateAll((els) =>
        els.map((e) => ({ policy: e.getAttribute('data-policy')!, metric: e.getAttribute('data-metric')!, mean: e.getAttribute('data-mean')!, sd: e.getAttribute('data-sd')! })),
      );
      assert.ok(cells.length >= 2 * 10, `only ${cells.length} cells`);
      for (const c of cells) {
        const row = expected.find((r) => r.policy === c.policy)!;
        if (row[`${c.metric}.mean`] === 'NaN') assert.equal(c.mean, '');
        else {
          assert.equal(Number(c.mean), Number(row[`${c.metric}.mean`]), `${c.policy} ${c.metric} mean`);
          assert.equal(Number(c.sd), Number(row[`${c.metric}.sd`]), `${c.policy} ${c.metric} sd`);
        }
      }
      await page.getByTestId('spread-chart').nth(9).waitFor();
      assert.equal(await page.getByTestId('policy-signal-chart').getAttribute('data-series'), 'clear-locally|keep-and-report');
    });
  });
});
