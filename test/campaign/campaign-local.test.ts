import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import {
  expandSweep,
  expandCompare,
  runCampaign,
  LocalBackend,
  MemoryStore,
  DirStore,
  sweepRows,
  compareResult,
  compareCsv,
  type Backend,
  type BackendHooks,
  type Campaign,
  type RunOutcome,
  type RunSpec,
} from '../../sim/campaign/index.ts';
import { decodeOutcome, encodeOutcome } from '../../sim/campaign/codec.ts';
import { executeRun } from '../../sim/campaign/execute.ts';

/** The campaign layer with the local backend: expansion, keys, reuse, failures, cancel. */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'reglab-campaign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a sweep expands into one keyed run per combination; keys follow content, overrides, seed and version', () => {
  const c = expandSweep(LEARN, { vary: ['population.size=10,20', 'nodes.server.workers=1,2'] });
  assert.equal(c.runs.length, 4);
  assert.deepEqual(c.runs.map((r) => r.sets), [
    ['population.size=10', 'nodes.server.workers=1'],
    ['population.size=10', 'nodes.server.workers=2'],
    ['population.size=20', 'nodes.server.workers=1'],
    ['population.size=20', 'nodes.server.workers=2'],
  ]);
  assert.equal(new Set(c.runs.map((r) => r.key)).size, 4);
  const again = expandSweep(LEARN, { vary: ['population.size=10,20', 'nodes.server.workers=1,2'] });
  assert.deepEqual(again.runs.map((r) => r.key), c.runs.map((r) => r.key));
  assert.equal(again.id, c.id);
  const otherSeed = expandSweep(LEARN, { vary: ['population.size=10,20', 'nodes.server.workers=1,2'], seed: 99 });
  assert.notEqual(otherSeed.runs[0].key, c.runs[0].key);
  const otherVersion = expandSweep(LEARN, { vary: ['population.size=10,20', 'nodes.server.workers=1,2'], version: '9.9.9' });
  assert.notEqual(otherVersion.runs[0].key, c.runs[0].key);
  // The same content in another file name is another scenario name, but the same text elsewhere
  // under the same name keys the same.
  const copyDir = join(tmp, 'elsewhere', 'scenarios', 'learn');
  rmSync(copyDir, { recursive: true, force: true });
  mkdirSync(copyDir, { recursive: true });
  copyFileSync(LEARN, join(copyDir, 'request-response.yaml'));
  const moved = expandSweep(join(copyDir, 'request-response.yaml'), { vary: ['population.size=10,20', 'nodes.server.workers=1,2'] });
  assert.equal(moved.runs[0].key, c.runs[0].key);
  const edited = join(copyDir, 'request-response.yaml');
  writeFileSync(edited, `# edited\n${readFileSync(LEARN, 'utf8')}`);
  assert.notEqual(expandSweep(edited, { vary: ['population.size=10,20', 'nodes.server.workers=1,2'] }).runs[0].key, c.runs[0].key);
});

test('bad input is refused before anything runs, naming every bad combination', () => {
  assert.throws(() => expandSweep(LEARN, { vary: ['population.size'] }), /--vary population.size: expected path=v1,v2/);
  assert.throws(() => expandSweep(LEARN, { vary: [] }), /at least one --vary/);
  assert.throws(
    () => expandSweep(LEARN, { vary: ['population.size=10,-1,abc'] }),
    (e: Error & { problems?: string[] }) => e.problems!.some((p) => p.startsWith('population.size=-1:')) && e.problems!.some((p) => p.startsWith('population.size=abc:')),
  );
  assert.throws(() => expandCompare(LEARN, {}), /compare needs --policy/);
  assert.throws(() => expandCompare(LEARN, { policy: 'x=a' }), /at least two policies/);
});

test('local backend on 2 threads: rows in campaign order, each equal to a direct run of the same overrides', async () => {
  const c = expandSweep(LEARN, { vary: ['population.size=10,20,30'] });
  const seen: number[] = [];
  const r = await runCampaign(c, { backend: new LocalBackend(2), onProgress: (p) => seen.push(p.done) });
  assert.equal(r.ran, 3);
  assert.equal(r.failed, 0);
  assert.deepEqual(seen, [1, 2, 3]);
  const rows = sweepRows(c, r.outcomes);
  assert.deepEqual(rows.map((x) => [x.run, x['population.size'], x.status]), [[1, '10', 'ok'], [2, '20', 'ok'], [3, '30', 'ok']]);
  for (const [i, size] of [10, 20, 30].entries()) {
    const direct = await runScenario(loadScenarioFile(LEARN, { set: [`population.size=${size}`] }));
    assert.equal(rows[i].trace_hash, direct.summary.traceHash, `run ${i + 1}`);
  }
});

