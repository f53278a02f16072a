import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { rowsToCsv } from '../observe/headline.ts';
import { runJobs } from '../scenario/worker-pool.ts';
import type { Job } from '../scenario/job.ts';
import { wallClockMs } from '../kernel/real-time-clock.ts';
import { EXIT_OK, EXIT_STRICT } from '../errors.ts';
import { action, collect, parseWorkers, runOptions, usageError, type CliCommand } from './common.ts';
import { prepareWritableDir } from './out-path.ts';

export interface SweepOpts {
  vary?: string[];
  seed?: number;
  set?: string[];
  workers: number;
  out?: string;
  quiet?: boolean;
}

export interface Axis {
  path: string;
  vals: string[];
}

/** `--vary path=v1,v2,…` → an axis, or a usage error with an example. */
export function parseVary(v: string): Axis {
  const eq = v.indexOf('=');
  const vals = eq > 0 ? v.slice(eq + 1).split(',').map((x) => x.trim()).filter((x) => x !== '') : [];
  if (eq <= 0 || vals.length === 0) throw usageError(`--vary ${v}: expected path=v1,v2,… (e.g. --vary network.defaults.loss=0,1%,5%)`);
  return { path: v.slice(0, eq).trim(), vals };
}

/** Every combination of the axes' values, as --set strings. */
export function combinations(axes: readonly Axis[]): string[][] {
  return axes.reduce<string[][]>((acc, ax) => acc.flatMap((c) => ax.vals.map((v) => [...c, `${ax.path}=${v}`])), [[]]);
}

export const sweepCommand: CliCommand = {
  register(program, ctx) {
    const cmd: Command = program
      .command('sweep')
      .summary('run every combination of varied values; one row per run in sweep.csv')
      .description('Runs SCENARIO once per combination of the --vary values, on a worker pool, and writes DIR/sweep.csv.')
      .argument('<scenario>', 'a scenario file');
    runOptions(cmd)
      .option('--vary <path=v1,v2,…>', 'a field and its values (repeatable: the runs are every combination)', collect)
      .option('--workers <n>', 'parallel runs (1 … 64)', parseWorkers, 2)
      .option('--out <dir>', 'where sweep.csv goes (required)')
      .addHelpText(
        'after',
        `
examples:
  reglab sweep scenarios/sizing/ics-storm.yaml --vary nodes.scscf.workers=1,2,4 --out runs/sweep
  reglab sweep scenarios/learn/request-response.yaml --vary network.defaults.loss=0,1%,5% --vary seed=1,2 --out runs/loss`,
      )
      .action(action(ctx, (file: string, opts: SweepOpts) => cmdSweep(file, opts)));
  },
};

async function cmdSweep(file: string, opts: SweepOpts): Promise<number> {
  if (!opts.out) throw usageError('sweep needs --out DIR (it writes DIR/sweep.csv)');
  if (!opts.vary?.length) throw usageError('sweep needs at least one --vary path=v1,v2,…');
  const axes = opts.vary.map(parseVary);
  // Check the scenario and every varied value before starting anything.
  const base = loadScenarioFile(file, { seed: opts.seed, set: opts.set });
  const combos = combinations(axes);
  const problems: string[] = [];
  for (const c of combos) {
    try {
      loadScenarioFile(file, { seed: opts.seed, set: [...(opts.set ?? []), ...c], skipVariants: true });
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) problems.push(`${c.join(' ')}: ${p}`);
    }
  }
  if (problems.length) throw new ScenarioError(file, [...new Set(problems)]);
  prepareWritableDir(opts.out);
  const jobs: Job[] = combos.map((c, i) => ({ label: String(i + 1), file, seed: base.seed, sets: [...(opts.set ?? []), ...c] }));
  if (!opts.quiet) console.error(`sweep: ${jobs.length} runs on ${Math.min(opts.workers, jobs.length)} worker(s)`);
  const t0 = wallClockMs();
  const results = await runJobs(jobs, opts.workers, (r, done) => {
    if (!opts.quiet) console.error(`  ${done}/${jobs.length} run ${r.label} ${r.ok ? `(${(r.summary.wallMs / 1000).toFixed(1)} s)` : `failed: ${r.code}`}`);
  });
  const rows = results.map((r, i) => {
    const varied = Object.fromEntries(combos[i].map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
    return r.ok ? { run: i + 1, ...varied, seed: base.seed, status: 'ok', ...r.headline } : { run: i + 1, ...varied, seed: base.seed, status: `failed: ${r.code}` };
  });
  writeFileSync(resolve(opts.out, 'sweep.csv'), rowsToCsv(rows));
  console.log(`sweep: ${jobs.length} runs in ${((wallClockMs() - t0) / 1000).toFixed(1)} s wall, wrote ${opts.out}/sweep.csv`);
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) if (!f.ok) console.error(`run ${f.label} failed: ${f.message}`);
  return failed.length ? EXIT_STRICT : EXIT_OK;
}
