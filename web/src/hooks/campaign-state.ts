/**
 * A campaign (variants, sweep or policy comparison) as the page shows it, and the pure reducer
 * that folds CampaignEvents into it. Results stay until a new campaign is planned: a command the
 * server refuses, a cancel or a lost connection sets `error` and leaves the runs already done.
 */
import type { CampaignEvent, CampaignKind, CampaignManifest, CsvRow, JobOutput, PlannedJob } from '../../../sim/server/campaign-types.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobState {
  job: PlannedJob;
  status: JobStatus;
  fraction: number;
  wallMs?: number;
  output?: JobOutput;
  error?: { code: string; message: string; problems?: string[] };
}

export interface CampaignError {
  code: string;
  message: string;
  problems?: string[];
}

export interface CampaignResult {
  campaignId: number;
  kind: CampaignKind;
  scenario: string;
  manifest: CampaignManifest;
  workers: number;
  policy?: { path: string; values: string[]; seeds: number; metrics?: string[] };
  durationNs: number;
  sampleIntervalNs: number;
  jobs: JobState[];
  /** Wall clock (ms, page time) when the plan arrived, for the ETA. */
  startedAt: number;
  finished: boolean;
  csv?: { name: string; text: string; rows: CsvRow[] };
  missingMetrics?: string[];
  wallMs?: number;
}

export interface CampaignState {
  phase: 'idle' | 'starting' | 'running' | 'finished' | 'failed' | 'cancelled';
  /** The campaign the page waits for (its id once the command is sent). */
  pendingId?: number;
  result?: CampaignResult;
  error?: CampaignError;
}

export type CampaignAction =
  | { type: 'request' }
  | { type: 'assigned'; campaignId: number }
  | { type: 'event'; event: CampaignEvent; now: number }
  | { type: 'send-failed'; message: string };

export const INITIAL_CAMPAIGN: CampaignState = { phase: 'idle' };

/** The result a view of `kind` shows: its campaign's, never another kind's. */
export function resultOf(state: CampaignState, kind: CampaignKind): CampaignResult | undefined {
  return state.result?.kind === kind ? state.result : undefined;
}

export function campaignReducer(state: CampaignState, action: CampaignAction): CampaignState {
  switch (action.type) {
    case 'request':
      // The previous results stay on screen until the new campaign is planned.
      return { phase: 'starting', result: state.result, pendingId: undefined };
    case 'assigned':
      return { ...state, pendingId: action.campaignId };
    case 'send-failed':
      return { ...state, phase: 'failed', error: { code: 'E_CONNECTION', message: action.message } };
    case 'event':
      return applyEvent(state, action.event, action.now);
  }
}

function applyEvent(state: CampaignState, ev: CampaignEvent, now: number): CampaignState {
  const live = state.phase === 'starting' || state.phase === 'running';
  if (ev.type === 'error' && ev.campaignId === undefined) {
    // A refused command or a lost connection: about the campaign in flight, if any.
    return live || ev.code === 'E_CONNECTION' ? { ...state, phase: ev.code === 'E_CONNECTION' && !live ? state.phase : 'failed', error: pick(ev) } : state;
  }
  const id = 'campaignId' in ev ? ev.campaignId : undefined;
  if (state.pendingId === undefined || id !== state.pendingId) return state;
  if (ev.type === 'planned') {
    return {
      phase: 'running',
      pendingId: state.pendingId,
      result: {
        campaignId: ev.campaignId,
        kind: ev.kind,
        scenario: ev.scenario,
        manifest: ev.manifest,
        workers: ev.workers,
        ...(ev.policy ? { policy: ev.policy } : {}),
        durationNs: ev.durationNs,
        sampleIntervalNs: ev.sampleIntervalNs,
        jobs: ev.jobs.map((job) => ({ job, status: 'queued', fraction: 0 })),
        startedAt: now,
        finished: false,
      },
    };
  }
  if (ev.type === 'error') {
    return { ...state, phase: ev.code === 'E_CANCELLED' ? 'cancelled' : 'failed', error: pick(ev) };
  }
  const r = state.result;
  if (!r || r.campaignId !== id) return state;
  switch (ev.type) {
    case 'job-progress':
      return withJob(state, r, ev.index, (j) => (j.status === 'done' || j.status === 'failed' ? j : { ...j, status: 'running', fraction: Math.max(j.fraction, ev.fraction) }));
    case 'job-done':
      return withJob(state, r, ev.index, (j) => ({ ...j, status: 'done', fraction: 1, wallMs: ev.wallMs, output: ev.output }));
    case 'job-failed':
      return withJob(state, r, ev.index, (j) => ({ ...j, status: 'failed', fraction: 1, error: { code: ev.code, message: ev.message, ...(ev.problems ? { problems: ev.problems } : {}) } }));
    case 'finished':
      return {
        ...state,
        phase: 'finished',
        error: undefined,
        result: { ...r, finished: true, csv: ev.csv, wallMs: ev.wallMs, ...(ev.missingMetrics ? { missingMetrics: ev.missingMetrics } : {}) },
      };
  }
}

function withJob(state: CampaignState, r: CampaignResult, index: number, f: (j: JobState) => JobState): CampaignState {
  const old = r.jobs[index];
  if (!old) return state;
  const jobs = r.jobs.slice();
  jobs[index] = f(old);
  return { ...state, result: { ...r, jobs } };
}

function pick(ev: Extract<CampaignEvent, { type: 'error' }>): CampaignError {
  return { code: ev.code, message: ev.message, ...(ev.problems?.length ? { problems: ev.problems } : {}) };
}

/** Runs done / total and an ETA (ms) from the mean wall time of finished runs and the running ones' progress. */
export function campaignProgress(r: CampaignResult, now: number): { done: number; total: number; fraction: number; etaMs?: number } {
  const total = r.jobs.length;
  const done = r.jobs.filter((j) => j.status === 'done' || j.status === 'failed').length;
  const work = r.jobs.reduce((a, j) => a + (j.status === 'done' || j.status === 'failed' ? 1 : j.fraction), 0);
  const fraction = total ? work / total : 0;
  const elapsed = now - r.startedAt;
  const etaMs = r.finished || fraction <= 0.01 || elapsed <= 0 ? undefined : (elapsed / fraction) * (1 - fraction);
  return { done, total, fraction, ...(etaMs !== undefined ? { etaMs } : {}) };
}
