/**
 * Entry point of the benchmarks: `npm run bench -- [NAME] [options]` (NAME defaults to dereg-chain).
 *
 *   npm run bench                                   dereg-chain at N = 10k, 100k, 1M, 3 runs each
 *   npm run bench -- dereg-chain --n 100000 --repeat 5
 *   npm run bench -- dereg-chain --write-triggers triggers.csv   (replay them in another simulator)
 *   npm run bench -- dereg-chain --triggers triggers.csv --n 1000 --write-completions done.csv
 *   npm run bench -- ics-storm --runs 3             any other bench/NAME.ts, run as its own script
 *   npm run bench -- --list
 *
 * dereg-chain runs every measurement in a fresh child process (this file with --child), so the peak
 * RSS reported for an N is that run's own, and the model and the bare loop never share a heap.
 * Results go to stdout as tables; `--json FILE` keeps every run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, createWriteStream } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EVENTS_PER_PROCEDURE,
  NODE_IDS,
  formatTriggersCsv,
  generateTriggers,
  parseTriggersCsv,
  runBareLoop,
  runDeregChain,
  type BareLoopResult,
  type DeregChainResult,
} from './dereg-chain.ts';
import { runDirect } from './dereg-chain-direct.ts';

const SELF = fileURLToPath(import.meta.url);
const BENCH_DIR = dirname(SELF);

class UsageError extends Error {}

// ---- dispatch ------------------------------------------------------------------------------------

/** The other benchmarks are scripts of their own: bench/NAME.ts. */
function scripts(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('dereg-chain'))
    .map((f) => basename(f, '.ts'))
    .sort();
}

function list(): void {
  const lines = [
    'usage: npm run bench -- [NAME] [options]',
    '',
    '  dereg-chain       kernel benchmark (default): --n 10000,100000,1000000 --repeat 3 --seed 1',
    '                    --triggers FILE | --write-triggers FILE | --write-completions FILE',
    '                    --warmup 5000 --no-bare --no-split --json FILE',
    '                    (--no-split: skip the hand-written model and the bare loop with the model\'s delays)',
  ];
  for (const s of scripts()) lines.push(`  ${s.padEnd(17)} bench/${s}.ts (its own options)`);
  process.stdout.write(lines.join('\n') + '\n');
}

function runScript(name: string, args: string[]): number {
  if (!scripts().includes(name)) throw new UsageError(`unknown benchmark '${name}'`);
  // --expose-gc: some micro-benchmarks collect between repetitions when they can.
  const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', join(BENCH_DIR, `${name}.ts`), ...args], {
    stdio: 'inherit',
  });
  return r.status ?? 1;
}

// ---- dereg-chain: parent -------------------------------------------------------------------------

/**
 * One child process: the first timed run after the warm-up (what a user running one simulation in a
 * process gets; peak RSS is taken right after it), then a second, steady-state run of the same N
 * (JIT and heap sizes settled).
 */
interface ModelRun extends DeregChainResult {
  maxRssMb: number;
  steady: DeregChainResult;
}
interface BareRun extends BareLoopResult {
  maxRssMb: number;
  steady: BareLoopResult;
}
/** The comparison runs of one N: the reference bare loop, and the two that split the gap to it. */
interface Comparison {
  bare: BareRun[];
  /** The bare loop with the model's delays between events. */
  bareModel: BareRun[];
  /** The hand-written model (dereg-chain-direct.ts). */
  direct: ModelRun[];
}

