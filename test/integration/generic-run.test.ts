import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, reglab, type Proc } from '../reglab-process.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import type { RuleResult, Summary, TraceRecord } from '../../sim/observe/records.ts';

/**
 * The generic example end to end through the command line: the run directory's files and their
 * shapes (docs/output-formats.md), determinism and the cross-machine fingerprint (DESIGN principle 2),
 * --set / --seed / --strict, sweeps and variants. The CLI runs are started together at load time
 * (each is a separate process) and awaited by the tests that read them.
 */

const LEARN = 'scenarios/learn/request-response.yaml';
const VARIANTS = 'test/fixtures/generic-variants.yaml';

/**
 * FINGERPRINT: the traceHash of scenarios/learn/request-response.yaml at seed 7. It must be the same
 * on every machine and Node version. If it changes, something changed what the simulation does
 * (kernel order, random streams, link model, service model, message content, the scenario file itself): that must be
 * deliberate, and this literal updated in the same commit that says why.
 */
const FINGERPRINT = '64530141e4702e41';

const tmp = mkdtempSync(join(tmpdir(), 'reglab-generic-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const RUN = join(tmp, 'run');
const SWEEP = join(tmp, 'sweep');
const VAR = join(tmp, 'variants');

const runs = {
  base: reglab('run', LEARN, '--out', RUN, '--strict', '--quiet'),
  seed8: reglab('run', LEARN, '--seed', '8', '--quiet'),
  lossy: reglab('run', LEARN, '--set', 'network.defaults.loss=100%', '--strict', '--quiet'),
  sweep: reglab('sweep', LEARN, '--vary', 'nodes.server.workers=1,2', '--vary', 'network.defaults.delay=1ms,5ms', '--out', SWEEP, '--quiet'),
  variants: reglab('run', VARIANTS, '--out', VAR, '--quiet'),
};

async function baseRun(): Promise<Proc> {
  const r = await runs.base;
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const read = (f: string) => readFileSync(join(RUN, f), 'utf8');
const json = <T>(f: string): T => JSON.parse(read(f)) as T;
const traceLines = (): TraceRecord[] =>
  read('trace.jsonl')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceRecord);
const hashIn = (stdout: string) => /^traceHash ([0-9a-f]{16})$/m.exec(stdout)?.[1];

test('run --out writes the documented files (no pcapng: the generic protocol has no wire format for it)', async () => {
  const r = await baseRun();
  assert.deepEqual(readdirSync(RUN).sort(), ['flows.mmd', 'manifest.json', 'metrics.csv', 'rules.json', 'summary.json', 'trace.jsonl']);
  assert.match(r.stdout, new RegExp(`^wrote ${RUN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/$`, 'm'));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.')), [], 'no temporary directory left behind');
});

test('FINGERPRINT: learn/request-response at seed 7 has the pinned traceHash', async () => {
  const r = await baseRun();
  const s = json<Summary>('summary.json');
  assert.equal(s.seed, 7);
  assert.equal(s.traceHash, FINGERPRINT);
  assert.equal(hashIn(r.stdout), FINGERPRINT, 'the printed hash is the summary hash');
});

test('summary.json has the documented shape', async () => {
  await baseRun();
  const s = json<Summary>('summary.json');
  assert.equal(s.scenario, 'learn/request-response');
  assert.match(s.description, /^The foundation's honest example/);
  for (const k of ['events', 'wallMs', 'simulatedNs', 'population', 'watched'] as const) assert.ok(Number.isInteger(s[k]) && s[k] >= 0, k);
  assert.equal(s.population, 50);
  assert.equal(s.watched, 5);
  assert.ok(s.simulatedNs > 2e9 && s.simulatedNs <= 10e9, 'ends when idle, before the 10 s horizon');
  assert.deepEqual(Object.keys(s.procedures), ['request-response']);
  const p = s.procedures['request-response'];
  for (const k of ['started', 'completed', 'failed', 'abandoned'] as const) assert.ok(Number.isInteger(p[k]), k);
  for (const k of ['count', 'mean', 'p50', 'p90', 'p99', 'max'] as const) assert.equal(typeof p.latencyMs[k], 'number', k);
  assert.ok(p.latencyMs.p50 <= p.latencyMs.p90 && p.latencyMs.p90 <= p.latencyMs.p99 && p.latencyMs.p99 <= p.latencyMs.max);
  assert.deepEqual(Object.keys(s.nodes), ['client', 'relay', 'server']);
  for (const [id, n] of Object.entries(s.nodes)) {
    for (const k of ['msgsIn', 'msgsOut', 'bytesIn', 'bytesOut', 'peakQueue'] as const) assert.ok(Number.isInteger(n[k]) && n[k] >= 0, `${id}.${k}`);
    assert.ok(n.busy >= 0 && n.busy <= 1, `${id}.busy`);
  }
  assert.equal(s.nodes.server.type, 'gen-server');
  assert.deepEqual(s.rules, { passed: 2, failed: 0, notApplicable: 0 });
});

test('the numbers add up: bytes, messages, links, kinds and procedures', async () => {
  await baseRun();
  const s = json<Summary>('summary.json');
  const nodes = Object.values(s.nodes);
  const sum = (f: (n: (typeof nodes)[number]) => number) => nodes.reduce((a, n) => a + f(n), 0);
  assert.equal(sum((n) => n.bytesIn), s.messages.bytes);
  assert.equal(sum((n) => n.msgsIn), s.messages.delivered);
  assert.equal(s.messages.dropped, 0);
  assert.equal(sum((n) => n.bytesOut), s.messages.bytes, 'nothing lost: every byte sent arrived');
  const links = Object.values(s.links);
  assert.equal(links.reduce((a, l) => a + l.bytes, 0), s.messages.bytes);
  assert.equal(links.reduce((a, l) => a + l.msgs, 0), s.messages.delivered);
  for (const [id, n] of Object.entries(s.nodes)) {
    assert.equal(Object.values(n.kindsIn).reduce((a, k) => a + k.bytes, 0), n.bytesIn, `${id} kindsIn`);
    assert.equal(Object.values(n.kindsOut).reduce((a, k) => a + k.msgs, 0), n.msgsOut, `${id} kindsOut`);
  }
  const p = s.procedures['request-response'];
  assert.equal(p.started, 50, 'one procedure per subscriber');
  assert.equal(p.completed + p.failed + p.abandoned, p.started);
  assert.equal(p.completed, 50);
  assert.equal(p.latencyMs.count, p.completed);
  // each procedure: request client→relay→server, response server→relay→client
  assert.equal(s.nodes.client.msgsOut, p.started);
  assert.equal(s.nodes.relay.msgsIn, 2 * p.started);
  assert.equal(s.messages.delivered, 4 * p.started);
});

test('trace.jsonl: the documented fields on every line, watched subscribers only, in time order', async () => {
  await baseRun();
  const lines = traceLines();
  assert.equal(lines.length, 5 * 5, '5 watched subscribers × (trigger + 4 messages)');
  let lastT = -1;
  lines.forEach((l, i) => {
    for (const k of ['seq', 't', 'from', 'to', 'proto', 'kind', 'subscribers', 'bytes', 'wire', 'rules', 'event']) assert.ok(k in l, `line ${i}: ${k}`);
    assert.equal(l.seq, i);
    assert.ok(Number.isInteger(l.t) && l.t >= lastT, `line ${i}: time order`);
    lastT = l.t;
    assert.equal(l.event, 'delivered');
    assert.equal(l.subscribers.length, 1);
    assert.ok(l.subscribers[0] >= 0 && l.subscribers[0] < 5, 'only watched subscribers');
    assert.ok(Array.isArray(l.rules));
  });
  const gen = lines.filter((l) => l.proto === 'gen');
  assert.equal(gen.length, 20);
  for (const l of gen) {
    assert.equal(l.procedure, 'request-response');
    assert.deepEqual(l.rules, l.kind === 'request' ? ['gen:via'] : ['gen:answer']);
  }
  const triggers = lines.filter((l) => l.proto === 'trigger');
  assert.equal(triggers.length, 5);
  for (const l of triggers) assert.deepEqual([l.from, l.to, l.kind, l.bytes], ['(workload)', 'client', 'request', 0]);
});

test('trace.jsonl: bytes is exactly the UTF-8 length of wire', async () => {
  await baseRun();
  for (const l of traceLines().filter((x) => x.proto === 'gen')) {
    assert.ok(l.wire.startsWith('GEN/1.0 '), l.wire.slice(0, 20));
    assert.equal(l.bytes, Buffer.byteLength(l.wire, 'utf8'), `seq ${l.seq}`);
  }
});

test('rules.json: every rule passed, with evidence that points at trace lines it concerns', async () => {
  await baseRun();
  const rules = json<RuleResult[]>('rules.json');
  const lines = traceLines();
  assert.deepEqual(rules.map((r) => [r.id, r.status]), [
    ['gen:via', 'passed'],
    ['gen:answer', 'passed'],
  ]);
  for (const r of rules) {
    assert.equal(typeof r.title, 'string');
    assert.match(r.detail, /^10 message\(s\) checked$/);
    assert.ok(r.evidence.length > 0);
    for (const seq of r.evidence) assert.ok(lines[seq].rules.includes(r.id), `${r.id} cites seq ${seq}`);
  }
});

test('metrics.csv: per-node interval rows whose sums equal the summary', async () => {
  await baseRun();
  const s = json<Summary>('summary.json');
  const [head, ...rows] = read('metrics.csv').trimEnd().split('\n');
  assert.equal(head, 't_ns,t_s,node,msgs_in,msgs_out,bytes_in,bytes_out,busy,queue,dropped');
  assert.equal(rows.length % 3, 0);
  const byNode = new Map<string, number[][]>();
  for (const r of rows) {
    const c = r.split(',');
    const node = c[2];
    byNode.set(node, [...(byNode.get(node) ?? []), [0, 1, 3, 4, 5, 6].map((i) => Number(c[i]))]);
  }
  assert.deepEqual([...byNode.keys()], ['client', 'relay', 'server']);
  for (const [id, rs] of byNode) {
    const n = s.nodes[id];
    const col = (i: number) => rs.reduce((a, r) => a + r[i], 0);
    assert.deepEqual([col(2), col(3), col(4), col(5)], [n.msgsIn, n.msgsOut, n.bytesIn, n.bytesOut], id);
    for (let i = 1; i < rs.length; i++) assert.ok(rs[i][0] > rs[i - 1][0], `${id}: t_ns increasing`);
    assert.equal(rs[0][0], 250_000_000, 'first sample after one interval');
    assert.equal(rs[rs.length - 1][0], s.simulatedNs, 'last sample at the end of the run');
    for (const r of rs) assert.equal(r[1], r[0] / 1e9);
  }
});

test('flows.mmd: a sequence diagram with the four lifelines and one arrow per trace line', async () => {
  await baseRun();
  const text = read('flows.mmd');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  assert.deepEqual(
    lines.filter((l) => l.trim().startsWith('participant')).map((l) => l.trim()),
    ['participant _workload_ as (workload)', 'participant client as client', 'participant relay as relay', 'participant server as server'],
  );
  assert.equal(lines.filter((l) => l.includes('->>')).length, traceLines().length);
});

test('manifest.json says how to reproduce the run', async () => {
  await baseRun();
  const m = json<Record<string, unknown>>('manifest.json');
  assert.equal(m.scenario, 'learn/request-response');
  assert.equal(m.seed, 7);
  assert.deepEqual(m.sets, []);
  assert.equal(m.file, LEARN);
  assert.equal(m.command, `reglab run ${LEARN} --seed 7`);
  assert.equal(typeof m.reglabVersion, 'string');
  assert.equal(m.node, process.version);
});

test('the same scenario and seed give the same hash again, in this process and in the CLI', async () => {
  const a = await runScenario(loadScenarioFile(join(ROOT, LEARN)));
  const b = await runScenario(loadScenarioFile(join(ROOT, LEARN)));
  assert.equal(a.summary.traceHash, FINGERPRINT);
  assert.equal(b.summary.traceHash, FINGERPRINT);
  assert.deepEqual(
    b.trace.map((r) => [r.t, r.kind, r.wire]),
    a.trace.map((r) => [r.t, r.kind, r.wire]),
  );
  const s = json<Summary>('summary.json');
  assert.equal(a.summary.events, s.events);
  assert.deepEqual(a.summary.procedures, s.procedures);
});

test('--seed 8 gives another hash', async () => {
  const r = await runs.seed8;
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^learn\/request-response — seed 8,/m);
  const h = hashIn(r.stdout);
  assert.ok(h, r.stdout);
  assert.notEqual(h, FINGERPRINT);
});

test('--set nodes.server.workers=1 changes the outcome (queueing at the server)', async () => {
  const base = await runScenario(loadScenarioFile(join(ROOT, LEARN)));
  const one = await runScenario(loadScenarioFile(join(ROOT, LEARN), { set: ['nodes.server.workers=1'] }));
  assert.notEqual(one.summary.traceHash, base.summary.traceHash);
  const [pb, p1] = [base.summary.procedures['request-response'], one.summary.procedures['request-response']];
  assert.ok(p1.latencyMs.max > pb.latencyMs.max, `max latency ${p1.latencyMs.max} vs ${pb.latencyMs.max}`);
  assert.ok(one.summary.nodes.server.busy > base.summary.nodes.server.busy, 'one worker is busier than each of two');
  assert.equal(one.summary.nodes.server.busySeconds, base.summary.nodes.server.busySeconds, 'same work either way');
});

test('--strict: exit 1 when procedures fail (every request lost → timeouts), 0 when all complete', async () => {
  await baseRun(); // --strict, all complete → 0
  const r = await runs.lossy;
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^request-response\s+50\s+0\s+50\s+0\b/m, 'started 50, completed 0, failed 50');
});

test('sweep with two --vary axes: one row per combination, the varied columns, in order', async () => {
  const r = await runs.sweep;
  assert.equal(r.status, 0, r.stderr);
  const [head, ...rows] = readFileSync(join(SWEEP, 'sweep.csv'), 'utf8').trimEnd().split('\n');
  const cols = head.split(',');
  assert.deepEqual(cols.slice(0, 6), ['run', 'nodes.server.workers', 'network.defaults.delay', 'seed', 'status', 'trace_hash']);
  assert.ok(cols.includes('proc.request-response.p99_ms'));
  assert.equal(rows.length, 4);
  const cells = rows.map((l) => l.split(','));
  assert.deepEqual(
    cells.map((c) => c.slice(0, 5)),
    [
      ['1', '1', '1ms', '7', 'ok'],
      ['2', '1', '5ms', '7', 'ok'],
      ['3', '2', '1ms', '7', 'ok'],
      ['4', '2', '5ms', '7', 'ok'],
    ],
  );
  // workers=2, delay=5ms are the file's own values: that run is the fingerprint run
  assert.equal(cells[3][5], FINGERPRINT);
  assert.equal(new Set(cells.map((c) => c[5])).size, 4, 'each combination its own trace');
});

test('variants: a side-by-side table, a run directory per variant and comparison.csv', async () => {
  const r = await runs.variants;
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^generic-variants — 2 variants, seed 11$/m);
  assert.match(r.stdout, /^metric\s+one-worker\s+four-workers\s+four-workers\/one-worker$/m);
  assert.match(r.stdout, /^proc\.request-response\.completed\s+40\s+40\s+1\.000×$/m);
  const sums = ['one-worker', 'four-workers'].map((v) => {
    assert.ok(existsSync(join(VAR, v, 'trace.jsonl')), v);
    return JSON.parse(readFileSync(join(VAR, v, 'summary.json'), 'utf8')) as Summary;
  });
  assert.deepEqual(sums.map((s) => [s.scenario, s.seed]), [
    ['generic-variants', 11],
    ['generic-variants', 11],
  ]);
  assert.notEqual(sums[0].traceHash, sums[1].traceHash);
  const [one, four] = sums.map((s) => s.procedures['request-response'].latencyMs.max);
  assert.ok(one > 3 * four, `40 requests at once on 1 worker (${one} ms) vs 4 workers (${four} ms)`);
  const [head, ...rows] = readFileSync(join(VAR, 'comparison.csv'), 'utf8').trimEnd().split('\n');
  assert.deepEqual(head.split(',').slice(0, 3), ['variant', 'seed', 'trace_hash']);
  assert.deepEqual(rows.map((l) => l.split(',').slice(0, 3)), [
    ['one-worker', '11', sums[0].traceHash],
    ['four-workers', '11', sums[1].traceHash],
  ]);
});
