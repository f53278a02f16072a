import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, reglab } from '../reglab-process.ts';

/**
 * `reglab validate` on broken scenario files (test/fixtures/bad-scenarios, one problem each): exit 2,
 * and stderr names the field path and says what is allowed there (DESIGN principle 7). The CLI is
 * spawned once for all bad files (it takes several and reports each under its own header), to keep
 * the suite fast; each file's block is then checked on its own. The CLI processes are started
 * together at load time and awaited by the tests that read them.
 */

const BAD = 'test/fixtures/bad-scenarios';
const LEARN = 'scenarios/learn/request-response.yaml';


interface Case {
  /** Substrings the file's problem line(s) must contain: the field path, and what is allowed. */
  expect: string[];
  /** Problem lines expected (1 unless the one mistake is reported more than once, as YAML does). */
  problems?: number;
  todo?: string;
}

const CASES: Record<string, Case> = {
  'malformed-yaml': { expect: ['line 5', 'YAML syntax', 'end with a ]'] },
  'duplicate-yaml-key': { expect: ['line 4', 'Map keys must be unique'] },
  'not-a-mapping': { expect: ['(top level)', 'expected a mapping', 'description, duration, nodes, population'] },
  'unknown-top-level-field': { expect: ["(top level): unknown field 'observ'", 'allowed:', 'observe', 'workload', 'variants'] },
  'unknown-node-field': { expect: ["nodes[2]: unknown field 'wrokers'", 'allowed: id, type, workers, queueLimit, costs, params'] },
  'unknown-param-field': { expect: ["nodes[0].params: unknown field 'timout'", 'allowed: via, timeout, payload'] },
  'unknown-cost-field': { expect: ["nodes[2].costs.request: unknown field 'perMesage'", 'allowed: perMessage, perEntry, perByte'] },
  'negative-delay': { expect: ['network.links[0].delay', '"-20ms" is not a duration', 'non-negative number with a unit: ns, us, ms, s, min or h'] },
  'bad-unit': { expect: ['network.links[0].delay', '"5 parsecs" is not a duration', 'ns, us, ms, s, min or h'] },
  'duration-without-unit': { expect: ['nodes[0].params.timeout', '2 is not a duration', 'with a unit'] },
  'probability-above-one': { expect: ['network.defaults.loss', '1.5 is not a probability', 'a number from 0 to 1', '0% to 100%'] },
  'probability-above-100-percent': { expect: ['network.defaults.loss', '"150%" is not a probability', '0% to 100%'] },
  'bandwidth-zero': { expect: ['network.defaults.bandwidth', '"0Mbit/s" is not a bandwidth', 'a positive number', "'unlimited'"] },
  'rate-bad-unit': { expect: ['workload[0].pattern.rate', '"100 per second" is not a rate', '/s, /min or /h'] },
  'bad-transport': { expect: ['network.links[0].transport', '"tcp"', 'one of: "datagram", "stream"'] },
  'link-undeclared-node': { expect: ["network.links[0].between[1]: no node 'serv'", 'declared nodes: client, relay, server'] },
  'link-to-itself': { expect: ['network.links[0].between', 'two different nodes'] },
  'param-missing-node': { expect: ["nodes[1].params.next: no node 'srv'", 'declared nodes: client, relay, server'] },
  'param-names-itself': { expect: ['nodes[1].params.next', 'cannot name itself'] },
  'duplicate-node-id': { expect: ["nodes[3].id: 'server' is used by an earlier node", 'must be unique'] },
  'bad-node-id': { expect: ['nodes[3].id', '"2nd-server"', 'starts with a letter'] },
  'unknown-node-type': { expect: ['nodes[1].type', '"gen-relais" is not known', 'one of:', 'gen-client', 'gen-relay', 'gen-server'] },
  'missing-node-type': { expect: ['nodes[1].type', 'required field is missing', 'one of:', 'gen-relay'] },
  'missing-required-param': { expect: ['nodes[0].params.via', 'required field is missing'] },
  // an omitted params: is still checked against the node type's schema (not taken as {} unchecked)
  'missing-params': { expect: ['nodes[0].params.via: required field is missing'] },
  'workload-target-unknown': { expect: ["workload[0].target: no node 'clint'", 'declared nodes: client, relay, server'] },
  'workload-subscribers-beyond-population': { expect: ['workload[0].subscribers', 'ids 40 … 59 exceed the population (0 … 49)', 'raise population.size'] },
  'unknown-pattern-kind': { expect: ['workload[0].pattern.kind', '"uniformly" is not known', 'one of: all-at-once, uniform, poisson, csv'] },
  'population-too-large': { expect: ['population.size', '2000000000 subscribers need about', 'use at most'] },
  'population-negative': { expect: ['population.size', '-5 is too small', '≥ 0'] },
  'workers-zero': { expect: ['nodes[2].workers', '0 is too small', '≥ 1'] },
  'payload-negative': { expect: ['nodes[0].params.payload', '-1 is too small', '≥ 0'] },
  'queue-limit-negative': { expect: ['nodes[2].queueLimit', '≥ 0'] },
  'queue-limit-word': { expect: ['nodes[2].queueLimit', '"many" is not allowed', "a whole number ≥ 0 or 'none'"] },
  'trace-limit-zero': { expect: ['observe.traceLimit', '0 is too small', '≥ 1'] },
  'watch-id-outside-population': { expect: ['observe.watch.ids[1]', 'subscriber 50 is outside the population (0 … 49)'] },
  'seed-negative': { expect: ['seed', '-1 is too small', '≥ 0'] },
  'empty-nodes': { expect: ['nodes', 'needs at least 1 item'] },
  'missing-description': { expect: ['description', 'required field is missing'] },
  'missing-duration': { expect: ['duration: required field is missing', 'a duration', 'ns, us, ms, s, min or h'] },
  'missing-window': { expect: ['workload[0].pattern.window: required field is missing', 'a duration', 'ns, us, ms, s, min or h'] },
  'csv-replay-bad-row': { expect: ['workload[0].pattern.file', 'bad-row.csv', 'line 4', "subscriber '77'", '(0 … 49)'] },
  'csv-replay-missing-file': { expect: ['workload[0].pattern.file', 'no-such-file.csv not found', 'relative to the scenario file'] },
  'variant-invalid-override': { expect: ['variants.no-workers', 'nodes[2].workers', '0 is too small', '≥ 1'] },
  'variant-unknown-path': { expect: ['variants.more', 'nodes.sever', 'does not exist'] },
  'variant-bad-name': { expect: ["variants.two workers: the key 'two workers' is not allowed", "letters, digits, '-', '_' and '.'"] },
};