function deregChain(args: string[]): void {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      n: { type: 'string' },
      repeat: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      triggers: { type: 'string' },
      'write-triggers': { type: 'string' },
      'write-completions': { type: 'string' },
      warmup: { type: 'string', default: '5000' },
      'no-bare': { type: 'boolean', default: false },
      'no-split': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const repeat = positiveInt(values.repeat!, '--repeat');
  const seed = positiveInt(values.seed!, '--seed', true);
  const warmup = positiveInt(values.warmup!, '--warmup', true);
  let fileTriggers: Float64Array | undefined;
  if (values.triggers !== undefined) fileTriggers = readTriggers(values.triggers);
  const ns = values.n !== undefined
    ? values.n.split(',').map((s) => positiveInt(s.trim(), '--n'))
    : fileTriggers !== undefined
      ? [fileTriggers.length]
      : [10_000, 100_000, 1_000_000];
  const maxN = Math.max(...ns);
  if (fileTriggers !== undefined && fileTriggers.length < maxN) {
    throw new UsageError(`--n ${maxN} needs ${maxN} triggers, ${values.triggers} has ${fileTriggers.length}`);
  }
  if (values['write-completions'] !== undefined && ns.length !== 1) {
    throw new UsageError('--write-completions needs a single --n');
  }
  if (values['write-triggers'] !== undefined) {
    // Triggers for N are a prefix of those for any larger N: one file serves every N of the run.
    const t = fileTriggers !== undefined ? fileTriggers.subarray(0, maxN) : generateTriggers(maxN, seed);
    writeFileSync(values['write-triggers'], formatTriggersCsv(t));
    process.stderr.write(`wrote ${t.length} trigger times (ns, line i = subscriber i) to ${values['write-triggers']}\n`);
  }

  const load0 = loadavg()[0];
  const models = new Map<number, ModelRun[]>();
  const cmp = new Map<number, Comparison>();
  for (const n of ns) {
    models.set(n, []);
    cmp.set(n, { bare: [], bareModel: [], direct: [] });
  }
  const common = ['--seed', String(seed), '--warmup', String(warmup)];
  if (values.triggers !== undefined) common.push('--triggers', values.triggers);
  // Rounds outside, N inside: a noisy spell on the shared machine hits one run of each N, not all
  // runs of one N.
  for (let r = 0; r < repeat; r++) {
    for (const n of ns) {
      process.stderr.write(`dereg-chain N=${n} run ${r + 1}/${repeat}: model`);
      const extra = r === 0 && values['write-completions'] !== undefined ? ['--write-completions', values['write-completions']] : [];
      models.get(n)!.push(spawnChild<ModelRun>(['model', '--n', String(n), ...common, ...extra]));
      if (!values['no-bare']) {
        process.stderr.write(', bare loop');
        cmp.get(n)!.bare.push(spawnChild<BareRun>(['bare', '--n', String(n), ...common]));
        if (!values['no-split']) {
          process.stderr.write(', bare loop with the model\'s delays, hand-written model');
          cmp.get(n)!.bareModel.push(spawnChild<BareRun>(['bare-model', '--n', String(n), ...common]));
          cmp.get(n)!.direct.push(spawnChild<ModelRun>(['direct', '--n', String(n), ...common]));
        }
      }
      process.stderr.write('\n');
    }
  }
  const load1 = loadavg()[0];
  process.stdout.write(report(ns, models, cmp, repeat, load0, load1));
  if (values.json !== undefined) {
    const runs = ns.map((n) => ({ n, model: models.get(n), ...cmp.get(n) }));
    writeFileSync(values.json, JSON.stringify({ benchmark: 'dereg-chain', date: new Date().toISOString(), node: process.version, seed, runs }, null, 2) + '\n');
  }
}

function positiveInt(s: string, what: string, zeroOk = false): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < (zeroOk ? 0 : 1)) throw new UsageError(`${what} expects a whole number${zeroOk ? ' >= 0' : ' >= 1'}, got '${s}'`);
  return v;
}

function readTriggers(file: string): Float64Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--triggers: cannot read ${file} (${(e as Error).message})`);
  }
  try {
    return parseTriggersCsv(text, file);
  } catch (e) {
    throw new UsageError(`--triggers: ${(e as Error).message}`);
  }
}

function spawnChild<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`dereg-chain child ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

// ---- dereg-chain: child --------------------------------------------------------------------------

function child(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      n: { type: 'string' },
      seed: { type: 'string', default: '1' },
      triggers: { type: 'string' },
      warmup: { type: 'string', default: '5000' },
      'write-completions': { type: 'string' },
    },
  });
  const mode = positionals[0];
  const n = Number(values.n);
  const all = values.triggers !== undefined ? parseTriggersCsv(readFileSync(values.triggers, 'utf8'), values.triggers) : generateTriggers(n, Number(values.seed));
  const triggers = all.subarray(0, n);
  const w = Math.min(n, Number(values.warmup));
  if (mode === 'model') {
    let out: ReturnType<typeof createWriteStream> | undefined;
    let buf: string[] = [];
    const file = values['write-completions'];
    if (file !== undefined) {
      out = createWriteStream(file);
      out.write('sub,trigger_ns,done_ns\n');
    }
    const onComplete = (sub: number, at: number): void => {
      buf.push(`${sub},${triggers[sub]},${at}\n`);
      if (buf.length >= 4096) {
        out!.write(buf.join(''));
        buf = [];
      }
    };
    // Only the first timed run writes the completions.
    const res: ModelRun = firstAndSteady(w, triggers, (t) => runDeregChain(t), (t) => runDeregChain(t, file === undefined ? {} : { onComplete }));
    if (out !== undefined) {
      out.end(buf.join(''), () => process.stdout.write(JSON.stringify(res) + '\n'));
    } else {
      process.stdout.write(JSON.stringify(res) + '\n');
    }
  } else if (mode === 'direct') {
    process.stdout.write(JSON.stringify(firstAndSteady(w, triggers, runDirect)) + '\n');
  } else if (mode === 'bare' || mode === 'bare-model') {
    const delays = mode === 'bare' ? 'link' : 'model';
    process.stdout.write(JSON.stringify(firstAndSteady(w, triggers, (t) => runBareLoop(t, delays))) + '\n');
  } else {
    throw new UsageError(`--child expects 'model', 'direct', 'bare' or 'bare-model', got '${mode}'`);
  }
}

