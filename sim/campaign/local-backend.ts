import { executeRun } from './execute.ts';
import { ThreadPool } from './pool.ts';
import type { Backend, BackendHooks } from './backend.ts';
import type { Campaign, RunSpec } from './types.ts';

/**
 * Runs on this machine's worker threads (`--workers N`). With one worker, or one run, it runs in
 * the calling thread: no start-up cost for the common case.
 */
export class LocalBackend implements Backend {
  readonly name = 'local';
  constructor(readonly workers: number) {}

  async execute(campaign: Campaign, runs: readonly RunSpec[], hooks: BackendHooks): Promise<void> {
    const n = Math.max(1, Math.min(this.workers, runs.length));
    if (runs.length === 0) return;
    if (n === 1) {
      for (const run of runs) {
        if (hooks.signal?.aborted) throw abortError();
        hooks.onRunning?.(1);
        hooks.onOutcome(await executeRun({ bundle: campaign.bundle, run }, hooks.signal));
      }
      hooks.onRunning?.(0);
      return;
    }
    const pool = new ThreadPool(n);
    const onAbort = () => void pool.terminate();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (hooks.signal?.aborted) throw abortError();
      const all = runs.map(async (run) => {
        const o = await pool.run({ bundle: campaign.bundle, run });
        hooks.onRunning?.(pool.busy);
        hooks.onOutcome(o);
      });
      hooks.onRunning?.(pool.busy);
      await Promise.all(all);
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
      await pool.terminate();
    }
  }

  async close(): Promise<void> {}
}

function abortError(): Error {
  const e = new Error('campaign cancelled');
  e.name = 'AbortError';
  return e;
}
