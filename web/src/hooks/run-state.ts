/**
 * The state of one run as the dashboard shows it, and the pure reducer that folds RunEvents into
 * it. Events of any other run (a run this one replaced) are ignored by runId.
 */
import type { NodeInfo, RuleResult, RunEvent, SampleRow, Summary, TraceRecord } from '../../../sim/server/api-types.ts';

export type RunPhase = 'idle' | 'connecting' | 'running' | 'finished' | 'failed' | 'cancelled';

export interface RunError {
  code: string;
  message: string;
  problems?: string[];
}

export interface RunState {
  phase: RunPhase;
  /** The run this state follows; undefined until the command is on its way. */
  runId?: number;
  request?: { scenario: string; seed?: number };
  scenario?: string;
  description?: string;
  seed?: number;
  nodes: NodeInfo[];
  durationNs: number;
  sampleIntervalNs: number;
  trace: TraceRecord[];
  samples: SampleRow[];
  progress?: { simulatedNs: number; events: number; fraction: number };
  summary?: Summary;
  rules?: RuleResult[];
  /** URL path of the finished run's downloadable files (ends with '/'). */
  files?: string;
  error?: RunError;
}

export type RunAction =
  | { type: 'request'; scenario: string; seed?: number }
  | { type: 'assigned'; runId: number }
  | { type: 'event'; event: RunEvent }
  | { type: 'send-failed'; message: string };

export const INITIAL_RUN_STATE: RunState = {
  phase: 'idle',
  nodes: [],
  durationNs: 0,
  sampleIntervalNs: 0,
  trace: [],
  samples: [],
};

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'request':
      return { ...INITIAL_RUN_STATE, phase: 'connecting', request: { scenario: action.scenario, seed: action.seed } };
    case 'assigned':
      return { ...state, runId: action.runId };
    case 'send-failed':
      return { ...state, phase: 'failed', error: { code: 'E_CONNECTION', message: action.message } };
    case 'event':
      return applyEvent(state, action.event);
  }
}

function applyEvent(state: RunState, ev: RunEvent): RunState {
  const active = state.phase === 'connecting' || state.phase === 'running';
  if (ev.type === 'error' && ev.runId === undefined) {
    // A command or connection problem: it concerns the run being asked for, if any.
    return active ? { ...state, phase: 'failed', error: pickError(ev) } : state;
  }
  if (state.runId === undefined || ev.runId !== state.runId) return state;
  switch (ev.type) {
    case 'started':
      return {
        ...state,
        phase: 'running',
        scenario: ev.scenario,
        description: ev.description,
        seed: ev.seed,
        nodes: ev.nodes,
        durationNs: ev.durationNs,
        sampleIntervalNs: ev.sampleIntervalNs,
      };
    case 'trace':
      return { ...state, trace: state.trace.concat(ev.records) };
    case 'sample':
      return { ...state, samples: state.samples.concat(ev.rows) };
    case 'progress':
      return { ...state, progress: { simulatedNs: ev.simulatedNs, events: ev.events, fraction: ev.fraction } };
    case 'finished':
      return {
        ...state,
        phase: 'finished',
        summary: ev.summary,
        rules: ev.rules,
        ...(typeof ev.files === 'string' && ev.files.startsWith('/api/runs/') ? { files: ev.files } : {}),
        progress: { simulatedNs: ev.summary.simulatedNs, events: ev.summary.events, fraction: 1 },
      };
    case 'error':
      return ev.code === 'E_CANCELLED' ? { ...state, phase: 'cancelled' } : { ...state, phase: 'failed', error: pickError(ev) };
  }
}

function pickError(ev: Extract<RunEvent, { type: 'error' }>): RunError {
  return { code: ev.code, message: ev.message, ...(ev.problems?.length ? { problems: ev.problems } : {}) };
}
