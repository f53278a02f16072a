import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { rowsToCsv } from '../observe/headline.ts';
import { runJobs } from '../scenario/worker-pool.ts';
import { runManifest, type Job, type JobResult } from '../scenario/job.ts';
import { stat, defaultCompareMetrics, formatCompare, type Stat } from '../observe/compare-table.ts';
import { EXIT_OK, EXIT_STRICT } from '../errors.ts';
import { action, collect, parseWorkers, runOptions, usageError, wholeNumber, type CliCommand } from './common.ts';
import { prepareWritableDir } from './out-path.ts';

export interface CompareOpts {
  policy?: string;
  seeds?: number;
  seed?: number;
  set?: string[];
  metric?: string[];
  workers: number;
  out?: string;
  quiet?: boolean;
}

export const compareCommand: CliCommand = {
  register(program, ctx) {
    const cmd: Command = program
      .command('compare')
      .summary('the same scenario under each policy, K seeds each: mean ± sd per metric')
      .description(
        'Runs SCENARIO under each policy value for K seeds and prints mean ± sd per metric (DIR/compare.csv with --out).\n' +
          "An ffs/ scenario's own compare: section is the default question.",
      )
      .argument('<scenario>', 'a scenario file');
    runOptions(cmd)
      .option('--policy <path=a,b,…>', 'the policy field and at least two values')
      .option('--seeds <k>', 'seeds per policy (1 … 1000; default: the scenario\'s compare.seeds or 5)', wholeNumber('--seeds', 1, 1000))
      .option('--metric <column>', 'a headline column to compare (repeatable)', collect)
      .option('--workers <n>', 'parallel runs (1 … 64)', parseWorkers, 2)
      .option('--out <dir>', 'write compare.csv and manifest.json there')
      .addHelpText(
        'after',
        `
examples:
  reglab compare scenarios/ffs/ics-scscf-overload-mass-detach.yaml
  reglab compare scenarios/ffs/ics-scscf-overload-mass-detach.yaml --seeds 10 --out runs/cmp`,
      )
      .action(action(ctx, (file: string, opts: CompareOpts) => cmdCompare(file, opts)));
  },
};

async function cmdCompare(file: string, opts: CompareOpts): Promise<number> {
  const base = loadScenarioFile(file, { seed: opts.seed, set: opts.set });
  const declared = base.doc.compare;
  let path = declared?.policy;
  let policies = declared?.values;
  if (opts.policy !== undefined) {
    const eq = opts.policy.indexOf('=');
    const vals = eq > 0 ? opts.policy.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean) : [];
    if (eq <= 0 || vals.length < 2) throw usageError(`--policy ${opts.policy}: expected path=a,b[,c…] with at least two policies`);
    path = opts.policy.slice(0, eq).trim();
    policies = vals;
  }
  if (!path || !policies) throw usageError('compare needs --policy path=a,b,… or a scenario with a compare: section');
  const seeds = opts.seeds ?? declared?.seeds ?? 5;
  const workers = opts.workers;
  // Every policy must make a valid scenario before anything runs.
  const problems: string[] = [];
  for (const p of policies) {
    try {
      loadScenarioFile(file, { set: [...(opts.set ?? []), `${path}=${p}`], skipVariants: true });
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const q of err.problems) problems.push(`${path}=${p}: ${q}`);
    }
  }
  if (problems.length) throw new ScenarioError(file, problems);
  if (opts.out) prepareWritableDir(opts.out);
  const jobs: Job[] = policies.flatMap((p) =>
    Array.from({ length: seeds }, (_, k) => ({ label: `${p}#${k}`, file, seed: base.seed + k, sets: [...(opts.set ?? []), `${path}=${p}`] })),
  );
  if (!opts.quiet) console.error(`compare: ${policies.length} policies × ${seeds} seeds = ${jobs.length} runs on ${Math.min(workers, jobs.length)} worker(s)`);
  const results = await runJobs(jobs, workers, (_r, done) => {
    if (!opts.quiet && (done % Math.max(1, Math.floor(jobs.length / 10)) === 0 || done === jobs.length)) console.error(`  ${done}/${jobs.length}`);
  });
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) if (!f.ok) console.error(`run ${f.label} failed: ${f.message}`);
  if (failed.length) return EXIT_STRICT;
  const ok = results as Extract<JobResult, { ok: true }>[];
  const columns = [...new Set(ok.flatMap((r) => Object.keys(r.headline)))];
  const metrics = opts.metric?.length ? opts.metric : (declared?.metrics ?? defaultCompareMetrics(columns));
  const unknown = metrics.filter((m) => !columns.includes(m));
  if (unknown.length) console.error(`note: no run reported ${unknown.join(', ')} (shown as —)`);
  const rows = policies.map((p, i) => {
    const mine = ok.slice(i * seeds, (i + 1) * seeds);
    const stats: Record<string, Stat> = {};
    for (const m of metrics) {
      const xs = mine.map((r) => r.headline[m]).filter((v): v is number => typeof v === 'number');
      stats[m] = stat(xs);
    }
    return { policy: p, stats, hashes: mine.map((r) => r.summary.traceHash) };
  });
  process.stdout.write(formatCompare(path, rows, metrics, seeds));
  if (opts.out) {
    const csvRows = rows.map((r) => {
      const row: Record<string, number | string> = { policy: r.policy, policy_path: path!, seeds, first_seed: base.seed };
      for (const m of metrics) {
        const st = r.stats[m];
        row[`${m}.mean`] = st.mean;
        row[`${m}.sd`] = st.sd;
        row[`${m}.min`] = st.min;
        row[`${m}.max`] = st.max;
      }
      row.trace_hashes = r.hashes.join(' ');
      return row;
    });
    writeFileSync(resolve(opts.out, 'compare.csv'), rowsToCsv(csvRows));
    writeFileSync(
      resolve(opts.out, 'manifest.json'),
      JSON.stringify({ ...runManifest(base.name, file, base.seed, opts.set ?? []), compare: { policy: path, values: policies, seeds } }, null, 2) + '\n',
    );
    console.log(`wrote ${opts.out}/compare.csv`);
  }
  return EXIT_OK;
}
