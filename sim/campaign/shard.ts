import { CampaignError } from './campaign-error.ts';
import type { RunSpec } from './types.ts';

export interface Shard {
  index: number;
  count: number;
}

/**
 * `--shard i/n`: the i-th of n disjoint slices, i from 0 to n-1 — as Kubernetes'
 * $JOB_COMPLETION_INDEX and a Slurm array `--array=0-(n-1)` number them.
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  const hint = 'expected i/n with n ≥ 1 and 0 ≤ i < n (i counts from 0, as $JOB_COMPLETION_INDEX; Slurm: --array=0-(n-1) and $SLURM_ARRAY_TASK_ID)';
  if (!m) throw new CampaignError('E_USAGE', `--shard ${text}: ${hint}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new CampaignError('E_USAGE', `--shard ${text}: ${hint}`);
  return { index, count };
}

/** Round-robin, so each slice gets a share of every axis (runs of one size cost alike). */
export function shardRuns(runs: readonly RunSpec[], s: Shard): RunSpec[] {
  return runs.filter((r) => r.index % s.count === s.index);
}
