import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, ScenarioError, type Scenario } from './scenario/load.ts';
import { runScenario } from './scenario/run.ts';
import { scenarioJsonSchema } from './scenario/schema.ts';
import { writeRunDir, checkRunDir } from './observe/export.ts';
import { formatSummary, formatComparison } from './observe/summary-table.ts';
import { rowsToCsv } from './observe/headline.ts';
import { runJobs } from './scenario/worker-pool.ts';
import { runManifest, type Job, type JobResult } from './scenario/job.ts';
import { stat, defaultCompareMetrics, formatCompare, type Stat } from './observe/compare-table.ts';
import { ProgressBar } from './observe/progress.ts';
import { REGLAB_VERSION } from './version.ts';
import { wallClockMs } from './kernel/real-time-clock.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from './errors.ts';
import { cmdEmulate, EMULATE_USAGE } from './emulate/command.ts';
import { runReplay } from './emulate/replay.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `reglab ${REGLAB_VERSION} — 3GPP registration-on-behalf simulator

usage:
  reglab run SCENARIO [--seed N] [--set path=value]… [--out DIR] [--strict] [--quiet] [--variant NAME] [--replay EMULATION_DIR]
      a scenario with variants runs each of them (on the same seed) and prints them side by side;
      --out DIR then gets DIR/<variant>/ and DIR/comparison.csv
  reglab sweep SCENARIO --vary path=v1,v2,… [--vary …] [--seed N] [--set …] [--workers N] --out DIR
      runs every combination of the varied values on a worker pool; one row per run in DIR/sweep.csv
  reglab compare SCENARIO [--policy path=a,b,c] [--seeds K] [--metric COL]… [--workers N] [--out DIR]
      the same faults under each policy, K seeds each: mean ± sd per metric, DIR/compare.csv;
      an ffs/ scenario's own compare: section is the default question
  reglab validate SCENARIO…
${EMULATE_USAGE}
  reglab serve [--port N] [--host ADDR] [--build-if-needed]
  reglab schema [--out FILE]        write the scenario JSON Schema (default docs/scenario.schema.json)

exit codes: 0 success, 1 rules violated or procedures failed (with --strict), 2 bad input`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'validate':
        return cmdValidate(rest);
      case 'sweep':
        return await cmdSweep(rest);
      case 'compare':
        return await cmdCompare(rest);
      case 'serve':
        return await cmdServe(rest);
      case 'emulate':
        return await cmdEmulate(rest);
      case 'schema':
        return cmdSchema(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return cmd === undefined ? EXIT_BAD_INPUT : EXIT_OK;
      case '--version':
        console.log(REGLAB_VERSION);
        return EXIT_OK;
      default:
        console.error(`reglab: unknown command '${cmd}' [E_USAGE]\n\n${USAGE}`);
        return EXIT_BAD_INPUT;
    }
  } catch (err) {
    if (err instanceof ScenarioError) {
      console.error(`reglab: invalid scenario [${err.code}]\n${err.message}`);
      return EXIT_BAD_INPUT;
    }
    const e = err as Error & { code?: string };
    if (e.code === 'E_OUT_DIR' || e.code === 'E_REPLAY' || e.code === 'E_USAGE' || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`reglab: ${e.message} [${e.code?.startsWith('ERR_PARSE_ARGS') ? 'E_USAGE' : e.code}]`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'E_USAGE' });
}

function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) > 2 ** 32 - 1) throw usageError(`--seed ${v}: expected a whole number from 0 to 4294967295`);
  return Number(v);
}

async function cmdRun(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      variant: { type: 'string' },
      replay: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usageError('run takes exactly one scenario file');
  const seed = parseSeed(values.seed);
  const base = loadScenarioFile(positionals[0], { seed, set: values.set });
  const variants = base.doc.variants ?? {};
  if (values.variant !== undefined && !(values.variant in variants)) {
    throw usageError(`--variant ${values.variant}: the scenario has ${Object.keys(variants).length ? `variants ${Object.keys(variants).join(', ')}` : 'no variants'}`);
  }
  if (values.variant === undefined && Object.keys(variants).length > 0) {
    return runVariants(positionals[0], base.seed, values.set ?? [], variants, values.out, values.strict, values.quiet);
  }
  const sc = values.variant
    ? loadScenarioFile(positionals[0], { seed, set: [...(values.set ?? []), ...variants[values.variant]], skipVariants: true })
    : base;
  if (values.out) checkRunDir(values.out);
  const bar = values.quiet ? undefined : new ProgressBar(process.stderr, sc.name);
  // --replay DIR: the recording of a `reglab emulate` run, re-run in virtual time (sim/emulate/replay.ts).
  const result = values.replay !== undefined ? runReplay(sc, values.replay) : await runScenario(sc, { onProgress: bar ? (p) => bar.update(p) : undefined });
  bar?.done();
  if (values.out) {
    await writeRunDir(values.out, {
      summary: result.summary,
      rules: result.rules,
      trace: result.trace,
      samples: result.samples,
      probes: result.probes,
      nodes: result.nodes,
      manifest: runManifest(sc.name, sc.file, sc.seed, sc.sets),
      extra: result.extra,
    });
  }
  process.stdout.write(formatSummary(result.summary, result.rules, values.out));
  if (values.strict) {
    const failedProcs = Object.values(result.summary.procedures).some((p) => p.failed + p.abandoned > 0);
    if (result.summary.rules.failed > 0 || failedProcs) return EXIT_STRICT;
  }
  return EXIT_OK;
}

function cmdValidate(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw usageError('validate takes one or more scenario files');
  let bad = 0;
  for (const f of positionals) {
    try {
      const sc = loadScenarioFile(f);
      console.log(`ok: ${f} — ${sc.doc.nodes.length} nodes, population ${sc.doc.population.size}, ${sc.doc.workload.length} workload(s)`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      bad++;
      console.error(err.message);
    }
  }
  return bad > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

async function cmdServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'build-if-needed': { type: 'boolean', default: false },
      scenarios: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${values.port}: expected a port number from 0 to 65535`);
  const { startServer } = await import('./server/server.ts');
  const server = await startServer({
    host: values.host,
    port,
    scenariosDir: resolve(values.scenarios ?? resolve(ROOT, 'scenarios')),
    buildIfNeeded: values['build-if-needed'],
    log: (line) => console.error(line),
  });
  console.log(`RegLab dashboard: ${server.url}`);
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT_OK;
}

