import { loadScenarioFile, ScenarioError } from './load.ts';
import { runScenario } from './run.ts';
import { runOutput, writeRunDir } from '../observe/export.ts';
import { headline } from '../observe/headline.ts';
import type { RuleResult, Summary } from '../observe/records.ts';
import { REGLAB_VERSION } from '../version.ts';

/** One run of a sweep, comparison or variant set: a scenario file with overrides. */
export interface Job {
  /** Row label: variant name or the varied values. */
  label: string;
  file: string;
  seed?: number;
  sets: string[];
  /** Where to write the run directory, if anywhere. */
  out?: string;
}

export type JobResult =
  | { ok: true; label: string; summary: Summary; rules: RuleResult[]; headline: Record<string, number | string> }
  | { ok: false; label: string; code: string; message: string; problems?: string[] };

export async function runJob(job: Job): Promise<JobResult> {
  try {
    const sc = loadScenarioFile(job.file, { seed: job.seed, set: job.sets });
    const r = await runScenario(sc);
    if (job.out) {
      await writeRunDir(job.out, runOutput(r, runManifest(sc.name, sc.file, sc.seed, sc.sets)));
    }
    return { ok: true, label: job.label, summary: r.summary, rules: r.rules, headline: headline(r.summary) };
  } catch (err) {
    if (err instanceof ScenarioError) return { ok: false, label: job.label, code: err.code, message: err.message, problems: err.problems };
    const e = err as Error & { code?: string };
    return { ok: false, label: job.label, code: e.code ?? 'E_RUN', message: e.stack ?? e.message };
  }
}

/** The run manifest: enough to reproduce the run exactly. */
export function runManifest(name: string, file: string, seed: number, sets: readonly string[]): Record<string, unknown> {
  return {
    reglabVersion: REGLAB_VERSION,
    scenario: name,
    file,
    seed,
    sets,
    node: process.version,
    createdAt: new Date().toISOString(),
    command: `reglab run ${file} --seed ${seed}${sets.map((s) => ` --set '${s}'`).join('')}`,
  };
}
