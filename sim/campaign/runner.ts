import type { Backend } from './backend.ts';
import type { ResultStore } from './store.ts';
import type { Campaign, CampaignProgress, RunOutcome, RunSpec } from './types.ts';

export interface RunCampaignOptions {
  backend: Backend;
  /** Finished runs by key: reused unless `fresh`, and every new ok result is put there. */
  store?: ResultStore;
  /** Recompute every run, ignoring stored results. */
  fresh?: boolean;
  /** Only these runs (a shard); default all. */
  runs?: readonly RunSpec[];
  onProgress?(p: CampaignProgress, last?: { run: RunSpec; outcome: RunOutcome; reused: boolean }): void;
  signal?: AbortSignal;
}

export interface CampaignOutcome {
  /** By run index; undefined for runs outside `runs`. */
  outcomes: (RunOutcome | undefined)[];
  reused: number;
  ran: number;
  failed: number;
}

/**
 * Runs a campaign: what the store already has (same key, ok, same version) is reused, as SEM's
 * run_missing_simulations; the rest goes to the backend. Failed runs are never stored, so running
 * the campaign again retries them.
 */
export async function runCampaign(campaign: Campaign, opts: RunCampaignOptions): Promise<CampaignOutcome> {
  const runs = opts.runs ?? campaign.runs;
  const outcomes: (RunOutcome | undefined)[] = new Array(campaign.runs.length).fill(undefined);
  const progress: CampaignProgress = { total: runs.length, done: 0, failed: 0, reused: 0, running: 0 };
  const missing: RunSpec[] = [];
  for (const run of runs) {
    const stored = opts.fresh ? undefined : opts.store?.get(run.key);
    if (stored?.ok && stored.reglabVersion === campaign.reglabVersion) {
      outcomes[run.index] = { ...stored, label: run.label };
      progress.done++;
      progress.reused++;
    } else missing.push(run);
  }
  if (progress.reused) opts.onProgress?.({ ...progress });
  const byKey = new Map<string, RunSpec[]>();
  for (const r of missing) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  // Runs with the same key (a sweep listing a value twice) are executed once.
  const unique = [...byKey.values()].map((rs) => rs[0]);
  let ran = 0;
  await opts.backend.execute(campaign, unique, {
    signal: opts.signal,
    fresh: opts.fresh,
    onRunning: (n) => {
      progress.running = n;
    },
    onOutcome: (o) => {
      const rs = byKey.get(o.key);
      if (!rs || outcomes[rs[0].index] !== undefined) return; // not ours, or already had (at-least-once delivery)
      if (o.ok && o.reglabVersion !== campaign.reglabVersion) {
        o = { key: o.key, label: o.label, ok: false, reglabVersion: o.reglabVersion, worker: o.worker, code: 'E_CAMPAIGN', message: versionMismatch(o.reglabVersion, campaign.reglabVersion, o.worker) };
      }
      if (o.ok) opts.store?.put(o);
      ran++;
      for (const run of rs) {
        outcomes[run.index] = { ...o, label: run.label };
        progress.done++;
        if (!o.ok) progress.failed++;
        opts.onProgress?.({ ...progress }, { run, outcome: outcomes[run.index]!, reused: false });
      }
    },
  });
  return { outcomes, reused: progress.reused, ran, failed: progress.failed };
}

export function versionMismatch(theirs: string, ours: string, worker?: string): string {
  return `result refused: worker ${worker ?? '?'} runs RegLab ${theirs}, this campaign is RegLab ${ours} — run workers from the same RegLab version`;
}
