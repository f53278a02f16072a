import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadScenarioText, ScenarioError } from '../../sim/scenario/load.ts';
import { caseRng, cpuMs, mutateJson, mutateText, mutateYaml, pick, runFuzz, INTERESTING_KEYS, YAML_MAX_LENGTH, type Prng } from './fuzz-kit.ts';

/**
 * The scenario loader under mutated scenario files and mutated --set overrides (issue 11 fuzz
 * suite): every input ends in a Scenario or a ScenarioError — never another exception, never a
 * polluted Object.prototype — within its time bound.
 */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SEEDS = ['learn/request-response.yaml', 'learn/msgin5g-bulk.yaml', 'learn/ics-cancel-location.yaml', 'ffs/ics-restart-lost-200.yaml'].map((f) => ({
  path: join(ROOT, 'scenarios', f),
  text: readFileSync(join(ROOT, 'scenarios', f), 'utf8'),
}));
const KEYS = ['name', 'description', 'seed', 'duration', 'network', 'nodes', 'population', 'size', 'workload', 'pattern', 'kind', 'count', 'rate', 'file', 'observe', 'watch', 'every', 'interval', 'traceLimit', 'workers', 'queueLimit', 'variants', 'faults'];
const VALUES = ['0', '1ns', '1e12/s', '{kind: csv, file: /etc/passwd}', '{kind: csv, file: /dev/zero}', '{every: 1}', 1e9, 1e15, -1, '100%', 'unlimited', '*a'];
const PATHS = ['observe.interval', 'observe.watch', 'observe.traceLimit', 'nodes[0].workers', 'nodes.server.workers', 'workload[0].pattern', 'population.size', 'duration', 'variants.x', 'network.defaults.loss'];

interface Case {
  path: string;
  text: string;
  set: string[];
}

function overrides(rng: Prng): string[] {
  return Array.from({ length: rng.int(3) }, () => {
    const path = rng.chance(0.3) ? `${pick(rng, PATHS)}.${pick(rng, INTERESTING_KEYS)}` : rng.chance(0.2) ? mutateText(rng, pick(rng, PATHS), { rounds: 1 }) : pick(rng, PATHS);
    const value = String(pick(rng, VALUES));
    return `${path}=${value}`;
  });
}

/** A mutated scenario file (80 %) and mutated overrides (half the time). */
function scenarioCase(rng: Prng): Case {
  const seed = pick(rng, SEEDS);
  const text = rng.chance(0.8) ? mutateYaml(rng, seed.text, YAML.parse, { keys: KEYS, values: VALUES }) : seed.text;
  return { path: seed.path, text, set: rng.chance(0.5) ? overrides(rng) : [] };
}

/** A Scenario or a ScenarioError of one-line problems, Object.prototype untouched. */
function loaderCheck({ path, text, set }: Case): void {
  try {
    loadScenarioText(text, path, { set });
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${(err as Error)?.stack ?? err}`);
    for (const p of err.problems) if (p.includes('\n')) throw new Error(`a problem of several lines: ${p}`);
  }
  if (({} as Record<string, unknown>).polluted !== undefined || Object.keys(Object.prototype).length) throw new Error('Object.prototype polluted');
}

test('fuzz: the scenario loader answers every mutated file and override with a Scenario or a ScenarioError', async () => {
  await runFuzz<Case>({
    name: 'scenario-loader',
    cases: 60,
    timeBoundMs: 1_000,
    generate: scenarioCase,
    check: loaderCheck,
    show: ({ text, set }) => JSON.stringify({ set, text: text.length > 300 ? `${text.slice(0, 300)}…` : text }),
  });
  // Structure-aware mutations of an override set alone, on the smallest scenario.
  const rr = SEEDS[0]!;
  await runFuzz<string[]>({
    name: 'scenario-overrides',
    cases: 60,
    // Linear in the overrides: a mutated list of ~1000 takes ~0.6 s.
    timeBoundMs: 1_500,
    generate: (rng) => {
      const v = mutateJson(rng, overrides(rng), { values: VALUES });
      return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : (JSON.stringify(x) ?? 'null'))) : [];
    },
    check: (set) => {
      try {
        loadScenarioText(rr.text, rr.path, { set: Array.isArray(set) ? set : [] });
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${(err as Error)?.stack ?? err}`);
      }
      if (Object.keys(Object.prototype).length) throw new Error('Object.prototype polluted');
    },
  });
});

/**
 * Found by the scale-100 run (seed 20261207): case 5150 rendered a structural mutation (a nested
 * node duplicated) as 338 KB of flow YAML, over the kit's 200 KB input bound, and the yaml parser's
 * linear ~2.5 µs a character took it past 1 s of CPU. The generator now cuts it at the bound.
 */
test('fuzz replay: scenario-loader:5150 stays within the kit\'s input bound and its time bound', () => {
  const c = scenarioCase(caseRng('scenario-loader', 5150, '20261207'));
  assert.equal(c.text.length, YAML_MAX_LENGTH, 'the case is the one that rendered 338 KB, cut at the bound');
  const t0 = cpuMs();
  loaderCheck(c);
  const ms = cpuMs() - t0;
  assert.ok(ms < 1_000, `${ms.toFixed(0)} ms of CPU`);
});
