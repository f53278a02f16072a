import type { RandomStream } from '../kernel/random.ts';
import type { Ns } from '../kernel/time.ts';

/**
 * Workloads: when each subscriber's trigger happens. A workload is generated up front into typed
 * arrays sorted by (time, generation order), then fed to the simulator one trigger at a time, so
 * a million triggers occupy 16 MB and a single slot of the event queue instead of a million.
 */
export type WorkloadPattern =
  | { kind: 'all-at-once'; at: Ns }
  | { kind: 'uniform'; start: Ns; window: Ns }
  | { kind: 'poisson'; start: Ns; rate: number /* per second */; count?: number; pick: 'sequential' | 'random' }
  | { kind: 'replay'; rows: ReplayRows };

export interface ReplayRows {
  times: Float64Array;
  subs: Int32Array;
  /** Per-row event index into `eventNames`, -1 for the workload's default event. */
  events: Int32Array;
  eventNames: string[];
}

export interface Triggers {
  times: Float64Array;
  subs: Int32Array;
  events: Int32Array;
  eventNames: string[];
  length: number;
}

/** Generates the triggers of one workload for subscribers [from, from + count). */
export function generateTriggers(p: WorkloadPattern, from: number, count: number, rng: RandomStream): Triggers {
  switch (p.kind) {
    case 'all-at-once': {
      const times = new Float64Array(count).fill(p.at);
      const subs = new Int32Array(count);
      for (let i = 0; i < count; i++) subs[i] = from + i;
      return { times, subs, events: new Int32Array(count).fill(-1), eventNames: [], length: count };
    }
    case 'uniform': {
      // Draw in subscriber order (so subscriber i's time does not depend on the others), then sort.
      const times = new Float64Array(count);
      for (let i = 0; i < count; i++) times[i] = p.start + Math.floor(rng.next() * p.window);
      const subs = new Int32Array(count);
      for (let i = 0; i < count; i++) subs[i] = from + i;
      return sortByTime(times, subs, new Int32Array(count).fill(-1), []);
    }
    case 'poisson': {
      const n = p.count ?? count;
      const times = new Float64Array(n);
      const subs = new Int32Array(n);
      const meanGapNs = 1e9 / p.rate;
      let t = p.start;
      for (let i = 0; i < n; i++) {
        t += Math.round(rng.exponential(meanGapNs));
        times[i] = t;
        subs[i] = count === 0 ? from : p.pick === 'random' ? from + rng.int(count) : from + (i % count);
      }
      return { times, subs, events: new Int32Array(n).fill(-1), eventNames: [], length: n };
    }
    case 'replay': {
      const r = p.rows;
      return sortByTime(r.times.slice(), r.subs.slice(), r.events.slice(), r.eventNames);
    }
  }
}

/** Stable sort by time (ties keep generation order). */
function sortByTime(times: Float64Array, subs: Int32Array, events: Int32Array, eventNames: string[]): Triggers {
  const n = times.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => times[a] - times[b] || a - b);
  const t2 = new Float64Array(n);
  const s2 = new Int32Array(n);
  const e2 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = idx[i];
    t2[i] = times[k];
    s2[i] = subs[k];
    e2[i] = events[k];
  }
  return { times: t2, subs: s2, events: e2, eventNames, length: n };
}
