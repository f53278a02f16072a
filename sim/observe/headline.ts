import type { Summary } from './records.ts';

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
    const k = `proc.${name}`;
    row[`${k}.started`] = p.started;
    row[`${k}.completed`] = p.completed;
    row[`${k}.failed`] = p.failed;
    row[`${k}.abandoned`] = p.abandoned;
    row[`${k}.p50_ms`] = p.latencyMs.p50;
    row[`${k}.p90_ms`] = p.latencyMs.p90;
    row[`${k}.p99_ms`] = p.latencyMs.p99;
    row[`${k}.max_ms`] = p.latencyMs.max;
    row[`${k}.last_completed_ms`] = p.lastCompletedMs;
  }
  for (const [id, n] of Object.entries(s.nodes)) {
    const k = `node.${id}`;
    row[`${k}.msgs_in`] = n.msgsIn;
    row[`${k}.msgs_out`] = n.msgsOut;
    row[`${k}.bytes_in`] = n.bytesIn;
    row[`${k}.bytes_out`] = n.bytesOut;
    row[`${k}.cpu_s`] = round(n.busySeconds);
    row[`${k}.busy`] = n.busy;
    row[`${k}.peak_queue`] = n.peakQueue;
    row[`${k}.dropped`] = n.dropped;
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
