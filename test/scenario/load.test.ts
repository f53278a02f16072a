import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { totalmem } from 'node:os';
import { loadScenarioFile, loadScenarioText, scenarioName, ScenarioError } from '../../sim/scenario/load.ts';
import { MINIMAL, scenarioProblems } from './inline-scenario.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
const FIXTURES = join(ROOT, 'test/fixtures');

const problems = (text: string, opts: Parameters<typeof loadScenarioText>[2] = {}): string[] => scenarioProblems(text, join(FIXTURES, 'inline.yaml'), opts);

test('the learn scenario loads with its name, seed, duration in ns and description', () => {
  const sc = loadScenarioFile(LEARN);
  assert.equal(sc.name, 'learn/request-response');
  assert.equal(sc.seed, 7);
  assert.equal(sc.duration, 10_000_000_000);
  assert.match(sc.description, /^The foundation's honest example/);
  assert.equal(sc.doc.nodes.length, 3);
  assert.deepEqual(sc.sets, []);
});

test('defaults are filled in: seed 1, workers 1, queueLimit none, watch first 10, interval 1 s, no workload', () => {
  const sc = loadScenarioText(MINIMAL, 'x.yaml');
  assert.equal(sc.seed, 1);
  assert.equal(sc.doc.nodes[0].workers, 1);
  assert.equal(sc.doc.nodes[0].queueLimit, 'none');
  assert.deepEqual(sc.doc.observe.watch, { first: 10 });
  assert.equal(sc.doc.observe.interval, 1_000_000_000);
  assert.equal(sc.doc.observe.traceLimit, 100_000);
  assert.deepEqual(sc.doc.workload, []);
  assert.deepEqual(sc.doc.nodes[0].params, { via: 'server', timeout: 2_000_000_000, payload: 100 });
  assert.deepEqual(sc.doc.nodes[1].params, { payload: 200 });
});

// Regression: zod 4's .default({}) skipped the params schema, so gen-server had no payload, NaN bytes, and the run died.
test("an omitted params: still gets the node type's defaults", () => {
  const sc = loadScenarioText(MINIMAL.replace('type: gen-server, params: {} }', 'type: gen-server }'), 'x.yaml');
  assert.deepEqual(sc.doc.nodes[1].params, { payload: 200 });
});

test('--seed overrides the file, --set is applied and remembered', () => {
  const sc = loadScenarioFile(LEARN, { seed: 99, set: ['nodes.server.workers=5', 'network.defaults.delay=1ms'] });
  assert.equal(sc.seed, 99);
  assert.equal(sc.doc.nodes[2].workers, 5);
  assert.equal(sc.doc.network.defaults.delay, 1_000_000);
  assert.deepEqual(sc.sets, ['nodes.server.workers=5', 'network.defaults.delay=1ms']);
});

test('a --set value is validated like the file', () => {
  assert.deepEqual(problems(MINIMAL, { set: ['nodes.server.workers=0'] }), ['nodes[1].workers: 0 is too small — must be ≥ 1']);
  assert.deepEqual(problems(MINIMAL, { set: ['observe.watch.evry=2'] }), ["--set observe.watch.evry: no field 'evry' at observe.watch — allowed there: first, ids, every"]);
});

test('a file that cannot be read is one problem with the reason', () => {
  const p = (() => {
    try {
      loadScenarioFile(join(FIXTURES, 'no-such-scenario.yaml'));
    } catch (err) {
      return (err as ScenarioError).problems;
    }
    return [];
  })();
  assert.deepEqual(p, ['cannot read the file: ENOENT']);
});

test('an empty file and a scalar file are not scenarios', () => {
  for (const text of ['', '42\n', '"just text"\n']) {
    assert.deepEqual(problems(text), ['(top level): expected a mapping of fields (description, duration, nodes, population, …)']);
  }
});

test('all problems of a file are reported together, not just the first', () => {
  const text = MINIMAL.replace('duration: 1s', 'duration: 1 parsec').replace('size: 4', 'size: -1').replace('via: server', 'via: nowhere');
  const p = problems(text);
  assert.ok(p.some((l) => l.startsWith('duration:')), p.join('\n'));
  assert.ok(p.some((l) => l.startsWith('population.size:')), p.join('\n'));
});

test('cross-checks run only on a schema-valid document and report every reference', () => {
  const text = `description: refs
duration: 1s
network:
  links:
    - { between: [client, a] }
    - { between: [b, server] }
nodes:
  - { id: client, type: gen-client, params: { via: relay } }
  - { id: server, type: gen-server, params: {} }
population: { size: 4 }
workload:
  - { target: x, pattern: { kind: all-at-once } }
  - { target: client, subscribers: { from: 4 }, pattern: { kind: all-at-once } }
observe: { watch: { ids: [0, 3, 4] } }
`;
  assert.deepEqual(problems(text), [
    "nodes[0].params.via: no node 'relay' — declared nodes: client, server",
    "network.links[0].between[1]: no node 'a' — declared nodes: client, server",
    "network.links[1].between[0]: no node 'b' — declared nodes: client, server",
    "workload[0].target: no node 'x' — declared nodes: client, server",
    'observe.watch.ids[2]: subscriber 4 is outside the population (0 … 3)',
  ]);
});

test('a workload may cover the whole population, an explicit count of 0, or start at the last id', () => {
  for (const subs of ['{ from: 0, count: 4 }', '{ from: 3 }', '{ from: 4, count: 0 }', '{ from: 2, count: 2 }']) {
    const text = MINIMAL + `workload:\n  - { target: client, subscribers: ${subs}, pattern: { kind: all-at-once } }\n`;
    assert.doesNotThrow(() => loadScenarioText(text, 'x.yaml'), subs);
  }
  for (const subs of ['{ from: 0, count: 5 }', '{ from: 5 }', '{ from: 3, count: 2 }']) {
    const text = MINIMAL + `workload:\n  - { target: client, subscribers: ${subs}, pattern: { kind: all-at-once } }\n`;
    const p = problems(text);
    assert.equal(p.length, 1, subs);
    assert.match(p[0], /^workload\[0\]\.subscribers: ids .* exceed the population \(0 … 3\)/, subs);
  }
});

test("the memory check refuses a population beyond the machine's budget and says the most it allows", () => {
  const big = Math.ceil((totalmem() * 0.6) / 32) + 1000;
  const p = problems(MINIMAL.replace('size: 4', `size: ${big}`));
  assert.equal(p.length, 1);
  const m = /^population\.size: \d+ subscribers need about .* — use at most (\d+)$/.exec(p[0]);
  assert.ok(m, p[0]);
  const max = Number(m[1]);
  assert.ok(max < big && max > 0);
  // the suggested maximum itself passes the check
  assert.doesNotThrow(() => loadScenarioText(MINIMAL.replace('size: 4', `size: ${Math.min(max, 2 ** 31 - 1)}`), 'x.yaml'));
});

test('a CSV replay is parsed relative to the scenario file, with its header, comments, units and events', () => {
  const sc = loadScenarioFile(join(FIXTURES, 'generic-replay.yaml'));
  const rows = sc.replays.get(0);
  assert.ok(rows);
  assert.deepEqual([...rows.times], [250_000_000, 1_500_000_000, 100_000_000, 2_000_000]);
  assert.deepEqual([...rows.subs], [3, 7, 0, 9]);
  assert.deepEqual([...rows.events], [-1, 0, 0, -1]);
  assert.deepEqual(rows.eventNames, ['request']);
});

test('each variant is validated with the file; its problems are prefixed with the variant name', () => {
  const text = MINIMAL + 'variants:\n  ok: ["nodes.server.workers=3"]\n  bad: ["nodes.server.workers=-1", "nope=1"]\n';
  const p = problems(text);
  assert.equal(p.length, 2, p.join('\n'));
  assert.match(p[0], /^variants\.bad: --set nope: no field 'nope' at \(top level\) — allowed there: name, description, /);
  assert.equal(p[1], 'variants.bad: nodes[1].workers: -1 is too small — must be ≥ 1');
  // skipVariants loads the base without looking at them
  assert.equal(loadScenarioText(text, 'x.yaml', { skipVariants: true }).doc.nodes[1].workers, 1);
});

test('scenarioName: path under scenarios/ without .yaml, else the base name', () => {
  assert.equal(scenarioName('/a/scenarios/learn/x.yaml'), 'learn/x');
  assert.equal(scenarioName('/a/scenarios/sizing/deep/y.yml'), 'sizing/deep/y');
  assert.equal(scenarioName('/tmp/z.yaml'), 'z');
  assert.equal(scenarioName('relative/w.yaml'), 'w');
});
