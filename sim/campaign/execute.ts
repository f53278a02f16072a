import { hostname } from 'node:os';
import { loadScenarioText, ScenarioError } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import { headline } from '../observe/headline.ts';
import { REGLAB_VERSION } from '../version.ts';
import { attachmentSets, bundleDir } from './bundle.ts';
import type { RunOutcome, RunSpec, ScenarioBundle } from './types.ts';

/** What a worker gets: the scenario's content and one run of it. */
export interface RunTask {
  bundle: ScenarioBundle;
  run: RunSpec;
}

/**
 * Runs one run from the bundle's content (never from the file system). A run that fails — a bad
 * override, a model error — is a result like any other: deterministic, so reported once and never
 * retried. Only a worker that dies holding the run gets it retried (by the backend).
 */
export async function executeRun(task: RunTask, signal?: AbortSignal): Promise<RunOutcome> {
  const { bundle, run } = task;
  const base = { key: run.key, label: run.label, reglabVersion: REGLAB_VERSION, worker: `${hostname()}/${process.pid}` };
  try {
    const sc = loadScenarioText(bundle.text, bundle.file, { seed: run.seed, set: [...run.sets, ...attachmentSets(bundle, run.sets)], skipVariants: true,
      // The CSV replays travel with the job and are written to the bundle's folder: the only place they may be read from.
      ...(Object.keys(bundle.attachments).length > 0 ? { dataDir: bundleDir(bundle) } : {}) });
    const r = await runScenario(sc, { signal });
    return { ...base, ok: true, headline: headline(r.summary) };
  } catch (err) {
    if (err instanceof ScenarioError) return { ...base, ok: false, code: err.code, message: err.message, problems: err.problems };
    const e = err as Error & { code?: string };
    if (e.name === 'AbortError') throw err;
    return { ...base, ok: false, code: typeof e.code === 'string' ? e.code : 'E_RUN', message: e.stack ?? e.message };
  }
}