function cmdSchema(args: string[]): number {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? resolve(ROOT, 'docs/scenario.schema.json'));
  mkdirSync(dirname(out), { recursive: true });
  const schema = { ...(scenarioJsonSchema() as object), title: 'RegLab scenario' };
  writeFileSync(out, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${out}`);
  return EXIT_OK;
}

/** Every variant on the same seed, two at a time, then a side-by-side table. */
async function runVariants(
  file: string,
  seed: number,
  sets: string[],
  variants: Record<string, string[]>,
  out: string | undefined,
  strict: boolean,
  quiet: boolean,
): Promise<number> {
  const names = Object.keys(variants);
  // Every variant's directory is checked before anything runs: no run wasted, nothing half-written.
  if (out) for (const name of names) checkRunDir(resolve(out, name));
  const jobs: Job[] = names.map((name) => ({
    label: name,
    file,
    seed,
    sets: [...sets, ...variants[name]],
    out: out ? resolve(out, name) : undefined,
  }));
  if (!quiet) console.error(`running ${names.length} variants: ${names.join(', ')}`);
  const results = await runJobs(jobs, 2, (r, done) => {
    if (!quiet) console.error(`  ${done}/${jobs.length} ${r.label} ${r.ok ? `done in ${(r.summary.wallMs / 1000).toFixed(1)} s` : `failed: ${r.code}`}`);
  });
  const failed = results.filter((r): r is Extract<JobResult, { ok: false }> => !r.ok);
  for (const f of failed) console.error(`variant ${f.label}: ${f.message}`);
  if (failed.length) return failed.some((f) => f.code === 'E_SCENARIO') ? EXIT_BAD_INPUT : EXIT_STRICT;
  const ok = results as Extract<JobResult, { ok: true }>[];
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(resolve(out, 'comparison.csv'), rowsToCsv(ok.map((r) => ({ variant: r.label, seed, ...r.headline }))));
  }
  process.stdout.write(formatComparison(ok.map((r) => ({ label: r.label, summary: r.summary, headline: r.headline }))));
  if (out) console.log(`wrote ${out}/comparison.csv and ${names.map((n) => `${out}/${n}/`).join(', ')}`);
  if (strict && ok.some((r) => r.summary.rules.failed > 0 || Object.values(r.summary.procedures).some((p) => p.failed + p.abandoned > 0))) {
    return EXIT_STRICT;
  }
  return EXIT_OK;
}

async function cmdSweep(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      vary: { type: 'string', multiple: true },
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      workers: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw usageError('sweep takes exactly one scenario file');
  if (!values.out) throw usageError('sweep needs --out DIR (it writes DIR/sweep.csv)');
  if (!values.vary?.length) throw usageError('sweep needs at least one --vary path=v1,v2,…');
  const workers = values.workers === undefined ? 2 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw usageError(`--workers ${values.workers}: expected a whole number from 1 to 64`);
  const axes = values.vary.map((v) => {
    const eq = v.indexOf('=');
    const vals = eq > 0 ? v.slice(eq + 1).split(',').map((x) => x.trim()).filter((x) => x !== '') : [];
    if (eq <= 0 || vals.length === 0) throw usageError(`--vary ${v}: expected path=v1,v2,… (e.g. --vary network.defaults.loss=0,1%,5%)`);
    return { path: v.slice(0, eq).trim(), vals };
  });
  // Check the scenario and every varied value before starting anything.
  const seed = parseSeed(values.seed);
  const base = loadScenarioFile(positionals[0], { seed, set: values.set });
  const combos = axes.reduce<string[][]>((acc, ax) => acc.flatMap((c) => ax.vals.map((v) => [...c, `${ax.path}=${v}`])), [[]]);
  const problems: string[] = [];
  for (const c of combos) {
    try {
      loadScenarioFile(positionals[0], { seed, set: [...(values.set ?? []), ...c], skipVariants: true });
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) problems.push(`${c.join(' ')}: ${p}`);
    }
  }
  if (problems.length) throw new ScenarioError(positionals[0], [...new Set(problems)]);
  const jobs: Job[] = combos.map((c, i) => ({ label: String(i + 1), file: positionals[0], seed: base.seed, sets: [...(values.set ?? []), ...c] }));
  if (!values.quiet) console.error(`sweep: ${jobs.length} runs on ${Math.min(workers, jobs.length)} worker(s)`);
  const t0 = wallClockMs();
  const results = await runJobs(jobs, workers, (r, done) => {
    if (!values.quiet) console.error(`  ${done}/${jobs.length} run ${r.label} ${r.ok ? `(${(r.summary.wallMs / 1000).toFixed(1)} s)` : `failed: ${r.code}`}`);
  });
  const rows = results.map((r, i) => {
    const varied = Object.fromEntries(combos[i].map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
    return r.ok ? { run: i + 1, ...varied, seed: base.seed, status: 'ok', ...r.headline } : { run: i + 1, ...varied, seed: base.seed, status: `failed: ${r.code}` };
  });
  mkdirSync(values.out, { recursive: true });
  writeFileSync(resolve(values.out, 'sweep.csv'), rowsToCsv(rows));
  console.log(`sweep: ${jobs.length} runs in ${((wallClockMs() - t0) / 1000).toFixed(1)} s wall, wrote ${values.out}/sweep.csv`);
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) if (!f.ok) console.error(`run ${f.label} failed: ${f.message}`);
  return failed.length ? EXIT_STRICT : EXIT_OK;
}

async function cmdCompare(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      seeds: { type: 'string' },
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      metric: { type: 'string', multiple: true },
      workers: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw usageError('compare takes exactly one scenario file');
  const file = positionals[0];
  const base = loadScenarioFile(file, { seed: parseSeed(values.seed), set: values.set });
  const declared = base.doc.compare;
  let path = declared?.policy;
  let policies = declared?.values;
  if (values.policy !== undefined) {
    const eq = values.policy.indexOf('=');
    const vals = eq > 0 ? values.policy.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean) : [];
    if (eq <= 0 || vals.length < 2) throw usageError(`--policy ${values.policy}: expected path=a,b[,c…] with at least two policies`);
    path = values.policy.slice(0, eq).trim();
    policies = vals;
  }
  if (!path || !policies) throw usageError('compare needs --policy path=a,b,… or a scenario with a compare: section');
  const seeds = values.seeds !== undefined ? Number(values.seeds) : (declared?.seeds ?? 5);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 1000) throw usageError(`--seeds ${values.seeds}: expected a whole number from 1 to 1000`);
  const workers = values.workers === undefined ? 2 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw usageError(`--workers ${values.workers}: expected a whole number from 1 to 64`);
  // Every policy must make a valid scenario before anything runs.
  const problems: string[] = [];
  for (const p of policies) {
    try {
      loadScenarioFile(file, { set: [...(values.set ?? []), `${path}=${p}`], skipVariants: true });
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const q of err.problems) problems.push(`${path}=${p}: ${q}`);
    }
  }
  if (problems.length) throw new ScenarioError(file, problems);
  const jobs: Job[] = policies.flatMap((p) =>
    Array.from({ length: seeds }, (_, k) => ({ label: `${p}#${k}`, file, seed: base.seed + k, sets: [...(values.set ?? []), `${path}=${p}`] })),
  );
  if (!values.quiet) console.error(`compare: ${policies.length} policies × ${seeds} seeds = ${jobs.length} runs on ${Math.min(workers, jobs.length)} worker(s)`);
  const results = await runJobs(jobs, workers, (r, done) => {
    if (!values.quiet && (done % Math.max(1, Math.floor(jobs.length / 10)) === 0 || done === jobs.length)) console.error(`  ${done}/${jobs.length}`);
  });
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) if (!f.ok) console.error(`run ${f.label} failed: ${f.message}`);
  if (failed.length) return EXIT_STRICT;
  const ok = results as Extract<JobResult, { ok: true }>[];
  const columns = [...new Set(ok.flatMap((r) => Object.keys(r.headline)))];
  const metrics = values.metric?.length ? values.metric : (declared?.metrics ?? defaultCompareMetrics(columns));
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
  if (values.out) {
    mkdirSync(values.out, { recursive: true });
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
    writeFileSync(resolve(values.out, 'compare.csv'), rowsToCsv(csvRows));
    writeFileSync(
      resolve(values.out, 'manifest.json'),
      JSON.stringify({ ...runManifest(base.name, file, base.seed, values.set ?? []), compare: { policy: path, values: policies, seeds } }, null, 2) + '\n',
    );
    console.log(`wrote ${values.out}/compare.csv`);
  }
  return EXIT_OK;
}
