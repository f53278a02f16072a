import { Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenarioFile } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import { runOutput, writeRunDir } from '../observe/export.ts';
import { formatSummary, formatComparison } from '../observe/summary-table.ts';
import { rowsToCsv } from '../observe/headline.ts';
import { runJobs } from '../scenario/worker-pool.ts';
import { runManifest, type Job, type JobResult } from '../scenario/job.ts';
import { ProgressBar } from '../observe/progress.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from '../errors.ts';
import { action, scenarioCommand, usageError, type CliCommand } from './common.ts';
import { prepareRunDir, prepareWritableDir } from './out-path.ts';
import { replayRun } from './emulate.ts';
import type { Summary } from '../observe/records.ts';

interface RunOpts {
  seed?: number;
  set?: string[];
  out?: string;
  strict?: boolean;
  quiet?: boolean;
  variant?: string;
  /** Added by sim/cli/emulate.ts: an emulation's recording to re-run. */
  replay?: string;
}

export const runCommand: CliCommand = {
  register(program, ctx) {
    scenarioCommand(
      program,
      {
        name: 'run',
        summary: 'run one scenario and print its summary',
        description:
          'Runs SCENARIO in virtual time: progress on stderr, a summary table on stdout.\n' +
          'A scenario with variants: runs each (same seed) and prints them side by side.',
        examples: [
          'reglab run scenarios/learn/request-response.yaml',
          'reglab run scenarios/learn/request-response.yaml --seed 7 --out runs/rr',
          'reglab run scenarios/sizing/ics-storm.yaml --set population.size=10000 -q --strict',
        ],
      },
      'a scenario file (e.g. scenarios/learn/request-response.yaml)',
    )
      .option('--out <dir>', 'write summary.json, metrics.csv, trace.jsonl, trace.pcapng, flows.mmd, rules.json there (with variants: DIR/<variant>/ and DIR/comparison.csv)')
      .option('--strict', 'exit 1 if a rule is violated or a procedure failed')
      .addOption(new Option('--variant <name>', 'run only this variant of the scenario'))
      .action(action(ctx, (file: string, opts: RunOpts) => cmdRun(file, opts)));
  },
};

function failedSomething(s: Summary): boolean {
  return s.rules.failed > 0 || Object.values(s.procedures).some((p) => p.failed + p.abandoned > 0);
}

async function cmdRun(file: string, opts: RunOpts): Promise<number> {
  const base = loadScenarioFile(file, { seed: opts.seed, set: opts.set });
  const variants = base.doc.variants ?? {};
  if (opts.variant !== undefined && !(opts.variant in variants)) {
    throw usageError(`--variant ${opts.variant}: the scenario has ${Object.keys(variants).length ? `variants ${Object.keys(variants).join(', ')}` : 'no variants'}`);
  }
  if (opts.variant === undefined && Object.keys(variants).length > 0) {
    return runVariants(file, base.seed, variants, opts);
  }
  const sc = opts.variant
    ? loadScenarioFile(file, { seed: opts.seed, set: [...(opts.set ?? []), ...variants[opts.variant]], skipVariants: true })
    : base;
  if (opts.out) prepareRunDir(opts.out);
  const bar = opts.quiet ? undefined : new ProgressBar(process.stderr, sc.name);
  const result = opts.replay !== undefined ? await replayRun(sc, opts.replay) : await runScenario(sc, { onProgress: bar ? (p) => bar.update(p) : undefined });
  bar?.done();
  if (opts.out) {
    await writeRunDir(opts.out, runOutput(result, runManifest(sc.name, sc.file, sc.seed, sc.sets)));
  }
  if (opts.out && !result.extra.some((f) => f.name === 'trace.pcapng') && !opts.quiet) {
    // Said, not silent (issue 11 item 14): a capture needs messages with a wire format.
    console.error(`note: no trace.pcapng — ${sc.name}'s messages have no wire protocol to capture (SIP, Diameter and HTTP scenarios write one)`);
  }
  process.stdout.write(formatSummary(result.summary, result.rules, opts.out));
  return opts.strict && failedSomething(result.summary) ? EXIT_STRICT : EXIT_OK;
}

/** Every variant on the same seed, two at a time, then a side-by-side table. */
async function runVariants(file: string, seed: number, variants: Record<string, string[]>, opts: RunOpts): Promise<number> {
  const names = Object.keys(variants);
  const out = opts.out;
  // Every variant's directory is checked before anything runs: no run wasted, nothing half-written.
  if (out) {
    for (const name of names) prepareRunDir(resolve(out, name));
    prepareWritableDir(out);
  }
  const jobs: Job[] = names.map((name) => ({
    label: name,
    file,
    seed,
    sets: [...(opts.set ?? []), ...variants[name]],
    out: out ? resolve(out, name) : undefined,
  }));
  if (!opts.quiet) console.error(`running ${names.length} variants: ${names.join(', ')}`);
  const results = await runJobs(jobs, 2, (r, done) => {
    if (!opts.quiet) console.error(`  ${done}/${jobs.length} ${r.label} ${r.ok ? `done in ${(r.summary.wallMs / 1000).toFixed(1)} s` : `failed: ${r.code}`}`);
  });
  const failed = results.filter((r): r is Extract<JobResult, { ok: false }> => !r.ok);
  for (const f of failed) console.error(`variant ${f.label}: ${f.message}`);
  if (failed.length) return failed.some((f) => f.code === 'E_SCENARIO') ? EXIT_BAD_INPUT : EXIT_STRICT;
  const ok = results as Extract<JobResult, { ok: true }>[];
  if (out) writeFileSync(resolve(out, 'comparison.csv'), rowsToCsv(ok.map((r) => ({ variant: r.label, seed, ...r.headline }))));
  process.stdout.write(formatComparison(ok.map((r) => ({ label: r.label, summary: r.summary, headline: r.headline }))));
  if (out) console.log(`wrote ${out}/comparison.csv and ${names.map((n) => `${out}/${n}/`).join(', ')}`);
  return opts.strict && ok.some((r) => failedSomething(r.summary)) ? EXIT_STRICT : EXIT_OK;
}
