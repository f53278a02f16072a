import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync, readdirSync, statSync, createWriteStream } from 'node:fs';
import { dirname, join, basename, resolve } from 'node:path';
import type { ProbeRow, RuleResult, SampleRow, Summary, TraceRecord } from './records.ts';

/** Extra files a protocol module contributes to a run directory (e.g. trace.pcapng). */
export type ExtraFile = { name: string; data: string | Uint8Array };

export interface RunOutput {
  summary: Summary;
  rules: RuleResult[];
  trace: readonly TraceRecord[];
  samples: readonly SampleRow[];
  probes?: readonly ProbeRow[];
  /** Node ids in display order (lifelines). */
  nodes: readonly string[];
  manifest: Record<string, unknown>;
  extra?: ExtraFile[];
}

/** What a finished run hands to writeRunDir: its results, picked once for every caller, with the manifest. */
export function runOutput(r: Omit<RunOutput, 'manifest'>, manifest: Record<string, unknown>): RunOutput {
  return { summary: r.summary, rules: r.rules, trace: r.trace, samples: r.samples, probes: r.probes, nodes: r.nodes, extra: r.extra, manifest };
}

/** The files a run directory holds; a directory with summary.json is taken to be a run directory. */
export const RUN_FILES = ['summary.json', 'metrics.csv', 'trace.jsonl', 'rules.json', 'flows.mmd', 'manifest.json', 'trace.pcapng'];

/**
 * Writes a run directory atomically: everything goes into a sibling temporary directory, which
 * replaces DIR only when complete, so a failed run never leaves a half-written DIR.
 */
export async function writeRunDir(dir: string, out: RunOutput): Promise<void> {
  checkRunDir(dir);
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const name of ['summary.json', 'rules.json', 'metrics.csv', 'flows.mmd'] as const) writeFileSync(join(tmp, name), runFileText(out, name));
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(out.manifest, null, 2) + '\n');
    await writeLines(join(tmp, 'trace.jsonl'), out.trace);
    for (const f of out.extra ?? []) writeFileSync(join(tmp, f.name), f.data);
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The run files that are text rendered from the run's data (the dashboard's downloads use these too). */
export type TextRunFile = 'summary.json' | 'rules.json' | 'metrics.csv' | 'flows.mmd';

export function runFileText(out: Pick<RunOutput, 'summary' | 'rules' | 'samples' | 'probes' | 'nodes' | 'trace'>, name: TextRunFile): string {
  switch (name) {
    case 'summary.json':
      return JSON.stringify(out.summary, null, 2) + '\n';
    case 'rules.json':
      return JSON.stringify(out.rules, null, 2) + '\n';
    case 'metrics.csv':
      return metricsCsv(out.samples, out.probes);
    case 'flows.mmd':
      return mermaid(out.nodes, out.trace);
  }
}

/** One trace.jsonl line per record (the file is written line by line, never as one string). */
export function traceLine(r: TraceRecord): string {
  return JSON.stringify(r) + '\n';
}

/**
 * Throws E_OUT_DIR unless `dir` may become a run directory: absent, empty, or a run directory
 * already (which it replaces). Callers check before a run, so a long run is not wasted.
 */
export function checkRunDir(dir: string): void {
  const target = resolve(dir);
  if (!existsSync(target)) return;
  const refuse = (why: string) => {
    throw Object.assign(new Error(`--out ${dir}: ${why}; choose an empty or new directory`), { code: 'E_OUT_DIR' });
  };
  if (!statSync(target).isDirectory()) refuse('exists and is not a directory');
  if (readdirSync(target).length > 0 && !existsSync(join(target, 'summary.json'))) {
    refuse('exists and is not a RegLab run directory (no summary.json)');
  }
}

export const METRICS_COLUMNS = ['t_ns', 't_s', 'node', 'msgs_in', 'msgs_out', 'bytes_in', 'bytes_out', 'busy', 'queue', 'dropped'] as const;

/**
 * metrics.csv: the fixed columns, then one `signal.<name>` column per named signal any node emitted
 * (its running sum at the end of the interval) and one `probe.<name>` column per domain probe, which
 * appear on rows whose node is `(probes)`.
 */
