/**
 * The rows of the campaign CSV files — sweep.csv, comparison.csv, compare.csv — from run headlines
 * (docs/output-formats.md). The dashboard's campaigns build their tables here, so a download from
 * the page is the file `reglab sweep` / `reglab run` / `reglab compare` writes for the same runs.
 */
import { defaultCompareMetrics, stat, type Stat } from './compare-table.ts';

type Row = Record<string, number | string>;
type Headline = Record<string, number | string>;

/** One row of sweep.csv: run number, the varied values, seed, status, then the headline. */
export function sweepRow(run: number, varied: Record<string, string>, seed: number, result: { ok: true; headline: Headline } | { ok: false; code: string }): Row {
  return result.ok ? { run, ...varied, seed, status: 'ok', ...result.headline } : { run, ...varied, seed, status: `failed: ${result.code}` };
}

/** One row of comparison.csv (variants of one scenario on one seed). */
export function comparisonRow(variant: string, seed: number, headline: Headline): Row {
  return { variant, seed, ...headline };
}

export interface PolicyStats {
  policy: string;
  stats: Record<string, Stat>;
  hashes: string[];
}

/**
 * compare.csv: per policy, mean / sd / min / max of each metric over its seeds. `results` holds
 * policies.length × seeds headlines, policy-major (policy 0's seeds first). `metrics` default as
 * the CLI's: the scenario's compare.metrics, else defaultCompareMetrics over the columns seen.
 */
export function policyStats(
  policies: readonly string[],
  seeds: number,
  results: readonly { headline: Headline; traceHash: string }[],
  metrics: readonly string[],
): PolicyStats[] {
  return policies.map((policy, i) => {
    const mine = results.slice(i * seeds, (i + 1) * seeds);
    const stats: Record<string, Stat> = {};
    for (const m of metrics) stats[m] = stat(mine.map((r) => r.headline[m]).filter((v): v is number => typeof v === 'number'));
    return { policy, stats, hashes: mine.map((r) => r.traceHash) };
  });
}

export function compareMetrics(declared: readonly string[] | undefined, headlines: readonly Headline[]): { metrics: string[]; missing: string[] } {
  const columns = [...new Set(headlines.flatMap((h) => Object.keys(h)))];
  const metrics = declared?.length ? [...declared] : defaultCompareMetrics(columns);
  return { metrics, missing: metrics.filter((m) => !columns.includes(m)) };
}

export function compareCsvRows(rows: readonly PolicyStats[], opts: { path: string; seeds: number; firstSeed: number; metrics: readonly string[] }): Row[] {
  return rows.map((r) => {
    const row: Row = { policy: r.policy, policy_path: opts.path, seeds: opts.seeds, first_seed: opts.firstSeed };
    for (const m of opts.metrics) {
      const st = r.stats[m]!;
      row[`${m}.mean`] = st.mean;
      row[`${m}.sd`] = st.sd;
      row[`${m}.min`] = st.min;
      row[`${m}.max`] = st.max;
    }
    row.trace_hashes = r.hashes.join(' ');
    return row;
  });
}
