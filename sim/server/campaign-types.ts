/**
 * The campaign API (variants, sweeps, policy comparisons), shared by sim/server and web/.
 *
 * HTTP:
 *   GET /api/scenario?path=P                    → ScenarioDetails (variants, sweeps, compare:, params)
 *   GET /api/validate?path=P&set=a%3D1&set=…    → ValidateResult (the loader's own messages)
 * WebSocket /api/campaign:
 *   client → server: CampaignCommand (one campaign at a time per socket; a new one replaces it)
 *   server → client: CampaignEvent
 *
 * Order on the wire for one campaign: planned, then job-progress / job-done / job-failed in any
 * order across jobs, then exactly one of finished or error (E_CANCELLED after a cancel).
 */
import type { ProbeRow, ProcedureCurves, SampleRow, Summary } from '../observe/records.ts';

export type { ProbeRow, ProcedureCurves, SampleRow, Summary };

export type ParamSource = 'common' | 'description' | 'compare' | 'sweeps' | 'variants' | 'faults' | 'workload';

/** One editable parameter of a scenario, described from the scenario schema. */
export interface ParamField {
  /** In --set syntax, e.g. 'msgin5g.bulking.maxSize', 'nodes.msc.params.policies.deregFailure'. */
  path: string;
  /** What the file holds (or the schema's default), as text; absent when neither says. */
  value?: string;
  /** 'unit': a value with a unit (the unit help says which); 'enum': one of `allowed`. */
  type: 'integer' | 'number' | 'string' | 'boolean' | 'enum' | 'unit';
  allowed?: string[];
  unit?: string;
  description?: string;
  min?: number;
  max?: number;
  /** Why the form offers it: the scenario's description, its variants, sweeps, compare:, … */
  source: ParamSource;
}

export interface ScenarioDetails {
  path: string;
  description: string;
  seed: number;
  variants: Record<string, string[]>;
  /** Suggested sweeps: path → values (as text). */
  sweeps: Record<string, string[]>;
  compare?: { policy: string; values: string[]; seeds: number; metrics?: string[] };
  params: ParamField[];
}

export type ValidateResult = { ok: true } | { ok: false; code: string; message: string; problems: string[] };

export interface SweepAxis {
  path: string;
  values: string[];
}

/** Shared by every campaign: the scenario, its seed (default: the file's), and --set overrides. */
interface CampaignBase {
  scenario: string;
  seed?: number;
  set?: Record<string, string>;
  /** Needed when the campaign has more runs than CAMPAIGN_CONFIRM_RUNS. */
  confirm?: boolean;
}

export type CampaignCommand =
  | (CampaignBase & { type: 'variants'; variants?: string[] })
  | (CampaignBase & { type: 'sweep'; vary: SweepAxis[] })
  | (CampaignBase & { type: 'policies'; policy?: string; values?: string[]; seeds?: number; metrics?: string[] })
  | { type: 'cancel' };

export type CampaignKind = Exclude<CampaignCommand['type'], 'cancel'>;

export interface PlannedJob {
  index: number;
  /** Variant name, `policy#k`, or the run number of a sweep. */
  label: string;
  seed: number;
  /** Every override of this run (the campaign's, then the variant's / varied / policy). */
  sets: string[];
  /** Sweep: the varied path → value; policies: the policy path → policy. */
  varied: Record<string, string>;
}

/** Enough to reproduce the campaign on the command line. */
export interface CampaignManifest {
  reglabVersion: string;
  kind: CampaignKind;
  scenario: string;
  seed: number;
  sets: string[];
  command: string;
  createdAt: string;
}

/** What one run sends back: the summary and headline always; time series where the view draws them. */
export interface JobOutput {
  summary: Summary;
  headline: Record<string, number | string>;
  nodes: string[];
  /** Variants: every node's rows; policies: rows of nodes with named signals, signals only. */
  samples?: SampleRow[];
  probes?: ProbeRow[];
  curves?: ProcedureCurves;
}

/** One table row of sweep.csv / compare.csv / comparison.csv, as the CLI writes it. */
export type CsvRow = Record<string, number | string>;

export type CampaignEvent =
  | {
      type: 'planned';
      campaignId: number;
      kind: CampaignKind;
      scenario: string;
      jobs: PlannedJob[];
      workers: number;
      manifest: CampaignManifest;
      /** Policies: the path compared, its values, seeds per policy, the metrics of compare.csv. */
      policy?: { path: string; values: string[]; seeds: number; metrics?: string[] };
      durationNs: number;
      sampleIntervalNs: number;
    }
  | { type: 'job-progress'; campaignId: number; index: number; fraction: number; simulatedNs: number }
  | { type: 'job-done'; campaignId: number; index: number; wallMs: number; output: JobOutput }
  | { type: 'job-failed'; campaignId: number; index: number; code: string; message: string; problems?: string[] }
  | {
      type: 'finished';
      campaignId: number;
      wallMs: number;
      /** The CLI's file for this campaign: sweep.csv, compare.csv or comparison.csv. */
      csv: { name: string; text: string; rows: CsvRow[] };
      /** Policies: metrics asked for that no run reported (shown as —, as the CLI notes). */
      missingMetrics?: string[];
    }
  | { type: 'error'; campaignId?: number; code: string; message: string; problems?: string[] };

/** Above this many runs a campaign needs `confirm: true`; the server refuses more than the max. */
export const CAMPAIGN_CONFIRM_RUNS = 50;
export const CAMPAIGN_MAX_RUNS = 2000;
