import { readFileSync } from 'node:fs';
import { loadScenarioText, ScenarioError, type Scenario } from '../scenario/load.ts';
import { REGLAB_VERSION } from '../version.ts';
import { makeBundle, sha256 } from './bundle.ts';
import { CampaignError } from './campaign-error.ts';
import type { Campaign, CompareDef, RunSpec, ScenarioBundle, SweepDef } from './types.ts';

/** The key of a run: everything that determines its result, and nothing else. */
export function runKey(bundleHash: string, sets: readonly string[], seed: number, version = REGLAB_VERSION): string {
  return sha256(JSON.stringify(['reglab-run', version, bundleHash, sets, seed])).slice(0, 40);
}

export interface SweepOptions {
  /** `path=v1,v2,…`, one per varied field. */
  vary: readonly string[];
  seed?: number;
  sets?: readonly string[];
  version?: string;
  /** The folder files the scenario references must lie in (`reglab serve --data-dir`); default the loader's. */
  dataDir?: string;
}

export interface CompareOptions {
  /** `path=a,b,…` (default: the scenario's compare: section). */
  policy?: string;
  seeds?: number;
  seed?: number;
  sets?: readonly string[];
  metrics?: readonly string[];
  version?: string;
  dataDir?: string;
}

function usage(message: string): CampaignError {
  return new CampaignError('E_USAGE', message);
}

function readScenario(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
}

/** Loads every distinct override list, collecting all problems before anything runs. */
function loadAll(at: { file: string; text: string; seed?: number; dataDir?: string }, setLists: readonly (readonly string[])[], label: (i: number) => string): Scenario[] {
  const { file, text, seed, dataDir } = at;
  const problems: string[] = [];
  const loaded: Scenario[] = [];
  setLists.forEach((sets, i) => {
    try {
      loaded.push(loadScenarioText(text, file, { seed, set: [...sets], skipVariants: true, ...(dataDir ? { dataDir } : {}) }));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) problems.push(`${label(i)}: ${p}`);
    }
  });
  if (problems.length) throw new ScenarioError(file, [...new Set(problems)]);
  return loaded;
}

function finish(bundle: ScenarioBundle, seed: number, sets: readonly string[], def: SweepDef | CompareDef, runs: Omit<RunSpec, 'key'>[], version: string): Campaign {
  const keyed = runs.map((r) => ({ ...r, key: runKey(bundle.hash, r.sets, r.seed, version) }));
  const id = sha256(JSON.stringify(['reglab-campaign', version, bundle.hash, def, keyed.map((r) => r.key)])).slice(0, 16);
  return { id, reglabVersion: version, bundle, seed, sets: [...sets], def, runs: keyed };
}

/** `reglab sweep`: every combination of the varied values, one run each, on one seed. */
export function expandSweep(file: string, opts: SweepOptions): Campaign {
  if (!opts.vary.length) throw usage('sweep needs at least one --vary path=v1,v2,…');
  const axes = opts.vary.map((v) => {
    const eq = v.indexOf('=');
    const values = eq > 0 ? v.slice(eq + 1).split(',').map((x) => x.trim()).filter((x) => x !== '') : [];
    if (eq <= 0 || values.length === 0) throw usage(`--vary ${v}: expected path=v1,v2,… (e.g. --vary network.defaults.loss=0,1%,5%)`);
    return { path: v.slice(0, eq).trim(), values };
  });
  const at = { file, text: readScenario(file), seed: opts.seed, dataDir: opts.dataDir };
  const sets = [...(opts.sets ?? [])];
  const [base] = loadAll(at, [sets], () => '--set');
  const combos = axes.reduce<string[][]>((acc, ax) => acc.flatMap((c) => ax.values.map((v) => [...c, `${ax.path}=${v}`])), [[]]);
  const loaded = loadAll(at, combos.map((c) => [...sets, ...c]), (i) => combos[i].join(' '));
  const bundle = makeBundle(file, at.text, loaded);
  const runs = combos.map((c, i) => ({ index: i, label: String(i + 1), seed: base.seed, sets: [...sets, ...c] }));
  return finish(bundle, base.seed, sets, { kind: 'sweep', axes: axes.map((a) => ({ path: a.path, values: a.values })) }, runs, opts.version ?? REGLAB_VERSION);
}

/** `reglab compare`: each policy on K consecutive seeds from the first. */
export function expandCompare(file: string, opts: CompareOptions): Campaign {
  const at = { file, text: readScenario(file), seed: opts.seed, dataDir: opts.dataDir };
  const sets = [...(opts.sets ?? [])];
  const [base] = loadAll(at, [sets], () => '--set');
  const declared = base.doc.compare;
  let path = declared?.policy;
  let policies = declared?.values;
  if (opts.policy !== undefined) {
    const eq = opts.policy.indexOf('=');
    const vals = eq > 0 ? opts.policy.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean) : [];
    if (eq <= 0 || vals.length < 2) throw usage(`--policy ${opts.policy}: expected path=a,b[,c…] with at least two policies`);
    path = opts.policy.slice(0, eq).trim();
    policies = vals;
  }
  if (!path || !policies) throw usage('compare needs --policy path=a,b,… or a scenario with a compare: section');
  const seeds = opts.seeds ?? declared?.seeds ?? 5;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 1000) throw usage(`--seeds ${opts.seeds}: expected a whole number from 1 to 1000`);
  const policySets = policies.map((p) => [...sets, `${path}=${p}`]);
  const loaded = loadAll(at, policySets, (i) => `${path}=${policies![i]}`);
  const bundle = makeBundle(file, at.text, loaded);
  const runs = policies.flatMap((p, i) =>
    Array.from({ length: seeds }, (_, k) => ({ index: i * seeds + k, label: `${p}#${k}`, seed: base.seed + k, sets: policySets[i] })),
  );
  const metrics = [...(opts.metrics?.length ? opts.metrics : (declared?.metrics ?? []))];
  return finish(bundle, base.seed, sets, { kind: 'compare', policyPath: path, policies: [...policies], seeds, metrics }, runs, opts.version ?? REGLAB_VERSION);
}
