import { join } from 'node:path';
import { wallClockMs } from '../kernel/real-time-clock.ts';
import { runManifest } from '../scenario/job.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from '../errors.ts';
import { prepareWritableDir } from '../cli/out-path.ts';
import { CampaignError } from './campaign-error.ts';
import { expandCompare, expandSweep } from './expand.ts';
import { LocalBackend } from './local-backend.ts';
import { QueueBackend } from './queue-backend.ts';
import { parseQueueUrl } from './redis-url.ts';
import { runCampaign } from './runner.ts';
import { DirStore } from './store.ts';
import { parseShard, shardRuns, type Shard } from './shard.ts';
import { compareCsv, compareResult, compareTable, sweepCsv } from './tables.ts';
import { beginCampaignDir, writeWhole } from './out-dir.ts';
import type { Backend } from './backend.ts';
import type { Campaign, CompareDef, RunOutcome } from './types.ts';

/** Options every campaign command shares (commander fills them). */
export interface CampaignCliOpts {
  seed?: number;
  set?: string[];
  workers: number;
  out?: string;
  quiet?: boolean;
  queue?: string;
  resume?: boolean;
  fresh?: boolean;
  shard?: string;
}

export interface SweepCliOpts extends CampaignCliOpts {
  vary?: string[];
}

export interface CompareCliOpts extends CampaignCliOpts {
  policy?: string;
  seeds?: number;
  metric?: string[];
}

/** Exit code of a coordinator stopped by Ctrl-C (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;

export async function cmdSweep(file: string, opts: SweepCliOpts): Promise<number> {
  return guarded(async () => {
    if (!opts.out) throw new CampaignError('E_USAGE', 'sweep needs --out DIR (it writes DIR/sweep.csv)');
    const c = expandSweep(file, { vary: opts.vary ?? [], seed: opts.seed, sets: opts.set });
    return execute(c, opts);
  });
}

export async function cmdCompare(file: string, opts: CompareCliOpts): Promise<number> {
  return guarded(async () => {
    const c = expandCompare(file, { policy: opts.policy, seeds: opts.seeds, seed: opts.seed, sets: opts.set, metrics: opts.metric });
    return execute(c, opts);
  });
}

/** Campaign errors are bad input: one line with the code, exit 2 (other errors go to main()). */
export async function guarded(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CampaignError) {
      console.error(`reglab: ${err.message} [${err.code}]`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
}

async function execute(c: Campaign, opts: CampaignCliOpts): Promise<number> {
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
  if (shard && !opts.out) throw new CampaignError('E_USAGE', '--shard needs --out DIR (the shard writes its results there for `reglab merge`)');
  if (shard && opts.queue) throw new CampaignError('E_USAGE', '--shard and --queue are two ways to distribute: use one');
  if (opts.resume && !opts.out) throw new CampaignError('E_USAGE', '--resume needs the --out DIR of the campaign to resume');
  if (opts.resume && opts.fresh) throw new CampaignError('E_USAGE', '--resume reuses what is done, --fresh recomputes it: use one');
  const queueUrl = opts.queue !== undefined ? parseQueueUrl(opts.queue) : undefined;
  if (opts.out) {
    prepareWritableDir(opts.out);
    beginCampaignDir(opts.out, c, opts.resume ?? false);
  }
  const say = (line: string) => {
    if (!opts.quiet) console.error(line);
  };
  const backend: Backend = queueUrl ? await QueueBackend.connect(queueUrl, { log: say }) : new LocalBackend(opts.workers);
  const runs = shard ? shardRuns(c.runs, shard) : c.runs;
  const where = queueUrl ? `through the queue ${queueUrl.shown}` : `on ${Math.min(opts.workers, runs.length)} worker(s)`;
  say(`${headline(c)}${shard ? ` — shard ${shard.index}/${shard.count}: ${runs.length} of them` : ''} ${where}`);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const t0 = wallClockMs();
  const every = Math.max(1, Math.floor(runs.length / 10));
  let result;
  try {
    result = await runCampaign(c, {
      backend,
      store: opts.out ? new DirStore(opts.out) : undefined,
      fresh: opts.fresh,
      runs,
      signal: ac.signal,
      onProgress: (p, last) => {
        if (!last) return say(`  ${p.reused} of ${p.total} runs reused from ${opts.out}/runs (--fresh recomputes them)`);
        if (c.def.kind === 'sweep') say(`  ${p.done}/${p.total} run ${last.run.label} ${outcomeNote(last.outcome)}`);
        else if (p.done % every === 0 || p.done === p.total || !last.outcome.ok) say(`  ${p.done}/${p.total}${last.outcome.ok ? '' : ` ${last.run.label} failed: ${last.outcome.code}`}`);
      },
    });
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
    console.error(
      queueUrl
        ? `interrupted: the queue keeps the campaign's runs — the same command with --resume${opts.out ? '' : ' --out DIR'} re-attaches and collects them`
        : `interrupted: finished runs are kept in ${opts.out ?? '(no --out)'}/runs; the same command runs only the missing ones`,
    );
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSigint);
    await backend.close();
  }
  const wall = ((wallClockMs() - t0) / 1000).toFixed(1);
  const failed = result.outcomes.filter((o): o is Extract<RunOutcome, { ok: false }> => o !== undefined && !o.ok);
  for (const f of failed) console.error(`run ${f.label} failed: ${f.message}`);
  if (shard) {
    writeWhole(join(opts.out!, `shard-${shard.index}-of-${shard.count}.json`), JSON.stringify({ campaign: c.id, shard, runs: runs.map((r) => r.key), failed }) + '\n');
    console.log(`shard ${shard.index}/${shard.count}: ${runs.length} runs (${result.reused} reused) in ${wall} s wall, results in ${opts.out}/runs — then: reglab merge DIR…`);
    return failed.length ? EXIT_STRICT : EXIT_OK;
  }
  return finishCampaign(c, result.outcomes, opts.out, `${runs.length} runs (${result.reused} reused) in ${wall} s wall`);
}

