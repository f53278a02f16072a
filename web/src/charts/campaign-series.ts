/**
 * Pure computations behind the campaign charts: per-node load over time for several runs, the
 * completion curves, latency CDFs, the totals table with ratios, sweep curves and policy spreads.
 * Chart points are plain objects { t, [series]: value } for recharts; long runs are bucketed down
 * to at most maxPoints (sums over whole intervals, so rates stay exact averages).
 */
import type { CsvRow, JobOutput, SampleRow } from '../../../sim/server/campaign-types.ts';

export type LoadMetric = 'msgs' | 'bytes' | 'busy' | 'queue';

export const LOAD_METRICS: Record<LoadMetric, { label: string; unit: string }> = {
  msgs: { label: 'messages/s', unit: 'msg/s' },
  bytes: { label: 'bytes/s', unit: 'B/s' },
  busy: { label: 'busy fraction (CPU)', unit: '%' },
  queue: { label: 'queue length', unit: 'msgs' },
};

export interface Run {
  label: string;
  output: JobOutput;
}

export type Point = { t: number } & Record<string, number>;

export interface TimeSeries {
  series: string[];
  points: Point[];
  /** Where the x axis ends: the last run's end, seconds. */
  endS: number;
}

/** One node's value for one sample row: rates per second over the interval, busy in %, queue as is. */
function rowValue(r: SampleRow, metric: LoadMetric, intervalS: number): number {
  switch (metric) {
    case 'msgs':
      return intervalS > 0 ? r.msgsIn / intervalS : 0;
    case 'bytes':
      return intervalS > 0 ? (r.bytesIn + r.bytesOut) / intervalS : 0;
    case 'busy':
      return r.busy * 100;
    case 'queue':
      return r.queue;
  }
}

/**
 * Load of one node over time, one series per run (label). Each run's rows give the value over the
 * interval ending at t; bucketing averages rates and busy fractions and keeps the queue's maximum.
 */
export function nodeLoad(runs: readonly Run[], node: string, metric: LoadMetric, maxPoints = 600): TimeSeries {
  const byT = new Map<number, Point>();
  let endS = 0;
  const series: string[] = [];
  for (const run of runs) {
    const rows = (run.output.samples ?? []).filter((r) => r.node === node);
    if (rows.length === 0) continue;
    series.push(run.label);
    let prev = 0;
    for (const r of rows) {
      const t = r.t / 1e9;
      const p = byT.get(r.t) ?? ({ t } as Point);
      p[run.label] = rowValue(r, metric, t - prev);
      byT.set(r.t, p);
      prev = t;
    }
    endS = Math.max(endS, run.output.summary.simulatedNs / 1e9);
  }
  const points = [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return { series, points: bucket(points, series, maxPoints, metric === 'queue' ? 'max' : 'mean'), endS };
}

/** At most maxPoints points: runs of `per` consecutive points merged (mean or max per series). */
export function bucket(points: readonly Point[], series: readonly string[], maxPoints: number, how: 'mean' | 'max' | 'last'): Point[] {
  if (points.length <= maxPoints) return points.slice();
  const per = Math.ceil(points.length / maxPoints);
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    const p = { t: group[group.length - 1]!.t } as Point;
    for (const s of series) {
      const xs = group.map((g) => g[s]).filter((v): v is number => typeof v === 'number');
      if (xs.length === 0) continue;
      p[s] = how === 'max' ? Math.max(...xs) : how === 'last' ? xs[xs.length - 1]! : xs.reduce((a, b) => a + b, 0) / xs.length;
    }
    out.push(p);
  }
  return out;
}

