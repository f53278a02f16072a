/**
 * A campaign command → the runs it means, every one validated before anything starts (the same
 * checks, in the same words, as `reglab run` / `reglab sweep` / `reglab compare`), and the CSV
 * the CLI would write once they are done.
 */
import { loadScenarioFile } from '../scenario/load.ts';
import { compareCsv, compareResult, expandCompare, expandSweep, sweepRows, type Campaign, type RunOutcome } from '../campaign/index.ts';
import type { CompareDef } from '../campaign/types.ts';
import { rowsToCsv } from '../observe/headline.ts';
import { REGLAB_VERSION } from '../version.ts';
import {
  CAMPAIGN_CONFIRM_RUNS,
  CAMPAIGN_MAX_RUNS,
  type CampaignCommand,
  type CampaignKind,
  type CampaignManifest,
  type CsvRow,
  type JobOutput,
  type PlannedJob,
} from './campaign-types.ts';
import type { SeriesMode } from './campaign-worker.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import { setToOverrides } from './commands.ts';

export type JobOutcome = { ok: true; output: JobOutput } | { ok: false; code: string; message: string };

export interface CampaignPlan {
  kind: CampaignKind;
  scenario: string;
  file: string;
  seed: number;
  jobs: PlannedJob[];
  series: SeriesMode;
  manifest: CampaignManifest;
  policy?: { path: string; values: string[]; seeds: number; metrics?: string[] };
  durationNs: number;
  sampleIntervalNs: number;
  /** Sweeps and policy comparisons: the campaign layer's campaign (plain data, as the CLI expands it). */
  campaign?: Campaign;
}

type Cmd = Exclude<CampaignCommand, { type: 'cancel' }>;

/** The campaign is allowed but large: the client asks the user and sends it again with confirm. */
export class ConfirmNeeded extends Error {
  readonly code = 'E_CONFIRM';
  constructor(readonly runs: number) {
    super(`this campaign has ${runs} runs (more than ${CAMPAIGN_CONFIRM_RUNS}): confirm to start it`);
    this.name = 'ConfirmNeeded';
  }
}

/** `dataDir`: the folder the scenario's referenced files must lie in (`reglab serve --data-dir`), as for single runs. */
export function planCampaign(cmd: Cmd, file: string, dataDir?: string): CampaignPlan {
  const sets = setToOverrides(cmd.set) ?? [];
  const within = dataDir ? { dataDir } : {};
  const base = loadScenarioFile(file, { seed: cmd.seed, set: sets, ...within });
  const common = { scenario: cmd.scenario, file, seed: base.seed, durationNs: base.duration, sampleIntervalNs: base.doc.observe.interval };
  const shell = (s: string) => (/^[A-Za-z0-9_./=,:%-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  const fileArg = `scenarios/${cmd.scenario}`;
  const setArgs = sets.map((s) => ` --set ${shell(s)}`).join('');
  const manifest = (command: string): CampaignManifest => ({
    reglabVersion: REGLAB_VERSION,
    kind: cmd.type,
    scenario: cmd.scenario,
    seed: base.seed,
    sets,
    command,
    createdAt: new Date().toISOString(),
  });

  if (cmd.type === 'variants') {
    const all = base.doc.variants ?? {};
    const names = cmd.variants ?? Object.keys(all);
    if (Object.keys(all).length === 0) throw new ApiError(API_ERRORS.E_API, `scenario: ${cmd.scenario} has no variants: section — pick a scenario with variants, or use the Sweep view`);
    const unknown = names.filter((n) => !(n in all));
    if (unknown.length) throw new ApiError(API_ERRORS.E_API, `variants: no variant ${unknown.map((n) => `'${n}'`).join(', ')} — the scenario has ${Object.keys(all).join(', ')}`);
    checkSize(names.length, cmd.confirm);
    const jobs = names.map((name, index) => ({ index, label: name, seed: base.seed, sets: [...sets, ...all[name]!], varied: { variant: name } }));
    return {
      ...common,
      kind: 'variants',
      jobs,
      series: 'full',
      manifest: manifest(`reglab run ${fileArg} --seed ${base.seed}${setArgs} --out runs/variants`),
    };
  }

  if (cmd.type === 'sweep') {
    checkSize(cmd.vary.reduce((n, ax) => n * ax.values.length, 1), cmd.confirm);
    // The campaign layer expands and validates it exactly as `reglab sweep` does (same run keys).
    const c = expandSweep(file, { vary: cmd.vary.map((ax) => `${ax.path}=${ax.values.join(',')}`), seed: cmd.seed, sets, ...within });
    const n = cmd.vary.length;
    const jobs = c.runs.map((r) => ({
      index: r.index,
      label: r.label,
      seed: r.seed,
      sets: r.sets,
      varied: Object.fromEntries(r.sets.slice(r.sets.length - n).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)])),
    }));
    const vary = cmd.vary.map((ax) => ` --vary ${shell(`${ax.path}=${ax.values.join(',')}`)}`).join('');
    return {
      ...common,
      kind: 'sweep',
      jobs,
      series: 'none',
      manifest: manifest(`reglab sweep ${fileArg}${vary} --seed ${base.seed}${setArgs} --out runs/sweep`),
      campaign: c,
    };
  }

  checkSize((cmd.values?.length ?? base.doc.compare?.values.length ?? 0) * (cmd.seeds ?? base.doc.compare?.seeds ?? 5), cmd.confirm);
  const declared = base.doc.compare;
  const path = cmd.policy ?? declared?.policy;
  const values = cmd.values ?? (cmd.policy === undefined || cmd.policy === declared?.policy ? declared?.values : undefined);
  if (!path) throw new ApiError(API_ERRORS.E_API, `policy: ${cmd.scenario} declares no compare: section — name the policy field to compare (e.g. nodes.msc.params.policies.deregFailure)`);
  if (!values || values.length < 2) throw new ApiError(API_ERRORS.E_API, `values: name at least two policies for ${path}`);
  // The campaign layer expands and validates it exactly as `reglab compare` does.
  const c = expandCompare(file, { policy: `${path}=${values.join(',')}`, seeds: cmd.seeds, seed: cmd.seed, sets, metrics: cmd.metrics, ...within });
  const def = c.def as CompareDef;
  const jobs = c.runs.map((r) => ({ index: r.index, label: r.label, seed: r.seed, sets: r.sets, varied: { [path]: def.policies[Math.floor(r.index / def.seeds)]! } }));
  return {
    ...common,
    kind: 'policies',
    jobs,
    series: 'signals',
    policy: { path, values: def.policies, seeds: def.seeds, ...(def.metrics.length ? { metrics: def.metrics } : {}) },
    manifest: manifest(
      `reglab compare ${fileArg} --policy ${shell(`${path}=${values.join(',')}`)} --seeds ${def.seeds} --seed ${base.seed}${setArgs}${(cmd.metrics ?? []).map((m) => ` --metric ${shell(m)}`).join('')} --out runs/compare`,
    ),
    campaign: c,
  };
}

