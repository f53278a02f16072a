import type { Campaign, RunOutcome, RunSpec } from './types.ts';

export interface BackendHooks {
  /** Each finished run, once, in any order. */
  onOutcome(o: RunOutcome): void;
  /** How many runs are executing now (for progress). */
  onRunning?(n: number): void;
  /** Cancels: the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Recompute even what the backend itself still holds (a queue's finished jobs). */
  fresh?: boolean;
}

/** Executes runs: the local thread pool, a BullMQ queue. */
export interface Backend {
  readonly name: string;
  execute(campaign: Campaign, runs: readonly RunSpec[], hooks: BackendHooks): Promise<void>;
  close(): Promise<void>;
}