/**
 * One child's measurement: a warm-up on the first w subscribers (so the JIT has compiled the hot
 * paths; it matters at 10k, a run of a few tens of ms), the first timed run (`first`, by default
 * `run`; peak RSS is read after it), then a steady second run of the same N.
 */
function firstAndSteady<R extends object>(
  w: number,
  triggers: Float64Array,
  run: (t: Float64Array) => R,
  first: (t: Float64Array) => R = run,
): R & { maxRssMb: number; steady: R } {
  if (w > 0) run(triggers.slice(0, w));
  const r = first(triggers);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { ...r, maxRssMb, steady: run(triggers) };
}

// ---- tables --------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function table(head: string[], rows: string[][], right: boolean[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (ns: number) => (ns / 1e6).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const mev = (x: number) => (x / 1e6).toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function report(ns: number[], models: Map<number, ModelRun[]>, cmp: Map<number, Comparison>, repeat: number, load0: number, load1: number): string {
  let s = `\ndereg-chain (kernel) — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(1)} → ${load1.toFixed(1)}\n`;
  s += `${repeat} run(s) per figure, each in its own process; speed figures are medians [min–max].\n\n`;

  // The model's outcome is deterministic: every run must agree, to the nanosecond.
  const outRows: string[][] = [];
  const notes: string[] = [];
  for (const n of ns) {
    const runs = models.get(n)!;
    const r = runs[0];
    const key = (x: ModelRun) => JSON.stringify([x.events, x.completed, x.endTime, x.meanLatency, x.p99Latency, x.maxLatency, x.utilisation]);
    if (runs.some((x) => key(x) !== key(r))) notes.push(`N=${n}: runs disagree on the model's outcome (a determinism bug)`);
    // The hand-written model is an independent implementation of the same rules: it must agree too.
    if (cmp.get(n)!.direct.some((x) => key(x) !== key(r))) notes.push(`N=${n}: the hand-written model disagrees with the RegLab model (a bug in one of them)`);
    outRows.push([
      int(n),
      int(r.events),
      r.events === EVENTS_PER_PROCEDURE * n ? 'yes' : 'NO',
      int(r.completed),
      ms(r.meanLatency),
      ms(r.p99Latency),
      ms(r.maxLatency),
      (r.endTime / 1e9).toFixed(3),
      NODE_IDS.map((id) => pct(r.utilisation[id])).join(' / '),
    ]);
  }
  s += cmp.get(ns[0])!.direct.length > 0 ? 'Model outcome (identical in every run, and in the hand-written model):\n' : 'Model outcome (identical in every run):\n';
  s += table(
    ['N', 'events', '=22N', 'completed', 'mean lat ms', 'p99 lat ms', 'max lat ms', 'end s', `utilisation ${NODE_IDS.join('/')}`],
    outRows,
    [true, true, true, true, true, true, true, true, false],
  );

  const speedRows: string[][] = [];
  const spread = (xs: number[]) => `${mev(median(xs))} [${mev(Math.min(...xs))}–${mev(Math.max(...xs))}]`;
  for (const n of ns) {
    const m = models.get(n)!;
    const b = cmp.get(n)!.bare;
    const first = m.map((x) => x.eventsPerSec);
    const steady = m.map((x) => x.steady.eventsPerSec);
    const row = [
      int(n),
      int(median(m.map((x) => x.wallMs))),
      spread(first),
      spread(steady),
      mev(median(m.map((x) => x.events / (x.cpuMs / 1e3)))),
      int(median(m.map((x) => x.maxRssMb))),
    ];
    if (b.length > 0) {
      const bFirst = b.map((x) => x.eventsPerSec);
      const bSteady = b.map((x) => x.steady.eventsPerSec);
      row.push(spread(bFirst), spread(bSteady));
      row.push(`${pct(median(first) / median(bFirst))} / ${pct(median(steady) / median(bSteady))}`);
      // Round i's model and bare processes ran one after the other: their ratio is not moved by the
      // machine's slower and faster spells (minutes long here), which move both.
      const paired = (xs: number[], ys: number[]) => {
        const r = xs.slice(0, ys.length).map((x, i) => x / ys[i]);
        return `${pct(median(r))} [${pct(Math.min(...r))}–${pct(Math.max(...r))}]`;
      };
      row.push(`${paired(first, bFirst)} / ${paired(steady, bSteady)}`);
    } else {
      row.push('-', '-', '-', '-');
    }
    speedRows.push(row);
  }
  s += '\nSpeed, millions of events per second of wall time; "first" = the first timed run in a fresh process\n';
  s += '(after the warm-up), "steady" = a second run of the same N in that process; CPU rate = events of the\n';
  s += 'first run / its process CPU time (GC and compiler threads included); peak RSS after the first run;\n';
  s += 'model/bare = ratio of the medians; per round = median [min–max] of each round\'s model/bare (the two\n';
  s += 'processes ran back to back):\n';
  s += table(
    ['N', 'wall ms', 'model first', 'model steady', 'CPU rate', 'peak RSS MB', 'bare first', 'bare steady', 'model/bare first / steady', 'per round first / steady'],
    speedRows,
    [true, true, true, true, true, true, true, true, true, true],
  );
  s += split(ns, models, cmp);
  for (const note of notes) s += `! ${note}\n`;
  return s;
}

