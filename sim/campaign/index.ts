/**
 * The campaign layer's public face, for the CLI and the server: expand a sweep or comparison into
 * keyed runs, run them on a backend with progress and cancel, build the tables from the results.
 *
 *   const c = expandSweep('scenarios/learn/request-response.yaml', { vary: ['population.size=10,20'] });
 *   const r = await runCampaign(c, { backend: new LocalBackend(2), onProgress, signal });
 *   sweepRows(c, r.outcomes)  // the rows of sweep.csv
 */
export type { Campaign, RunSpec, RunOutcome, CampaignProgress, ScenarioBundle, SweepDef, CompareDef, Headline } from './types.ts';
export { expandSweep, expandCompare, runKey, type SweepOptions, type CompareOptions } from './expand.ts';
export { runCampaign, type RunCampaignOptions, type CampaignOutcome } from './runner.ts';
export { LocalBackend } from './local-backend.ts';
export type { Backend, BackendHooks } from './backend.ts';
export { MemoryStore, DirStore, type ResultStore } from './store.ts';
export { sweepRows, sweepCsv, compareResult, compareCsv, compareTable, type CompareResult } from './tables.ts';
export { CampaignError } from './campaign-error.ts';
