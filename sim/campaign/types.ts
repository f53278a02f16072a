/**
 * A campaign is data: a scenario's content, and the runs it expands into, each keyed by what
 * determines its result (scenario content, overrides, seed, RegLab version). Backends (the local
 * thread pool, BullMQ on Redis, shards) only execute runs; the CSVs are built from results by key.
 */

/** The scenario as content: its text and every file it reads (CSV replays), so it can travel. */
export interface ScenarioBundle {
  /** e.g. 'learn/request-response' (as loadScenarioFile names it). */
  name: string;
  /** The path the user gave: used in error messages and to name the scenario, never read by a worker. */
  file: string;
  text: string;
  /** Files the scenario reads, by the path written in it (relative to the scenario file). */
  attachments: Record<string, string>;
  /** sha256 of name, text and attachments (hex). */
  hash: string;
}

/** One run of a campaign. */
export interface RunSpec {
  /** Content key: same key, same result (reused from a store, collapsed in a queue). */
  key: string;
  /** Position in the campaign (row order of the CSV). */
  index: number;
  /** Short label: the sweep's run number or the compare's `policy#k`. */
  label: string;
  seed: number;
  /** Every --set of the run, in order (the campaign's own, then the varied ones). */
  sets: string[];
}

export interface SweepDef {
  kind: 'sweep';
  /** The varied paths and their values, in the order given. */
  axes: { path: string; values: string[] }[];
}

export interface CompareDef {
  kind: 'compare';
  policyPath: string;
  policies: string[];
  seeds: number;
  /** Metrics asked for (--metric or the scenario's compare.metrics); empty: the defaults. */
  metrics: string[];
}

export interface Campaign {
  /** sha256 over the version, the bundle and the run keys: two identical campaigns share it. */
  id: string;
  reglabVersion: string;
  bundle: ScenarioBundle;
  /** The first seed (the sweep's only one). */
  seed: number;
  /** The --set overrides common to every run. */
  sets: string[];
  def: SweepDef | CompareDef;
  runs: RunSpec[];
}

/** Headline values: numbers and strings (JSON-safe through encodeResult). */
export type Headline = Record<string, number | string>;

/** What a run leaves behind, stored under its key. */
export type RunOutcome =
  | { key: string; ok: true; label: string; reglabVersion: string; headline: Headline; worker?: string }
  | { key: string; ok: false; label: string; reglabVersion: string; code: string; message: string; problems?: string[]; worker?: string };

/** Progress of a campaign, as callbacks and the dashboard see it. */
export interface CampaignProgress {
  total: number;
  /** Finished in this execution or reused (ok or failed). */
  done: number;
  failed: number;
  /** Taken from the store without running. */
  reused: number;
  /** Being run now (as far as the backend knows). */
  running: number;
}
