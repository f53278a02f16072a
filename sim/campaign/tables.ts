import { rowsToCsv } from '../observe/headline.ts';
import { defaultCompareMetrics, formatCompare, stat, type Stat } from '../observe/compare-table.ts';
import type { Campaign, CompareDef, RunOutcome, SweepDef } from './types.ts';

type Row = Record<string, number | string>;

/** sweep.csv: one row per run, the varied values, the seed, status and the run's headline. */
export function sweepRows(campaign: Campaign, outcomes: readonly (RunOutcome | undefined)[]): Row[] {
  const def = campaign.def as SweepDef;
  const n = def.axes.length;
  return campaign.runs.map((run, i) => {
    const varied = Object.fromEntries(run.sets.slice(run.sets.length - n).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
    const o = outcomes[i];
    const head = { run: i + 1, ...varied, seed: run.seed };
    if (!o) return { ...head, status: 'missing' };
    return o.ok ? { ...head, status: 'ok', ...o.headline } : { ...head, status: `failed: ${o.code}` };
  });
}

export function sweepCsv(campaign: Campaign, outcomes: readonly (RunOutcome | undefined)[]): string {
  return rowsToCsv(sweepRows(campaign, outcomes));
}

export interface CompareResult {
  policyPath: string;
  metrics: string[];
  /** Metrics asked for that no run reported. */
  unknown: string[];
  rows: { policy: string; stats: Record<string, Stat>; hashes: string[] }[];
}

/** Mean ± sd per metric and policy over the seeds; every run must be ok. */
export function compareResult(campaign: Campaign, outcomes: readonly RunOutcome[]): CompareResult {
  const def = campaign.def as CompareDef;
  const ok = outcomes.map((o) => {
    if (!o.ok) throw new Error(`compareResult: run ${o.label} failed`);
    return o;
  });
  const columns = [...new Set(ok.flatMap((r) => Object.keys(r.headline)))];
  const metrics = def.metrics.length ? def.metrics : defaultCompareMetrics(columns);
  const rows = def.policies.map((p, i) => {
    const mine = ok.slice(i * def.seeds, (i + 1) * def.seeds);
    const stats: Record<string, Stat> = {};
    for (const m of metrics) stats[m] = stat(mine.map((r) => r.headline[m]).filter((v): v is number => typeof v === 'number'));
    return { policy: p, stats, hashes: mine.map((r) => String(r.headline.trace_hash)) };
  });
  return { policyPath: def.policyPath, metrics, unknown: metrics.filter((m) => !columns.includes(m)), rows };
}

export function compareCsv(campaign: Campaign, r: CompareResult): string {
  const def = campaign.def as CompareDef;
  return rowsToCsv(
    r.rows.map((row) => {
      const out: Row = { policy: row.policy, policy_path: r.policyPath, seeds: def.seeds, first_seed: campaign.seed };
      for (const m of r.metrics) {
        const st = row.stats[m];
        out[`${m}.mean`] = st.mean;
        out[`${m}.sd`] = st.sd;
        out[`${m}.min`] = st.min;
        out[`${m}.max`] = st.max;
      }
      out.trace_hashes = row.hashes.join(' ');
      return out;
    }),
  );
}

export function compareTable(campaign: Campaign, r: CompareResult): string {
  return formatCompare(r.policyPath, r.rows, r.metrics, (campaign.def as CompareDef).seeds);
}
