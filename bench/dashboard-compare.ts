/**
 * Issue 14's targets: sizing/msgin5g-bulk-vs-individual.yaml, both variants at 1M UEs, run from the
 * dashboard's Compare view against `reglab run` on the same file and machine.
 *
 *   - click → both variants' charts and totals drawn ≤ 1.25 × the CLI's wall time;
 *   - /api/health answers in < 100 ms (p99) while the comparison runs;
 *   - the page stays responsive: no frame gap > 200 ms while results arrive.
 *
 * A/B alternate (CLI, page, CLI, page, …; --runs N pairs, default 2) because the machine is shared;
 * the medians are printed with the load average. The server is `reglab serve --port 0` in its own
 * process (as a user starts it); health is polled from this process every 50 ms; frame gaps are
 * measured in the page with requestAnimationFrame from the click until the charts are drawn.
 *
 *   node --import tsx bench/dashboard-compare.ts [--runs 2] [--population 1000000]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = 'sizing/msgin5g-bulk-vs-individual.yaml';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : def;
}

const runs = Number(arg('runs', '2'));
const population = Number(arg('population', '1000000'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
}

function cliWallMs(): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/reglab.mjs'), 'run', join(ROOT, 'scenarios', SCENARIO), '--set', `population.size=${population}`, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reglab run failed: ${r.stderr}`);
  return performance.now() - t0;
}

async function startServe(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/reglab.mjs'), 'serve', '--port', '0', '--build-if-needed'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /RegLab dashboard: (\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.once('exit', (code) => rej(new Error(`reglab serve exited (${code})`)));
  });
  return { url, proc };
}

async function main(): Promise<void> {
  const { url, proc } = await startServe();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const cli: number[] = [];
  const page: number[] = [];
  const health: number[] = [];
  const gaps: number[] = [];
  const longTasks: number[] = [];
  const idleHealth: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const load = loadavg()[0]!.toFixed(1);
      const c = cliWallMs();
      cli.push(c);
      const p = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
      await p.goto(`${url}?view=compare&scenario=${SCENARIO}&set=population.size%3D${population}`);
      await p.locator('[data-testid="params-status"][data-state="ok"]').waitFor({ timeout: 30_000 });
      // Frame gaps from the click until the charts are drawn.
      // A string, not a function: tsx's transform would wrap a function in helpers the page lacks.
      await p.evaluate(`(() => {
        window.__gap = 0;
        window.__stop = false;
        let last = performance.now();
        const tick = (now) => {
          window.__gap = Math.max(window.__gap, now - last);
          last = now;
          if (!window.__stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        // Long tasks on the page's main thread: a frame gap with no long task is the OS not
        // scheduling the renderer (a loaded machine), not the page's own work.
        window.__longest = 0;
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
        }).observe({ type: 'longtask' });
      })()`);
      // The same health poll for 3 s with nothing running: the machine's own noise, for comparison.
      const idle: number[] = [];
      for (const tEnd = performance.now() + 3000; performance.now() < tEnd; ) {
        const t1 = performance.now();
        await (await fetch(new URL('api/health', url))).arrayBuffer();
        idle.push(performance.now() - t1);
        await new Promise((r) => setTimeout(r, 50));
      }
      idleHealth.push(...idle);
      let polling = true;
      const h: number[] = [];
      const poll = (async () => {
        while (polling) {
          const t0 = performance.now();
          await (await fetch(new URL('api/health', url))).arrayBuffer();
          h.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const t0 = performance.now();
      await p.getByTestId('campaign-run').click();
      await p.locator('[data-testid="load-chart"][data-series="bulk|individual"]').first().waitFor({ timeout: 600_000 });
      await p.locator('[data-testid="completion-chart"][data-series="bulk|individual"]').first().waitFor({ timeout: 600_000 });
      await p.getByTestId('download-csv').waitFor({ timeout: 600_000 });
      const ms = performance.now() - t0;
      polling = false;
      await poll;
      const [gap, longest] = (await p.evaluate('(() => { window.__stop = true; return [window.__gap, window.__longest]; })()')) as [number, number];
      await p.close();
      page.push(ms);
      health.push(...h);
      gaps.push(gap);
      longTasks.push(longest);
      console.log(
        `pair ${i + 1}: load ${load}  cli ${(c / 1000).toFixed(1)} s  page ${(ms / 1000).toFixed(1)} s  ratio ${(ms / c).toFixed(2)}  health p99 ${percentile(h, 0.99).toFixed(1)} ms (max ${Math.max(...h).toFixed(1)}, n=${h.length})  max frame gap ${gap.toFixed(0)} ms (longest task ${longest.toFixed(0)} ms); idle health p99 ${percentile(idle, 0.99).toFixed(1)} ms`,
      );
    }
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
  }
  const ratio = median(page) / median(cli);
  console.log(
    `\nmedian of ${runs}: cli ${(median(cli) / 1000).toFixed(1)} s, page ${(median(page) / 1000).toFixed(1)} s → ${ratio.toFixed(2)}× (target ≤ 1.25); ` +
      `/api/health p99 ${percentile(health, 0.99).toFixed(1)} ms over ${health.length} requests (target < 100); max frame gap ${Math.max(...gaps).toFixed(0)} ms (target ≤ 200), longest page task ${Math.max(...longTasks).toFixed(0)} ms; idle server health p99 ${percentile(idleHealth, 0.99).toFixed(1)} ms`,
  );
}

await main();