const badFiles = readdirSync(join(ROOT, BAD))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const shipped = readdirSync(join(ROOT, 'scenarios'), { recursive: true })
  .map(String)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `scenarios/${f}`);
const goodFixtures = readdirSync(join(ROOT, 'test/fixtures'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `test/fixtures/${f}`);

const tmp = mkdtempSync(join(tmpdir(), 'reglab-validate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const BAD_RUN = join(tmp, 'bad-run');
const BAD_SET = join(tmp, 'bad-set');

const runs = {
  /** One validate run over every bad file plus one good file. */
  all: reglab('validate', ...badFiles.map((f) => `${BAD}/${f}`), LEARN),
  shipped: reglab('validate', ...shipped, ...goodFixtures),
  badRun: reglab('run', `${BAD}/link-undeclared-node.yaml`, '--out', BAD_RUN, '--quiet'),
  badSet: reglab('run', LEARN, '--set', 'nodes.nope.workers=3', '--set', 'nodes.server.workers=0', '--out', BAD_SET, '--quiet'),
};

/** The validate run over all bad files, its stderr split into per-file blocks. */
async function validateAll() {
  const res = await runs.all;
  const blocks = new Map<string, { count: number; lines: string[] }>();
  let cur: string[] | undefined;
  for (const line of res.stderr.split('\n')) {
    const m = /^(\S+\.yaml): (\d+) problem\(s\)$/.exec(line);
    if (m) {
      cur = [];
      blocks.set(m[1], { count: Number(m[2]), lines: cur });
    } else if (cur && line.startsWith('  ')) cur.push(line.trim());
  }
  return { res, blocks };
}

test('every bad-scenario fixture has a row in the table, and every row a fixture', () => {
  assert.deepEqual(badFiles.map((f) => f.replace(/\.yaml$/, '')), Object.keys(CASES).sort());
});

test('validate over all bad files exits 2, reports each file, and still says ok for the good one', async () => {
  const { res, blocks } = await validateAll();
  assert.equal(res.status, 2, res.stderr);
  assert.equal(blocks.size, badFiles.length, `blocks for: ${[...blocks.keys()].join(', ')}`);
  assert.match(res.stdout, new RegExp(`^ok: ${LEARN} — 3 nodes, population 50`, 'm'));
  for (const f of badFiles) assert.doesNotMatch(res.stdout, new RegExp(`ok: ${BAD}/${f}`));
});

for (const [name, c] of Object.entries(CASES)) {
  test(`validate ${name}.yaml: ${c.expect[0]}`, { todo: c.todo }, async () => {
    const { blocks } = await validateAll();
    const b = blocks.get(`${BAD}/${name}.yaml`);
    assert.ok(b, `no problem report for ${name}.yaml`);
    assert.equal(b.lines.length, b.count);
    if (c.problems === undefined) assert.equal(b.count, 1, `one problem expected, got:\n${b.lines.join('\n')}`);
    else assert.equal(b.count, c.problems);
    const text = b.lines.join('\n');
    for (const s of c.expect) assert.ok(text.includes(s), `expected ${JSON.stringify(s)} in:\n${text}`);
  });
}

test('every shipped scenario under scenarios/ and every valid fixture validates (exit 0)', async () => {
  assert.ok(shipped.includes(LEARN));
  const r = await runs.shipped;
  assert.equal(r.status, 0, r.stderr);
  for (const f of [...shipped, ...goodFixtures]) assert.match(r.stdout, new RegExp(`^ok: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `, 'm'));
});

test('run with a bad scenario and --out exits 2 and leaves the directory absent', async () => {
  const r = await runs.badRun;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /E_SCENARIO/);
  assert.match(r.stderr, /network\.links\[0\]\.between\[1\]/);
  assert.equal(r.stdout, '');
  assert.equal(existsSync(BAD_RUN), false);
});

test('run with a bad --set path exits 2, names the path, and writes nothing', async () => {
  const r = await runs.badSet;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--set nodes\.nope\.workers: 'nodes\.nope' does not exist in the scenario/);
  assert.equal(r.stdout, '');
  assert.equal(existsSync(BAD_SET), false);
});

test('nothing at all, not even a temporary directory, is left next to a refused --out', async () => {
  await Promise.all([runs.badRun, runs.badSet]);
  assert.deepEqual(readdirSync(tmp), []);
});