/** The CLI's CSV from the outcomes (in job order); undefined when the CLI would write none. */
export function planTable(plan: CampaignPlan, outcomes: readonly JobOutcome[]): { name: string; rows: CsvRow[]; text?: string; missing?: string[] } | undefined {
  const c = plan.campaign;
  if (plan.kind === 'variants') {
    // comparison.csv as `reglab run` writes it: the variant, the seed, then the headline.
    if (!outcomes.every((o) => o.ok)) return undefined;
    return { name: 'comparison.csv', rows: outcomes.map((o, i) => ({ variant: plan.jobs[i]!.label, seed: plan.seed, ...(o as Extract<JobOutcome, { ok: true }>).output.headline })) };
  }
  if (!c) return undefined;
  if (plan.kind === 'sweep') return { name: 'sweep.csv', rows: sweepRows(c, outcomes.map((o, i) => toRunOutcome(c, i, o))) };
  if (!outcomes.every((o) => o.ok)) return undefined;
  const r = compareResult(c, outcomes.map((o, i) => toRunOutcome(c, i, o)));
  const text = compareCsv(c, r);
  return { name: 'compare.csv', rows: parseCsvNumbers(text), text, missing: r.unknown };
}

/** The campaign layer's outcome for our job outcome (its tables read only key, ok, headline, code). */
function toRunOutcome(c: Campaign, i: number, o: JobOutcome): RunOutcome {
  const run = c.runs[i]!;
  return o.ok
    ? { key: run.key, ok: true, label: run.label, reglabVersion: c.reglabVersion, headline: o.output.headline }
    : { key: run.key, ok: false, label: run.label, reglabVersion: c.reglabVersion, code: o.code, message: o.message };
}

/**
 * compare.csv as rows for the page: the campaign layer writes the file, the page charts its cells;
 * reading them back from the text keeps one writer and the exact figures of the download.
 */
function parseCsvNumbers(text: string): CsvRow[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(cols.map((c, i) => {
      const v = cells[i] ?? '';
      return [c, v !== '' && (Number.isFinite(Number(v)) || v === 'NaN') && c !== 'policy' && c !== 'policy_path' && c !== 'trace_hashes' ? Number(v) : v];
    }));
  });
}

function checkSize(runs: number, confirm: boolean | undefined): void {
  if (runs > CAMPAIGN_MAX_RUNS) {
    throw new ApiError(API_ERRORS.E_API, `this campaign has ${runs} runs; the dashboard runs at most ${CAMPAIGN_MAX_RUNS} — vary fewer values, or run it with reglab sweep / reglab compare`);
  }
  if (runs > CAMPAIGN_CONFIRM_RUNS && !confirm) {
    throw new ConfirmNeeded(runs);
  }
}

export function csvText(rows: readonly CsvRow[]): string {
  return rowsToCsv(rows);
}