/** Writes the final table of a complete campaign (also what `reglab merge` ends with). */
export function finishCampaign(c: Campaign, outcomes: readonly (RunOutcome | undefined)[], out: string | undefined, note: string): number {
  const failed = outcomes.filter((o) => o && !o.ok).length;
  if (c.def.kind === 'sweep') {
    writeWhole(join(out!, 'sweep.csv'), sweepCsv(c, outcomes));
    console.log(`sweep: ${note}, wrote ${out}/sweep.csv`);
    return failed ? EXIT_STRICT : EXIT_OK;
  }
  // A comparison with a failed run has no honest mean: no compare.csv at all.
  if (failed) return EXIT_STRICT;
  const r = compareResult(c, outcomes as RunOutcome[]);
  if (r.unknown.length) console.error(`note: no run reported ${r.unknown.join(', ')} (shown as —)`);
  process.stdout.write(compareTable(c, r));
  if (out) {
    const def = c.def as CompareDef;
    writeWhole(join(out, 'compare.csv'), compareCsv(c, r));
    const manifest = { ...runManifest(c.bundle.name, c.bundle.file, c.seed, c.sets), compare: { policy: def.policyPath, values: def.policies, seeds: def.seeds }, campaign: c.id };
    writeWhole(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    console.log(`wrote ${out}/compare.csv`);
  }
  return EXIT_OK;
}

function headline(c: Campaign): string {
  if (c.def.kind === 'sweep') return `sweep: ${c.runs.length} runs`;
  return `compare: ${c.def.policies.length} policies × ${c.def.seeds} seeds = ${c.runs.length} runs`;
}

function outcomeNote(o: RunOutcome): string {
  return o.ok ? `(${(Number(o.headline.wall_ms) / 1000).toFixed(1)} s)` : `failed: ${o.code}`;
}

export type { Shard };