/** Procedures completed so far over time, one series per run, and when each run had all done. */
export function completion(runs: readonly Run[], procedure: string, maxPoints = 600): TimeSeries & { allDoneS: Record<string, number> } {
  const byT = new Map<number, Point>();
  const series: string[] = [];
  const allDoneS: Record<string, number> = {};
  let endS = 0;
  for (const run of runs) {
    const c = run.output.curves;
    const proc = c?.procedures[procedure];
    if (!c || !proc) continue;
    series.push(run.label);
    byT.set(0, { ...(byT.get(0) ?? { t: 0 }), [run.label]: 0 } as Point);
    c.t.forEach((tn, i) => {
      const p = byT.get(tn) ?? ({ t: tn / 1e9 } as Point);
      p[run.label] = proc.completed[i]!;
      byT.set(tn, p);
    });
    const s = run.output.summary.procedures[procedure];
    if (s && s.completed > 0) allDoneS[run.label] = s.lastCompletedMs / 1000;
    endS = Math.max(endS, run.output.summary.simulatedNs / 1e9);
  }
  const points = [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return { series, points: bucket(points, series, maxPoints, 'last'), endS, allDoneS };
}

/** Latency CDF per run: [{ ms, fraction }] each (their x values differ, so one data array per series). */
export function latencyCdf(runs: readonly Run[], procedure: string): { label: string; points: { ms: number; fraction: number }[] }[] {
  return runs
    .filter((r) => r.output.curves?.procedures[procedure]?.cdfMs.length)
    .map((r) => ({ label: r.label, points: r.output.curves!.procedures[procedure]!.cdfMs.map(([ms, f]) => ({ ms, fraction: f })) }));
}

/** The procedures any run reports, in name order. */
export function procedures(runs: readonly Run[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.output.summary.procedures)))].sort();
}

export function nodesOf(runs: readonly Run[]): string[] {
  const seen: string[] = [];
  for (const r of runs) for (const n of r.output.nodes) if (!seen.includes(n)) seen.push(n);
  return seen;
}

export interface TotalsRow {
  /** The headline column (comparison.csv), e.g. node.server.cpu_s. */
  column: string;
  label: string;
  values: (number | undefined)[];
  /** Each value over the first run's, when both are numbers and the first is not 0. */
  ratios: (number | undefined)[];
}

/**
 * The totals an architect compares, from the headline columns (the same numbers as comparison.csv):
 * messages, bytes, per node CPU-seconds, peak queue, messages in; per procedure completion time,
 * latency and failures.
 */
export function totals(runs: readonly Run[]): TotalsRow[] {
  const cols: [string, string][] = [
    ['messages', 'messages delivered'],
    ['bytes', 'bytes delivered'],
    ['dropped', 'messages dropped'],
  ];
  for (const n of nodesOf(runs)) {
    cols.push([`node.${n}.cpu_s`, `${n}: CPU-seconds`], [`node.${n}.busy`, `${n}: busy fraction`], [`node.${n}.peak_queue`, `${n}: peak queue`], [`node.${n}.msgs_in`, `${n}: messages in`]);
  }
  for (const p of procedures(runs)) {
    cols.push(
      [`proc.${p}.completed`, `${p}: completed`],
      [`proc.${p}.last_completed_ms`, `${p}: all done at (ms)`],
      [`proc.${p}.p50_ms`, `${p}: latency p50 (ms)`],
      [`proc.${p}.p90_ms`, `${p}: latency p90 (ms)`],
      [`proc.${p}.p99_ms`, `${p}: latency p99 (ms)`],
      [`proc.${p}.max_ms`, `${p}: latency max (ms)`],
      [`proc.${p}.failed`, `${p}: failed`],
      [`proc.${p}.abandoned`, `${p}: abandoned`],
    );
  }
  return cols
    .filter(([c]) => runs.some((r) => typeof r.output.headline[c] === 'number'))
    .map(([column, label]) => {
      const values = runs.map((r) => (typeof r.output.headline[column] === 'number' ? (r.output.headline[column] as number) : undefined));
      const first = values[0];
      const ratios = values.map((v) => (v !== undefined && first !== undefined && first !== 0 ? v / first : undefined));
      return { column, label, values, ratios };
    });
}

/** Numeric columns of CSV rows (metrics a sweep can chart), in first-seen order. */
export function numericColumns(rows: readonly CsvRow[], skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !skip.includes(k) && !out.includes(k)) out.push(k);
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s|min|h)$/;
const DURATION_S: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600 };

/** A parameter value on a numeric axis: numbers as is, durations in seconds, percentages as fractions. */
export function axisValue(v: string): number | undefined {
  const t = v.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  const d = DURATION.exec(t);
  if (d) return Number(d[1]) * DURATION_S[d[2]!]!;
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) return Number(pct[1]) / 100;
  return undefined;
}

/** True when positive values span two decades or more: the axis reads better on a log scale. */
export function spansDecades(xs: readonly number[]): boolean {
  const pos = xs.filter((x) => x > 0);
  if (pos.length < 2 || pos.length < xs.length) return false;
  return Math.max(...pos) / Math.min(...pos) >= 100;
}

