/**
 * A campaign command → the runs it means, every one validated before anything starts (the same
 * checks, in the same words, as `reglab run` / `reglab sweep` / `reglab compare`), and the CSV
 * the CLI would write once they are done.
 */
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { comparisonRow, compareCsvRows, compareMetrics, policyStats, sweepRow } from '../observe/campaign-tables.ts';
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
  /** The CLI's CSV from the outcomes (in job order); undefined when the CLI would write none. */
  table(outcomes: readonly JobOutcome[]): { name: string; rows: CsvRow[]; missing?: string[] } | undefined;
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

export function planCampaign(cmd: Cmd, file: string): CampaignPlan {
  const sets = setToOverrides(cmd.set) ?? [];
  const base = loadScenarioFile(file, { seed: cmd.seed, set: sets });
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
      table: (outcomes) =>
        outcomes.every((o) => o.ok) ? { name: 'comparison.csv', rows: outcomes.map((o, i) => comparisonRow(jobs[i]!.label, base.seed, (o as Extract<JobOutcome, { ok: true }>).output.headline)) } : undefined,
    };
  }

  if (cmd.type === 'sweep') {
    const total = cmd.vary.reduce((n, ax) => n * ax.values.length, 1);
    checkSize(total, cmd.confirm);
    const combos = cmd.vary.reduce<string[][]>((acc, ax) => acc.flatMap((c) => ax.values.map((v) => [...c, `${ax.path}=${v}`])), [[]]);
    // Every combination is a valid scenario before anything runs (as reglab sweep checks).
    const problems: string[] = [];
    for (const c of combos) {
      try {
        loadScenarioFile(file, { seed: cmd.seed, set: [...sets, ...c], skipVariants: true });
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw err;
        for (const p of err.problems) problems.push(`${c.join(' ')}: ${p}`);
      }
    }
    if (problems.length) throw new ScenarioError(file, [...new Set(problems)]);
    const jobs = combos.map((c, index) => ({
      index,
      label: String(index + 1),
      seed: base.seed,
      sets: [...sets, ...c],
      varied: Object.fromEntries(c.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)])),
    }));
    const vary = cmd.vary.map((ax) => ` --vary ${shell(`${ax.path}=${ax.values.join(',')}`)}`).join('');
    return {
      ...common,
      kind: 'sweep',
      jobs,
      series: 'none',
      manifest: manifest(`reglab sweep ${fileArg}${vary} --seed ${base.seed}${setArgs} --out runs/sweep`),
      table: (outcomes) => ({
        name: 'sweep.csv',
        rows: outcomes.map((o, i) => sweepRow(i + 1, jobs[i]!.varied, base.seed, o.ok ? { ok: true, headline: o.output.headline } : { ok: false, code: o.code })),
      }),
    };
  }

  const declared = base.doc.compare;
  const path = cmd.policy ?? declared?.policy;
  const values = cmd.values ?? (cmd.policy === undefined || cmd.policy === declared?.policy ? declared?.values : undefined);
  if (!path) throw new ApiError(API_ERRORS.E_API, `policy: ${cmd.scenario} declares no compare: section — name the policy field to compare (e.g. nodes.msc.params.policies.deregFailure)`);
  if (!values || values.length < 2) throw new ApiError(API_ERRORS.E_API, `values: name at least two policies for ${path}`);
  const seeds = cmd.seeds ?? declared?.seeds ?? 5;
  checkSize(values.length * seeds, cmd.confirm);
  const problems: string[] = [];
  for (const p of values) {
    try {
      loadScenarioFile(file, { set: [...sets, `${path}=${p}`], skipVariants: true });
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const q of err.problems) problems.push(`${path}=${p}: ${q}`);
    }
  }
  if (problems.length) throw new ScenarioError(file, problems);
  const jobs = values.flatMap((p, i) =>
    Array.from({ length: seeds }, (_, k) => ({ index: i * seeds + k, label: `${p}#${k}`, seed: base.seed + k, sets: [...sets, `${path}=${p}`], varied: { [path]: p } })),
  );
  const asked = cmd.metrics?.length ? cmd.metrics : declared?.metrics;
  return {
    ...common,
    kind: 'policies',
    jobs,
    series: 'signals',
    policy: { path, values, seeds, ...(asked ? { metrics: asked } : {}) },
    manifest: manifest(
      `reglab compare ${fileArg} --policy ${shell(`${path}=${values.join(',')}`)} --seeds ${seeds} --seed ${base.seed}${setArgs}${(cmd.metrics ?? []).map((m) => ` --metric ${shell(m)}`).join('')} --out runs/compare`,
    ),
    table: (outcomes) => {
      if (!outcomes.every((o) => o.ok)) return undefined;
      const ok = outcomes.map((o) => (o as Extract<JobOutcome, { ok: true }>).output);
      const { metrics, missing } = compareMetrics(asked, ok.map((o) => o.headline));
      const stats = policyStats(values, seeds, ok.map((o) => ({ headline: o.headline, traceHash: o.summary.traceHash })), metrics);
      return { name: 'compare.csv', rows: compareCsvRows(stats, { path, seeds, firstSeed: base.seed, metrics }), missing };
    },
  };
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
