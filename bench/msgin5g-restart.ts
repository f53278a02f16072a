/**
 * Benchmark "msgin5g-restart" (issue 4): one million Non-MSGin5G UEs registered again after a
 * Message Gateway restart, bulk and individual — scenarios/sizing/msgin5g-bulk-vs-individual.yaml,
 * the very file users run, through the real loader, builder, recorder and rule checker.
 *
 * Targets: ≤ 10 s wall per mode and ≤ 2 GB peak RSS; a sweep of 6 bulk sizes over 1 M UEs in
 * ≤ 60 s using both cores (`reglab sweep … --workers 2`).
 *
 * Each run happens in its own child process, so its peak RSS is its own. Wall time is the run's
 * (load + build + simulate + rules: Summary.wallMs), CPU time is the child's user+system time over
 * the same span; the machine is shared and noisy, so each mode runs `--repeat` times (default 3) and
 * the median is reported, with the load average at the start.
 *
 *   node --import tsx bench/msgin5g-restart.ts [--population 1000000] [--repeat 3] [--sweep]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = join(ROOT, 'scenarios/sizing/msgin5g-bulk-vs-individual.yaml');
const MODES: Record<string, string[]> = {
  bulk: ['msgin5g.bulking.maxSize=100'],
  individual: ['msgin5g.bulking.maxSize=1'],
};

interface ChildResult {
  mode: string;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  events: number;
  completed: number;
  lastCompletedMs: number;
  serverCpuS: number;
  messages: number;
}

async function child(mode: string, population: number): Promise<void> {
  const { loadScenarioFile } = await import('../sim/scenario/load.ts');
  const { runScenario } = await import('../sim/scenario/run.ts');
  const cpu0 = process.cpuUsage();
  const sc = loadScenarioFile(SCENARIO, { set: [`population.size=${population}`, ...MODES[mode]], skipVariants: true });
  const r = await runScenario(sc);
  const cpu = process.cpuUsage(cpu0);
  const p = r.summary.procedures['msgin5g-registration'];
  const out: ChildResult = {
    mode,
    wallMs: r.summary.wallMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    events: r.summary.events,
    completed: p.completed,
    lastCompletedMs: p.lastCompletedMs,
    serverCpuS: r.summary.nodes.server.busySeconds,
    messages: r.summary.links['gateway→server'].msgs,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      population: { type: 'string', default: '1000000' },
      repeat: { type: 'string', default: '3' },
      sweep: { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  const population = Number(values.population);
  if (values.child) {
    void child(values.child, population);
    return;
  }
  const repeat = Number(values.repeat);
  console.log(`msgin5g-restart: ${population} UEs, ${repeat} run(s) per mode, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const rows: string[] = [];
  for (const mode of Object.keys(MODES)) {
    const runs: ChildResult[] = [];
    for (let k = 0; k < repeat; k++) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, '--population', String(population)], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (r.status !== 0) throw new Error(`${mode}: child failed\n${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
      if (res.completed !== population) throw new Error(`${mode}: ${res.completed} of ${population} registered`);
      runs.push(res);
      console.log(`  ${mode} #${k + 1}: ${(res.wallMs / 1000).toFixed(2)} s wall, ${(res.cpuMs / 1000).toFixed(2)} s CPU, ${res.maxRssMb} MB peak RSS, ${res.events} events`);
    }
    const wall = median(runs.map((r) => r.wallMs)) / 1000;
    const cpu = median(runs.map((r) => r.cpuMs)) / 1000;
    const rss = Math.max(...runs.map((r) => r.maxRssMb));
    const r0 = runs[0];
    const ok = wall <= 10 && rss <= 2048 ? 'met' : 'MISSED';
    rows.push(
      `| ${mode} | ${wall.toFixed(2)} s | ${cpu.toFixed(2)} s | ${rss} MB | ${r0.events} | ${r0.messages} | ${r0.serverCpuS.toFixed(1)} | ${(r0.lastCompletedMs / 1000).toFixed(1)} s | ${ok} |`,
    );
  }
  console.log('\n| mode | wall (median) | CPU (median) | peak RSS (max) | events | gateway→server msgs | server CPU-s (simulated) | all registered at (simulated) | target ≤ 10 s, ≤ 2 GB |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (values.sweep) {
    const dir = mkdtempSync(join(tmpdir(), 'reglab-bench-sweep-'));
    try {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/reglab.mjs'), 'sweep', SCENARIO, '--set', `population.size=${population}`, '--vary', 'msgin5g.bulking.maxSize=1,10,50,100,500,1000', '--workers', '2', '--out', join(dir, 'sweep')],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const s = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`sweep failed\n${r.stderr}`);
      const lines = readFileSync(join(dir, 'sweep', 'sweep.csv'), 'utf8').trim().split('\n').length - 1;
      console.log(`\nsweep: 6 bulk sizes × ${population} UEs on 2 workers: ${s.toFixed(1)} s wall (command start to end), ${lines} rows — target ≤ 60 s: ${s <= 60 ? 'met' : 'MISSED'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
