import type { NodeSummary, ProcedureSummary, Summary } from './records.ts';

/** A procedure's columns (proc.NAME.COLUMN), in their order. */
const PROCEDURE_COLUMNS: [string, (p: ProcedureSummary) => number][] = [
  ['started', (p) => p.started],
  ['completed', (p) => p.completed],
  ['failed', (p) => p.failed],
  ['abandoned', (p) => p.abandoned],
  ['p50_ms', (p) => p.latencyMs.p50],
  ['p90_ms', (p) => p.latencyMs.p90],
  ['p99_ms', (p) => p.latencyMs.p99],
  ['max_ms', (p) => p.latencyMs.max],
  ['last_completed_ms', (p) => p.lastCompletedMs],
];

/** A node's columns (node.ID.COLUMN), in their order; its signals follow them. */
const NODE_COLUMNS: [string, (n: NodeSummary) => number][] = [
  ['msgs_in', (n) => n.msgsIn],
  ['msgs_out', (n) => n.msgsOut],
  ['bytes_in', (n) => n.bytesIn],
  ['bytes_out', (n) => n.bytesOut],
  ['cpu_s', (n) => round(n.busySeconds)],
  ['busy', (n) => n.busy],
  ['peak_queue', (n) => n.peakQueue],
  ['dropped', (n) => n.dropped],
];

/**
 * The headline metrics of a run as one flat row: what sweep.csv and comparison.csv hold, one column
 * per metric, so runs can be compared side by side or plotted. Column names are stable.
 */
export function headline(s: Summary): Record<string, number | string> {
  const row: Record<string, number | string> = {
    trace_hash: s.traceHash,
    events: s.events,
    wall_ms: s.wallMs,
    simulated_s: s.simulatedNs / 1e9,
    messages: s.messages.delivered,
    bytes: s.messages.bytes,
    dropped: s.messages.dropped,
    rules_failed: s.rules.failed,
  };
  for (const [name, p] of Object.entries(s.procedures)) {
    for (const [col, value] of PROCEDURE_COLUMNS) row[`proc.${name}.${col}`] = value(p);
  }
  for (const [id, n] of Object.entries(s.nodes)) {
    const k = `node.${id}`;
    for (const [col, value] of NODE_COLUMNS) row[`${k}.${col}`] = value(n);
    for (const [sig, v] of Object.entries(n.signals)) row[`${k}.signal.${sig}`] = v;
    // Every emitted signal gets its integral, zero included: a compare table must show 0, not a gap.
    for (const [sig, v] of Object.entries(n.signalSeconds ?? {})) row[`${k}.signal.${sig}.seconds`] = round(v);
  }
  for (const [name, n] of Object.entries(s.faults)) row[`fault.${name}`] = n;
  for (const [name, p] of Object.entries(s.probes ?? {})) {
    row[`metric.${name}.last`] = p.last;
    row[`metric.${name}.max`] = p.max;
    row[`metric.${name}.seconds`] = round(p.seconds);
    // Empty while inconsistent at the end: a mean over seeds must not treat 'never' as 0.
    if (p.consistentSinceS !== null) row[`metric.${name}.consistent_since_s`] = p.consistentSinceS;
  }
  for (const [link, l] of Object.entries(s.links)) {
    row[`link.${link}.msgs`] = l.msgs;
    row[`link.${link}.bytes`] = l.bytes;
  }
  return row;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Rows with possibly different columns → CSV with the union of columns (first-seen order). */
export function rowsToCsv(rows: readonly Record<string, number | string>[]): string {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  const cell = (v: number | string | undefined) => {
    if (v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