export function metricsCsv(samples: readonly SampleRow[], probes: readonly ProbeRow[] = []): string {
  const sigs = [...new Set(samples.flatMap((r) => Object.keys(r.signals ?? {})))].sort();
  const probeNames = [...new Set(probes.flatMap((p) => Object.keys(p.values)))].sort();
  const lines = [[...METRICS_COLUMNS, ...sigs.map((s) => `signal.${s}`), ...probeNames.map((p) => `probe.${p}`)].join(',')];
  let k = 0;
  const probeLine = (p: ProbeRow) =>
    [p.t, p.t / 1e9, '(probes)', '', '', '', '', '', '', '', ...sigs.map(() => ''), ...probeNames.map((n) => p.values[n] ?? '')].join(',');
  for (let i = 0; i < samples.length; i++) {
    const r = samples[i];
    while (k < probes.length && probes[k].t < r.t) lines.push(probeLine(probes[k++]));
    lines.push(
      [r.t, r.t / 1e9, csvField(r.node), r.msgsIn, r.msgsOut, r.bytesIn, r.bytesOut, r.busy, r.queue, r.dropped, ...sigs.map((s) => r.signals?.[s] ?? 0), ...probeNames.map(() => '')].join(','),
    );
    // A sample's probe row follows that sample's node rows.
    const lastOfSample = i + 1 === samples.length || samples[i + 1].t !== r.t;
    if (lastOfSample && k < probes.length && probes[k].t === r.t) lines.push(probeLine(probes[k++]));
  }
  while (k < probes.length) lines.push(probeLine(probes[k++]));
  return lines.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeLines(path: string, recs: readonly TraceRecord[]): Promise<void> {
  const ws = createWriteStream(path);
  for (const r of recs) {
    if (!ws.write(traceLine(r))) await new Promise<void>((res) => ws.once('drain', () => res()));
  }
  await new Promise<void>((res, rej) => {
    ws.once('error', rej);
    ws.end(() => res());
  });
}

/**
 * flows.mmd: the watched trace as a Mermaid sequence diagram; dropped messages end in a cross. Each
 * label starts with the message number `#seq` — the same number the dashboard, rules.json's evidence
 * and the pcapng's frame comments use (Mermaid's autonumber would count from 1 and drift).
 */
export function mermaid(nodes: readonly string[], trace: readonly TraceRecord[]): string {
  // Positional aliases: ids such as 'a-b' and 'a_b' must not collapse into one participant.
  const aliases = new Map<string, string>();
  const taken = new Set<string>();
  const alias = (id: string) => {
    let a = aliases.get(id);
    if (a === undefined) {
      const base = id.replace(/[^A-Za-z0-9_]/g, '_');
      a = base;
      for (let k = 2; taken.has(a); k++) a = `${base}_${k}`;
      aliases.set(id, a);
      taken.add(a);
    }
    return a;
  };
  const used = new Set<string>();
  for (const r of trace) {
    used.add(r.from);
    used.add(r.to);
  }
  const lines = ['sequenceDiagram'];
  // Pseudo-participants such as (workload) first: that is where a procedure's story begins.
  for (const id of used) if (!nodes.includes(id)) lines.push(`  participant ${alias(id)} as ${id}`);
  for (const id of nodes) if (used.has(id)) lines.push(`  participant ${alias(id)} as ${id}`);
  for (const r of trace) {
    // '#' only in the number: Mermaid reads '#…;' as an entity, so the rest has neither '#' nor ';'.
    const label = `#${r.seq} ${`${(r.t / 1e6).toFixed(3)} ms ${r.kind}${r.subscribers.length > 1 ? ` [${r.subscribers.length} subs]` : ''}`.replace(/[;#]/g, ' ')}`;
    if (r.event === 'dropped') lines.push(`  ${alias(r.from)}-x${alias(r.to)}: ${label} (dropped: ${r.reason})`);
    else lines.push(`  ${alias(r.from)}->>${alias(r.to)}: ${label}`);
  }
  return lines.join('\n') + '\n';
}
