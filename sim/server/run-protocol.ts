/**
 * What the server and a run worker (run-worker.ts) say to each other. The server stamps each event
 * with its run id and forwards it as a RunEvent (api-types.ts); the batching happens in the worker
 * so the thread boundary is crossed once per batch, not once per record.
 */
import type { NodeInfo, RuleResult, SampleRow, Summary, TraceRecord } from './api-types.ts';
import type { ProbeRow } from '../observe/records.ts';
import type { LoadOptions } from '../scenario/load.ts';

export const FLUSH_MS = 50;
export const BATCH_RECORDS = 200;
export const PROGRESS_MS = 100;

export interface WorkerJob {
  /** An absolute path, already confined to the scenarios folder by resolveScenarioPath. */
  file: string;
  seed?: number;
  set?: string[];
  /** Loader limits the server imposes (memory budget, data folder). */
  load?: Omit<LoadOptions, 'seed' | 'set'>;
}

export type WorkerEvent =
  | { type: 'started'; description: string; seed: number; nodes: NodeInfo[]; durationNs: number; sampleIntervalNs: number }
  | { type: 'trace'; records: TraceRecord[] }
  | { type: 'sample'; rows: SampleRow[] }
  | { type: 'progress'; simulatedNs: number; events: number; fraction: number }
  /** probes, nodes and pcapng: what the run's downloads need beyond the streamed trace and samples (run-files.ts). */
  | { type: 'finished'; summary: Summary; rules: RuleResult[]; probes?: ProbeRow[]; nodes?: string[]; pcapng?: Uint8Array }
  | { type: 'failed'; code: 'E_SCENARIO' | 'E_RUN'; message: string; problems?: string[]; stack?: string };
