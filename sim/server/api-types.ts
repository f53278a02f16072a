/**
 * The dashboard API, shared by sim/server and web/ (web/ imports nothing else from sim/).
 *
 * HTTP (127.0.0.1 by default):
 *   GET  /api/scenarios            → ScenarioInfo[]
 *   GET  /api/health               → { ok: true, version }
 *   GET  /api/runs/<token>/<file>  → a finished run's trace.pcapng, trace.jsonl, metrics.csv,
 *                                    summary.json, rules.json, flows.mmd (sim/server/run-files.ts)
 * WebSocket /api/stream:
 *   client → server: ClientCommand
 *   server → client: RunEvent (JSON text frames)
 */
import type { TraceRecord, SampleRow, Summary, RuleResult } from '../observe/records.ts';

export type { TraceRecord, SampleRow, Summary, RuleResult };

export interface ScenarioInfo {
  /** Path relative to the scenarios folder, e.g. 'learn/request-response.yaml'. */
  path: string;
  /** learn | sizing | ffs | emulate */
  group: string;
  name: string;
  description: string;
}

export interface NodeInfo {
  id: string;
  type: string;
}

export type ClientCommand =
  | { type: 'run'; scenario: string; seed?: number; set?: Record<string, string> }
  | { type: 'cancel' };

export type RunEvent =
  | {
      type: 'started';
      runId: number;
      scenario: string;
      description: string;
      seed: number;
      nodes: NodeInfo[];
      durationNs: number;
      sampleIntervalNs: number;
    }
  | { type: 'trace'; runId: number; records: TraceRecord[] }
  | { type: 'sample'; runId: number; rows: SampleRow[] }
  | { type: 'progress'; runId: number; simulatedNs: number; events: number; fraction: number }
  /** `files`: URL path of the run's downloadable files (GET files + 'trace.pcapng', …; run-files.ts). */
  | { type: 'finished'; runId: number; summary: Summary; rules: RuleResult[]; files?: string }
  | { type: 'error'; runId?: number; code: string; message: string; problems?: string[] };