export interface SweepChart {
  /** One line per value of the second parameter (or one line, 'all'). */
  series: string[];
  points: Point[];
  numericX: boolean;
  logX: boolean;
  logY: boolean;
  /** The parameter values in sweep order (category axis when not numeric). */
  xs: string[];
}

/** A sweep's metric against its first parameter; one line per value of the second parameter, if any. */
export function sweepChart(rows: readonly CsvRow[], xPath: string, metric: string, linePath?: string): SweepChart {
  const ok = rows.filter((r) => r.status === 'ok');
  const xs = [...new Set(rows.map((r) => String(r[xPath])))];
  const nums = xs.map(axisValue);
  const numericX = nums.every((n) => n !== undefined);
  const series = linePath ? [...new Set(rows.map((r) => `${linePath}=${String(r[linePath])}`))] : [metric];
  const points: Point[] = xs.map((x, i) => {
    const p = { t: numericX ? nums[i]! : i, x } as unknown as Point;
    for (const r of ok.filter((r) => String(r[xPath]) === x)) {
      const key = linePath ? `${linePath}=${String(r[linePath])}` : metric;
      if (typeof r[metric] === 'number') p[key] = r[metric] as number;
    }
    return p;
  });
  const ys = points.flatMap((p) => series.map((s) => p[s]).filter((v): v is number => typeof v === 'number'));
  return { series, points, numericX, logX: numericX && spansDecades(nums as number[]), logY: spansDecades(ys), xs };
}

export interface SpreadPoint {
  policy: string;
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** [mean - min, max - mean] for an asymmetric error bar spanning every seed. */
  range: [number, number];
}

/** One metric of compare.csv rows: mean, sd, min, max per policy. Missing metrics give no points. */
export function policySpread(rows: readonly CsvRow[], metric: string): SpreadPoint[] {
  return rows
    .filter((r) => typeof r[`${metric}.mean`] === 'number' && Number.isFinite(r[`${metric}.mean`] as number))
    .map((r) => {
      const mean = r[`${metric}.mean`] as number;
      const min = r[`${metric}.min`] as number;
      const max = r[`${metric}.max`] as number;
      return { policy: String(r.policy), mean, sd: r[`${metric}.sd`] as number, min, max, range: [mean - min, max - mean] };
    });
}

/** Consequence signals a policy run carries over time: node signals and domain probes. */
export function signalNames(runs: readonly Run[]): string[] {
  const out = new Set<string>();
  for (const r of runs) {
    for (const s of r.output.samples ?? []) for (const k of Object.keys(s.signals ?? {})) out.add(`node.${s.node}.signal.${k}`);
    for (const p of r.output.probes ?? []) for (const k of Object.keys(p.values)) out.add(`metric.${k}`);
  }
  return [...out].sort();
}

/** A signal's value at each sample for one run. */
function signalAt(output: JobOutput, name: string): Map<number, number> {
  const m = new Map<number, number>();
  const node = /^node\.([^.]+)\.signal\.(.+)$/.exec(name);
  if (node) {
    for (const s of output.samples ?? []) if (s.node === node[1] && s.signals && node[2]! in s.signals) m.set(s.t, s.signals[node[2]!]!);
  } else if (name.startsWith('metric.')) {
    const k = name.slice('metric.'.length);
    for (const p of output.probes ?? []) if (k in p.values) m.set(p.t, p.values[k]!);
  }
  return m;
}

/** A signal over time, one series per group (policy): the mean over the group's runs (seeds) at each sample. */
export function meanSignal(groups: readonly { label: string; runs: readonly JobOutput[] }[], name: string, maxPoints = 600): TimeSeries {
  const byT = new Map<number, Point>();
  const series: string[] = [];
  let endS = 0;
  for (const g of groups) {
    if (g.runs.length === 0) continue;
    series.push(g.label);
    const sums = new Map<number, { sum: number; n: number }>();
    for (const out of g.runs) {
      for (const [t, v] of signalAt(out, name)) {
        const s = sums.get(t) ?? { sum: 0, n: 0 };
        s.sum += v;
        s.n++;
        sums.set(t, s);
      }
      endS = Math.max(endS, out.summary.simulatedNs / 1e9);
    }
    for (const [t, s] of sums) {
      const p = byT.get(t) ?? ({ t: t / 1e9 } as Point);
      p[g.label] = s.sum / s.n;
      byT.set(t, p);
    }
  }
  const points = [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return { series, points: bucket(points, series, maxPoints, 'mean'), endS };
}
