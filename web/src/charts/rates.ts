/**
 * Messages per second per node from sample rows (msgsIn over each interval). Long runs are
 * bucketed down to at most `maxPoints` points (sums over whole intervals, so rates stay exact
 * averages), keeping the chart responsive.
 */
import type { SampleRow } from '../../../sim/server/api-types.ts';

export interface RatePoint {
  /** End of the bucket, simulated seconds. */
  t: number;
  /** Messages received per second over the bucket, by node id. */
  rates: Record<string, number>;
}

export interface RateSeries {
  nodes: string[];
  points: RatePoint[];
}

export function messageRates(samples: SampleRow[], intervalNs: number, nodeOrder: string[] = [], maxPoints = 600): RateSeries {
  if (samples.length === 0) return { nodes: [], points: [] };
  // Rows arrive grouped by interval end; group by t without assuming more than that.
  const byT = new Map<number, Map<string, number>>();
  const seen = new Set<string>();
  for (const r of samples) {
    let m = byT.get(r.t);
    if (!m) byT.set(r.t, (m = new Map()));
    m.set(r.node, (m.get(r.node) ?? 0) + r.msgsIn);
    seen.add(r.node);
  }
  const nodes = [...nodeOrder.filter((n) => seen.has(n)), ...[...seen].filter((n) => !nodeOrder.includes(n)).sort()];
  const times = [...byT.keys()].sort((a, b) => a - b);
  const interval = intervalNs > 0 ? intervalNs : times.length > 1 ? times[1]! - times[0]! : times[0]!;
  const per = Math.max(1, Math.ceil(times.length / maxPoints));
  const points: RatePoint[] = [];
  for (let i = 0; i < times.length; i += per) {
    const bucket = times.slice(i, i + per);
    const seconds = (bucket.length * interval) / 1e9;
    const rates: Record<string, number> = {};
    for (const n of nodes) {
      let sum = 0;
      for (const t of bucket) sum += byT.get(t)!.get(n) ?? 0;
      rates[n] = seconds > 0 ? sum / seconds : 0;
    }
    points.push({ t: bucket[bucket.length - 1]! / 1e9, rates });
  }
  return { nodes, points };
}
