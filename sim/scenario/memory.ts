import { getHeapStatistics } from 'node:v8';
import { totalmem } from 'node:os';
import type { ScenarioDoc } from './schema.ts';
import { NODE_TYPE_BY_NAME } from './node-types.ts';

/**
 * The memory check before a run (issue 11 item 3): what a scenario will need, estimated from its
 * fields, against what this process has — so a run that cannot fit is refused up front, naming the
 * field and the most it allows, instead of dying at the heap limit a minute later.
 *
 * Per-item figures are measured (BENCHMARKS.md / docs): a trace record with its wire text ~1.1 KB
 * (generic) to ~1.5 KB (IMS); a sample row ~350 B; a queued message up to ~64 B; a worker ~200 B.
 */
const TRACE_RECORD_BYTES = 1_500;
const SAMPLE_ROW_BYTES = 400;
const WORKER_BYTES = 200;
/** A trigger waiting in its node's queue (the worst case, every trigger queued at once). */
const TRIGGER_HEAP_BYTES = 64;
/** Typed arrays of a workload: time (8), subscriber (4), event (4), sort index (4). */
const TRIGGER_ARRAY_BYTES = 20;
/** A watched subscriber's messages assumed for the trace estimate (a procedure is 10–30 messages). */
const MESSAGES_PER_WATCHED = 100;
/** Memory a subscriber costs outside any node: workload arrays, watch bitmap, bookkeeping. */
const BASE_BYTES_PER_SUBSCRIBER = 32;
/** Sampling points per run at most, whatever the memory: each one is an event per node. */
export const MAX_SAMPLE_POINTS = 1_000_000;

export interface MemoryBudget {
  /** JS heap this process (or worker thread) may use for a run: traces, samples, queues, workers. */
  heapBytes: number;
  /** Machine memory for off-heap state: per-subscriber typed arrays. */
  totalBytes: number;
}

/** 80% of this isolate's heap limit (a worker's resourceLimits included), 60% of the machine's memory. */
export function currentBudget(): MemoryBudget {
  return { heapBytes: getHeapStatistics().heap_size_limit * 0.8, totalBytes: totalmem() * 0.6 };
}

interface Part {
  what: string;
  field: string;
  bytes: number;
  /** The largest value of `field` that fits when the other parts stay as they are. */
  most: (room: number) => string;
}

export function memoryProblems(doc: ScenarioDoc, budget: MemoryBudget): string[] {
  const problems: string[] = [];
  const size = doc.population.size;
  let perSub = BASE_BYTES_PER_SUBSCRIBER;
  for (const n of doc.nodes) perSub += NODE_TYPE_BY_NAME.get(n.type)!.bytesPerSubscriber;
  const need = perSub * size;
  if (size > 2 ** 31 - 1 || need > budget.totalBytes) {
    const max = Math.min(2 ** 31 - 1, Math.floor(budget.totalBytes / perSub));
    problems.push(
      `population.size: ${size} subscribers need about ${gb(need)} (${perSub} bytes each with these nodes), more than the ${gb(budget.totalBytes)} this machine allows — use at most ${max}`,
    );
    return problems; // the rest scales with the population: fix that first
  }

  const points = Math.floor(doc.duration / doc.observe.interval) + 1;
  if (points > MAX_SAMPLE_POINTS) {
    problems.push(
      `observe.interval: ${doc.observe.interval} ns over a ${doc.duration} ns run is ${points} samples per node, more than ${MAX_SAMPLE_POINTS} — use an interval of at least ${Math.ceil(doc.duration / MAX_SAMPLE_POINTS)} ns (e.g. ${suggestInterval(doc.duration)})`,
    );
    return problems;
  }

  const watch = doc.observe.watch;
  const watched = Math.min(size, (watch.first !== undefined ? Math.min(watch.first, size) : 0) + (watch.ids?.length ?? 0) + (watch.every !== undefined ? Math.ceil(size / watch.every) : 0));
  const records = Math.min(doc.observe.traceLimit, watched * MESSAGES_PER_WATCHED);
  const nodes = doc.nodes.length;
  const parts: Part[] = [
    {
      what: `a trace of up to ${records} records (${watched} watched subscribers)`,
      field: 'observe.traceLimit',
      bytes: records * TRACE_RECORD_BYTES,
      most: (room) => `set observe.traceLimit to at most ${Math.max(1, Math.floor(room / TRACE_RECORD_BYTES))} or watch fewer subscribers (observe.watch)`,
    },
    {
      what: `${points} samples × ${nodes} nodes`,
      field: 'observe.interval',
      bytes: points * nodes * SAMPLE_ROW_BYTES,
      most: (room) => `use an interval of at least ${Math.ceil(doc.duration / Math.max(1, Math.floor(room / (nodes * SAMPLE_ROW_BYTES))))} ns`,
    },
  ];
  doc.nodes.forEach((n, i) =>
    parts.push({
      what: `${n.workers} workers at ${n.id}`,
      field: `nodes[${i}].workers`,
      bytes: n.workers * WORKER_BYTES,
      most: (room) => `use at most ${Math.max(1, Math.floor(room / WORKER_BYTES))} workers`,
    }),
  );
  doc.workload.forEach((w, i) => {
    const p = w.pattern;
    if (p.kind === 'csv') return; // bounded by the file's size limit
    const subs = w.subscribers.count ?? Math.max(0, size - w.subscribers.from);
    const n = p.kind === 'poisson' ? (p.count ?? subs) : subs;
    const field = p.kind === 'poisson' && p.count !== undefined ? `workload[${i}].pattern.count` : `workload[${i}].subscribers`;
    parts.push({
      what: `${n} workload triggers`,
      field,
      bytes: n * (TRIGGER_HEAP_BYTES + TRIGGER_ARRAY_BYTES),
      most: (room) => `use at most ${Math.max(1, Math.floor(room / (TRIGGER_HEAP_BYTES + TRIGGER_ARRAY_BYTES)))} triggers`,
    });
  });
  const total = parts.reduce((a, p) => a + p.bytes, 0);
  if (total > budget.heapBytes) {
    const big = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const room = budget.heapBytes - (total - big.bytes);
    problems.push(
      `${big.field}: the run would need about ${gb(total)} of memory, ${gb(big.bytes)} of it for ${big.what}, more than the ${gb(budget.heapBytes)} of heap a run has here — ${room > 0 ? big.most(room) : 'make the run smaller'}`,
    );
  }
  return problems;
}

function suggestInterval(durationNs: number): string {
  const min = durationNs / MAX_SAMPLE_POINTS;
  for (const [v, s] of [[1e3, '1us'], [1e4, '10us'], [1e5, '100us'], [1e6, '1ms'], [1e7, '10ms'], [1e8, '100ms'], [1e9, '1s'], [1e10, '10s'], [6e10, '1min'], [3.6e12, '1h']] as const) {
    if (v >= min) return s;
  }
  return '1h';
}

export function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
}