/**
 * Where the gap between the model and the bare loop comes from: the bare loop with the model's own
 * spacing of events (the event pattern's cost to the queue), the hand-written model (the model's
 * work with no framework), and the RegLab model (the framework's share is the last step).
 */
function split(ns: number[], models: Map<number, ModelRun[]>, cmp: Map<number, Comparison>): string {
  const rows: string[][] = [];
  const fs = (xs: { eventsPerSec: number; steady: { eventsPerSec: number } }[]): [number, number] => [
    median(xs.map((x) => x.eventsPerSec)),
    median(xs.map((x) => x.steady.eventsPerSec)),
  ];
  const both = ([f, st]: [number, number]) => `${mev(f)} / ${mev(st)}`;
  const ratio = (a: [number, number], b: [number, number]) => `${pct(a[0] / b[0])} / ${pct(a[1] / b[1])}`;
  for (const n of ns) {
    const c = cmp.get(n)!;
    if (c.bare.length === 0 || c.bareModel.length === 0 || c.direct.length === 0) continue;
    const bare = fs(c.bare);
    const bareModel = fs(c.bareModel);
    const direct = fs(c.direct);
    const model = fs(models.get(n)!);
    rows.push([int(n), both(bare), both(bareModel), both(direct), both(model), ratio(bareModel, bare), ratio(direct, bare), ratio(model, direct)]);
  }
  if (rows.length === 0) return '';
  let s = '\nWhere the gap to the bare loop comes from (medians, first / steady, M events/s): the bare loop with the\n';
  s += "model's spacing of events (a service, then a 5 ms link: the queue's cost of the model's event pattern),\n";
  s += 'the same model hand-written on the queue with no framework (bench/dereg-chain-direct.ts), the RegLab model:\n';
  s += table(
    ['N', 'bare 5 ms', "bare, model's delays", 'hand-written', 'RegLab model', "model's delays / bare", 'hand-written / bare', 'RegLab / hand-written'],
    rows,
    [true, true, true, true, true, true, true, true],
  );
  return s;
}

// ---- main (last: everything above is initialised) ----------------------------------------------

const argv = process.argv.slice(2);
try {
  if (argv[0] === '--child') {
    child(argv.slice(1));
  } else if (argv[0] === '--list' || argv[0] === '--help' || argv[0] === '-h') {
    list();
  } else {
    const name = argv.length > 0 && !argv[0].startsWith('-') ? argv[0] : 'dereg-chain';
    const rest = argv.length > 0 && !argv[0].startsWith('-') ? argv.slice(1) : argv;
    if (name === 'dereg-chain') deregChain(rest);
    else process.exitCode = runScript(name, rest);
  }
} catch (e) {
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`bench: ${(e as Error).message}\n(npm run bench -- --list shows the benchmarks)\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
