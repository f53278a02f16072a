import { table } from './summary-table.ts';

/** Mean and spread of a metric over the seeds of one policy. */
export interface Stat {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation: the spread a researcher reports across seeds.
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs), n };
}

/** Default metrics of a comparison: what a policy changes (outcomes, cost, protocol signals). */
export function defaultCompareMetrics(columns: readonly string[]): string[] {
  return columns.filter(
    (c) =>
      /^proc\.[^.]+\.(completed|failed|abandoned|p50_ms|p99_ms|last_completed_ms)$/.test(c) ||
      c === 'messages' ||
      c === 'bytes' ||
      c === 'dropped' ||
      /\.signal\./.test(c) ||
      /^metric\./.test(c),
  );
}

export function formatCompare(policyPath: string, rows: readonly { policy: string; stats: Record<string, Stat> }[], metrics: readonly string[], seeds: number): string {
  const head = ['policy', ...metrics];
  const body = rows.map((r) => [r.policy, ...metrics.map((m) => cell(r.stats[m]))]);
  // Wide tables read better transposed: one row per metric, one column per policy.
  const transposed = metrics.length > 4;
  const lines = [`compare ${policyPath}: ${rows.length} policies × ${seeds} seeds (mean ± sd)`, ''];
  if (!transposed) lines.push(...table(head, body));
  else
    lines.push(
      ...table(
        ['metric', ...rows.map((r) => r.policy)],
        metrics.map((m) => [m, ...rows.map((r) => cell(r.stats[m]))]),
      ),
    );
  return lines.join('\n') + '\n';
}

function cell(s: Stat | undefined): string {
  if (!s || s.n === 0) return '—';
  return s.sd === 0 ? fmt(s.mean) : `${fmt(s.mean)} ± ${fmt(s.sd)}`;
}

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(3);
}
