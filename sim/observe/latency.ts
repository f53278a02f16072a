import type { LatencyStats } from './records.ts';

/**
 * Exact latency statistics: every sample is kept (8 bytes each: 8 MB per million procedures) so
 * percentiles are nearest-rank on the real data, comparable with another simulator's to the digit.
 */
export class LatencyRecorder {
  private data = new Float64Array(1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(x: number): void {
    if (this.n === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = x;
  }

  /** Stats in the unit of the samples, divided by `scale` (e.g. 1e6 for ns → ms). */
  stats(scale = 1): LatencyStats {
    const n = this.n;
    if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const s = this.data.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i];
    return {
      count: n,
      mean: round(sum / n / scale),
      p50: round(nearestRank(s, 0.5) / scale),
      p90: round(nearestRank(s, 0.9) / scale),
      p99: round(nearestRank(s, 0.99) / scale),
      max: round(s[n - 1] / scale),
    };
  }

  /**
   * The empirical CDF at `points` evenly spaced fractions (1/points … 1), nearest-rank like the
   * percentiles above, as [value / scale, fraction] pairs: enough to draw, bounded in size.
   */
  cdf(points = 200, scale = 1): [number, number][] {
    const n = this.n;
    if (n === 0) return [];
    const s = this.data.slice(0, n).sort();
    const k = Math.min(points, n);
    const out: [number, number][] = [[round(s[0] / scale), 1 / n]];
    for (let i = 1; i <= k; i++) out.push([round(nearestRank(s, i / k) / scale), i / k]);
    return out;
  }
}

/** Nearest-rank percentile of sorted data: the smallest value with at least p·n values <= it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * n));
  return sorted[rank - 1];
}

/** Keeps reports readable without losing meaningful precision (ns resolution in ms). */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
