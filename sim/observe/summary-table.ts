import type { RuleResult, Summary } from './records.ts';

/** The summary table `reglab run` prints on stdout: procedures, nodes, rules, fingerprint. */
export function formatSummary(s: Summary, rules: readonly RuleResult[], outDir?: string): string {
  const lines: string[] = [];
  lines.push(`${s.scenario} — seed ${s.seed}, ${s.population} subscribers (${s.watched} watched)`);
  lines.push(
    `simulated ${(s.simulatedNs / 1e9).toFixed(3)} s in ${(s.wallMs / 1000).toFixed(2)} s wall, ${s.events} events, ${s.messages.delivered} messages delivered (${bytes(s.messages.bytes)}), ${s.messages.dropped} dropped`,
  );
  lines.push('');
  const procs = Object.entries(s.procedures);
  if (procs.length) {
    lines.push(
      ...table(
        ['procedure', 'started', 'completed', 'failed', 'abandoned', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        procs.map(([name, p]) => [name, p.started, p.completed, p.failed, p.abandoned, ms(p.latencyMs.p50), ms(p.latencyMs.p90), ms(p.latencyMs.p99), ms(p.latencyMs.max)]),
      ),
    );
    lines.push('');
  }
  lines.push(
    ...table(
      ['node', 'type', 'msgs in', 'msgs out', 'bytes in', 'bytes out', 'busy', 'peak queue', 'dropped'],
      Object.entries(s.nodes).map(([id, n]) => [id, n.type, n.msgsIn, n.msgsOut, n.bytesIn, n.bytesOut, `${(n.busy * 100).toFixed(1)}%`, n.peakQueue, n.dropped]),
    ),
  );
  lines.push('');
  const failed = rules.filter((r) => r.status === 'failed');
  lines.push(`rules: ${s.rules.passed} passed, ${s.rules.failed} failed, ${s.rules.notApplicable} not applicable`);
  for (const r of failed) lines.push(`  FAILED ${r.id}: ${r.detail}`);
  lines.push(`traceHash ${s.traceHash}`);
  if (outDir) lines.push(`wrote ${outDir}/`);
  return lines.join('\n') + '\n';
}

function ms(x: number): string {
  return x >= 100 ? x.toFixed(1) : x.toFixed(3);
}

function bytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(2)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(2)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${b} B`;
}

/** Left-aligned first column, right-aligned numbers. */
export function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i <= 1 && typeof rows[0]?.[i] === 'string' ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [fmt(head), w.map((x) => '─'.repeat(x)).join('  '), ...cells.slice(1).map(fmt)];
}

/**
 * Variants side by side: one row per headline metric that is non-zero somewhere, one column per
 * variant, and with two variants the ratio second/first, the number an architect reads first.
 */
export function formatComparison(runs: readonly { label: string; summary: Summary; headline: Record<string, number | string> }[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.headline)) if (!seen.has(k) && k !== 'trace_hash' && k !== 'wall_ms') (seen.add(k), keys.push(k));
  const rows = keys
    .filter((k) => runs.some((r) => typeof r.headline[k] === 'number' && r.headline[k] !== 0))
    .map((k) => {
      const vals = runs.map((r) => r.headline[k]);
      const cells: (string | number)[] = [k, ...vals.map((v) => (v === undefined ? '—' : typeof v === 'number' ? num(v) : v))];
      if (runs.length === 2) {
        const [a, b] = vals;
        cells.push(typeof a === 'number' && typeof b === 'number' && a !== 0 ? `${(b / a).toFixed(3)}×` : '—');
      }
      return cells;
    });
  const head = ['metric', ...runs.map((r) => r.label), ...(runs.length === 2 ? [`${runs[1].label}/${runs[0].label}`] : [])];
  const lines = [`${runs[0]?.summary.scenario ?? ''} — ${runs.length} variants, seed ${runs[0]?.summary.seed}`, '', ...table(head, rows)];
  lines.push('', ...runs.map((r) => `${r.label}: traceHash ${r.summary.traceHash}, rules ${r.summary.rules.passed} passed / ${r.summary.rules.failed} failed, ${(r.summary.wallMs / 1000).toFixed(2)} s wall`));
  return lines.join('\n') + '\n';
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 4);
}
