/**
 * The Queue view in a real browser (Debian's Chromium) against a real server started with --queue,
 * a real redis-server of the test's own (free loopback port, temp dir, stopped by PID) and real
 * `reglab sweep --queue` / `reglab worker` processes: an empty queue, a campaign waiting for a
 * worker, the counts moving to done once one starts, the worker listed with its last-seen time,
 * Redis unreachable (the server's Redis paused by PID) and back, and no queue configured.
 * REGLAB_SCREENSHOT=1 also saves docs/images/dashboard-queue.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { startRedis, type TestRedis } from '../campaign/redis-server.ts';
import { reglab, spawnReady, stopProc, type Proc } from '../reglab-process.ts';
import { CHROMIUM, openPage, ROOT } from './browser.ts';

const LEARN = 'scenarios/learn/request-response.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'reglab-e2e-queue-'));
let redis: TestRedis;
let server: RunningServer;
let plain: RunningServer;
let browser: Browser;
const procs: ChildProcess[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the browser tests need Debian's Chromium (.ci/run installs it)`);
  redis = await startRedis();
  server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios'), buildIfNeeded: true, queue: redis.url });
  plain = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  for (const p of procs) await stopProc(p, 'SIGKILL');
  await server?.close();
  await plain?.close();
  if (redis) {
    try {
      process.kill(redis.pid, 'SIGCONT'); // in case a failed test left it paused
    } catch {
      // already gone
    }
    await redis.stop();
  }
  rmSync(tmp, { recursive: true, force: true });
});

const attr = async (page: Page, testId: string, name: string) => page.getByTestId(testId).first().getAttribute(name);

test('a distributed campaign in the Queue view: empty, waiting for a worker, counts moving to done, the worker listed', { timeout: 240_000 }, async () => {
  const { page, problems } = await openPage(browser, new URL('/?view=queue', server.url).href, { width: 1440, height: 1100 });
  try {
    await page.locator('[data-testid="queue-view"][data-kind="empty"]').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('queue-empty').innerText(), /queue is empty[\s\S]*reglab worker --queue redis:\/\/127\.0\.0\.1:\d+/);
    await page.getByTestId('queue-no-workers').waitFor();

    // A real coordinator with no worker yet: its campaign waits, and the page says why.
    const out = join(tmp, 'sweep');
    const coordinator: Promise<Proc> = reglab('sweep', LEARN, '--vary', 'population.size=20000,20001,20002', '--seed', '3', '--queue', redis.url, '--out', out, '--quiet');
    await page.locator('[data-testid="queue-totals"][data-total="3"][data-done="0"][data-waiting="3"]').waitFor({ timeout: 60_000 });
    assert.equal(await attr(page, 'queue-campaign', 'data-state'), 'running');
    assert.match(await page.getByTestId('queue-notes').innerText(), /No worker of RegLab \S+ is connected, so 3 runs wait/);

    // A real worker: it is listed, and the counts move to done.
    const worker = await spawnReady(['bin/reglab.mjs', 'worker', '--queue', redis.url, '--concurrency', '1'], /worker \S+: RegLab/);
    procs.push(worker.proc);
    const row = page.locator(`[data-testid="queue-worker"][data-pid="${worker.proc.pid}"]`);
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.getByTestId('queue-worker-seen').innerText(), /^\d+(\.\d)? s ago$/);
    await page.locator('[data-testid="queue-campaign"][data-state="finished"][data-done="3"][data-failed="0"][data-total="3"]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="queue-totals"][data-scope="latest"][data-done="3"][data-waiting="0"]').waitFor();
    await page.locator(`[data-testid="queue-worker"][data-pid="${worker.proc.pid}"][data-done="3"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('queue-notes').count(), 0, 'no note once a worker took the runs');
    const r = await coordinator;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').length, 4, 'the coordinator wrote its 3 rows');

    if (process.env.REGLAB_SCREENSHOT === '1') {
      const png = join(ROOT, 'docs/images/dashboard-queue.png');
      mkdirSync(dirname(png), { recursive: true });
      await page.screenshot({ path: png, fullPage: true });
    }

    // Redis stops answering (paused by its PID): the URL, the error and the fix; back when it answers.
    process.kill(redis.pid, 'SIGSTOP');
    try {
      await page.locator('[data-testid="queue-view"][data-kind="unreachable"]').waitFor({ timeout: 20_000 });
      const text = await page.getByTestId('queue-unreachable').innerText();
      assert.match(text, new RegExp(`Redis unreachable: redis://127\\.0\\.0\\.1:${redis.port}`));
      assert.match(text, new RegExp(`Is redis-server running at 127\\.0\\.0\\.1:${redis.port}\\?`));
      assert.equal(await attr(page, 'queue-overview', 'data-stale'), 'true', 'the last known counts stay, marked stale');
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await page.locator('[data-testid="queue-view"][data-kind="active"]').waitFor({ timeout: 20_000 });
    await stopProc(worker.proc);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a server without --queue says no queue is configured and how to start one', async () => {
  const { page, problems } = await openPage(browser, new URL('/?view=queue', plain.url).href);
  try {
    await page.getByTestId('queue-disabled').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('queue-disabled').innerText(), /No queue configured[\s\S]*reglab serve --queue redis:\/\//);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