test('a campaign run again reuses finished runs from the store and runs only the missing ones; fresh recomputes', async () => {
  const out = join(tmp, 'reuse');
  const small = expandSweep(LEARN, { vary: ['population.size=10,20'] });
  const first = await runCampaign(small, { backend: new LocalBackend(1), store: new DirStore(out) });
  assert.equal(first.ran, 2);
  const bigger = expandSweep(LEARN, { vary: ['population.size=10,20,30'] });
  const second = await runCampaign(bigger, { backend: new LocalBackend(1), store: new DirStore(out) });
  assert.equal(second.reused, 2);
  assert.equal(second.ran, 1);
  assert.deepEqual(sweepRows(bigger, second.outcomes).slice(0, 2).map((r) => r.trace_hash), sweepRows(small, first.outcomes).map((r) => r.trace_hash));
  const fresh = await runCampaign(bigger, { backend: new LocalBackend(1), store: new DirStore(out), fresh: true });
  assert.equal(fresh.reused, 0);
  assert.equal(fresh.ran, 3);
});

test('a run that fails deterministically is one failed row with its error; the rest complete; failures are not stored', async () => {
  const c = expandSweep(LEARN, { vary: ['population.size=10,20'] });
  const broken: Campaign = { ...c, runs: [c.runs[0], { ...c.runs[1], sets: ['population.size=-5'] }] };
  const store = new MemoryStore();
  const r = await runCampaign(broken, { backend: new LocalBackend(2), store });
  assert.equal(r.failed, 1);
  const bad = r.outcomes[1]!;
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.code === 'E_SCENARIO' && /population\.size/.test(bad.message));
  assert.equal(sweepRows(broken, r.outcomes)[1].status, 'failed: E_SCENARIO');
  assert.equal(store.get(c.runs[1].key), undefined);
  assert.ok(store.get(c.runs[0].key)?.ok);
});

test('cancel: an aborted campaign rejects with AbortError and its threads stop', async () => {
  const c = expandSweep(LEARN, { vary: ['population.size=40000,40001,40002,40003'] });
  const ac = new AbortController();
  const p = runCampaign(c, { backend: new LocalBackend(2), signal: ac.signal });
  setTimeout(() => ac.abort(), 150);
  await assert.rejects(p, { name: 'AbortError' });
});

test('compare: each policy on K seeds, and the compare.csv columns', async () => {
  const c = expandCompare(LEARN, { policy: 'nodes.server.workers=1,2', seeds: 2 });
  assert.deepEqual(c.runs.map((r) => [r.label, r.seed]), [['1#0', 7], ['1#1', 8], ['2#0', 7], ['2#1', 8]]);
  const r = await runCampaign(c, { backend: new LocalBackend(2) });
  const cr = compareResult(c, r.outcomes as RunOutcome[]);
  const csv = compareCsv(c, cr);
  assert.match(csv.split('\n')[0], /^policy,policy_path,seeds,first_seed,.*trace_hashes$/);
  assert.equal(csv.trim().split('\n').length, 3);
});

test('results survive JSON with NaN and Infinity intact (a mean over seeds sees the same values)', () => {
  const o: RunOutcome = { key: 'k', ok: true, label: 'x', reglabVersion: '1', headline: { a: NaN, b: Infinity, c: -Infinity, d: 1.5, e: 'h' } };
  const back = decodeOutcome(encodeOutcome(o));
  assert.ok(back.ok);
  assert.ok(back.ok && Number.isNaN(back.headline.a) && back.headline.b === Infinity && back.headline.c === -Infinity && back.headline.d === 1.5 && back.headline.e === 'h');
});

test('a run carries its CSV replay in the bundle: it runs where the file does not exist', async () => {
  const fixture = join(ROOT, 'test/fixtures/generic-replay.yaml');
  const c = expandSweep(fixture, { vary: ['seed=1,2'] });
  assert.ok(Object.keys(c.bundle.attachments).length === 1);
  const elsewhere = { ...c.bundle, file: join(tmp, 'nowhere', 'generic-replay.yaml') };
  const o = await executeRun({ bundle: elsewhere, run: c.runs[0] });
  assert.ok(o.ok, !o.ok ? o.message : '');
  const direct = await runScenario(loadScenarioFile(fixture, { set: ['seed=1'] }));
  assert.equal(o.ok && o.headline.trace_hash, direct.summary.traceHash);
});

test('a result from a worker of another RegLab version is refused, naming both versions', async () => {
  const c = expandSweep(LEARN, { vary: ['population.size=10,20'] });
  const foreign: Backend = {
    name: 'foreign',
    async execute(_c: Campaign, runs: readonly RunSpec[], hooks: BackendHooks) {
      for (const run of runs) hooks.onOutcome({ key: run.key, label: run.label, ok: true, reglabVersion: '9.9.9', headline: { trace_hash: 'x' }, worker: 'elsewhere/42' });
    },
    async close() {},
  };
  const store = new MemoryStore();
  const r = await runCampaign(c, { backend: foreign, store });
  assert.equal(r.failed, 2);
  const o = r.outcomes[0]!;
  assert.ok(!o.ok && o.code === 'E_CAMPAIGN');
  assert.ok(!o.ok && o.message.includes('RegLab 9.9.9') && o.message.includes(`RegLab ${c.reglabVersion}`) && o.message.includes('elsewhere/42'));
  assert.equal(store.get(c.runs[0].key), undefined, 'a refused result is not stored');
});
