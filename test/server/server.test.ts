import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import type { RunEvent, ScenarioInfo, TraceRecord, SampleRow } from '../../sim/server/api-types.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { StreamClient } from './stream-client.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');

/**
 * A temp tree:
 *   scenarios/learn/request-response.yaml   the real learn scenario
 *   scenarios/learn/busy.yaml               the same with a long horizon, to cancel mid-run
 *   scenarios/sizing/bad.yaml               fails validation (E_SCENARIO)
 *   scenarios/ffs/not-yaml.yaml             unreadable YAML (still listed)
 *   scenarios/.hidden/x.yaml                hidden: not listed
 *   outside.yaml, secret.txt                outside the scenarios folder and dist: never served
 *   dist/index.html, dist/assets/app.js     a stand-in dashboard build
 */
let tmp: string;
let server: RunningServer;
const logs: string[] = [];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'reglab-server-'));
  const sc = join(tmp, 'scenarios');
  for (const d of ['learn', 'sizing', 'ffs', '.hidden']) mkdirSync(join(sc, d), { recursive: true });
  copyFileSync(LEARN, join(sc, 'learn/request-response.yaml'));
  writeFileSync(
    join(sc, 'learn/busy.yaml'),
    `description: many subscribers over a long window, so a run is still going when it is replaced
seed: 3
duration: 120s
nodes:
  - { id: client, type: gen-client, params: { via: server, timeout: 2s, payload: 100 }, costs: { default: { perMessage: 1us } } }
  - { id: server, type: gen-server, params: { payload: 100 }, workers: 64, costs: { default: { perMessage: 10us } } }
population: { size: 300000 }
workload:
  - { target: client, event: request, pattern: { kind: uniform, start: 0s, window: 100s } }
observe: { watch: { first: 2 }, interval: 1s }
`,
  );
  writeFileSync(join(sc, 'sizing/bad.yaml'), 'description: broken on purpose\nseed: -1\nduration: soon\n');
  writeFileSync(join(sc, 'ffs/not-yaml.yaml'), 'description: "unterminated\n');
  writeFileSync(join(sc, '.hidden/x.yaml'), 'description: hidden\n');
  writeFileSync(join(tmp, 'outside.yaml'), 'description: outside\n');
  writeFileSync(join(tmp, 'secret.txt'), 'TOP-SECRET\n');
  mkdirSync(join(tmp, 'dist/assets'), { recursive: true });
  writeFileSync(join(tmp, 'dist/index.html'), '<!doctype html><title>RegLab</title>');
  writeFileSync(join(tmp, 'dist/assets/app.js'), 'console.log(1)');
  server = await startServer({ port: 0, scenariosDir: sc, webDist: join(tmp, 'dist'), log: (l) => logs.push(l) });
});

after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ofRun<T extends RunEvent['type']>(evs: RunEvent[], runId: number, type: T): Extract<RunEvent, { type: T }>[] {
  return evs.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type && e.runId === runId);
}

describe('dashboard server', () => {
  test('listens on 127.0.0.1 with the real port in its url', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(new URL(server.url).port, '0');
  });

  test('refuses to start on a scenarios folder that does not exist', async () => {
    await assert.rejects(startServer({ port: 0, scenariosDir: join(tmp, 'no-such-folder') }), /scenarios folder .*no-such-folder does not exist/);
  });

  test('GET /api/health answers ok with the version', async () => {
    const r = await get('/api/health');
    assert.equal(r.status, 200);
    assert.match(r.type, /application\/json/);
    const body = JSON.parse(r.body);
    assert.equal(body.ok, true);
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  test('GET /api/scenarios lists every .yaml grouped by first folder, learn first, with descriptions', async () => {
    const r = await get('/api/scenarios');
    assert.equal(r.status, 200);
    const list = JSON.parse(r.body) as ScenarioInfo[];
    assert.deepEqual(
      list.map((s) => [s.group, s.path]),
      [
        ['learn', 'learn/busy.yaml'],
        ['learn', 'learn/request-response.yaml'],
        ['sizing', 'sizing/bad.yaml'],
        ['ffs', 'ffs/not-yaml.yaml'],
      ],
    );
    const rr = list.find((s) => s.path === 'learn/request-response.yaml')!;
    assert.equal(rr.name, 'request-response');
    assert.match(rr.description, /50 clients' requests cross a\s+relay/);
    assert.equal(list.find((s) => s.path === 'sizing/bad.yaml')!.description, 'broken on purpose');
    assert.match(list.find((s) => s.path === 'ffs/not-yaml.yaml')!.description, /cannot be read as YAML/);
  });

  test('a run streams started, then trace and sample batches, then finished: the same data as a direct run', async () => {
    const direct = await runScenario(loadScenarioFile(LEARN, { seed: 11 }));
    const c = await StreamClient.open(server.url);
    try {
      c.send({ type: 'run', scenario: 'learn/request-response.yaml', seed: 11 });
      const end = await c.waitForEnd(1);
      assert.equal(end.type, 'finished', JSON.stringify(end));
      const evs = c.events.filter((e) => e.runId === 1);
      const types = evs.map((e) => e.type);
      assert.equal(types[0], 'started');
      assert.equal(types.at(-1), 'finished');
      assert.equal(types.filter((t) => t === 'started' || t === 'finished').length, 2);
      assert.ok(types.includes('trace') && types.includes('sample'), `got ${types.join(',')}`);

      const started = ofRun(evs, 1, 'started')[0]!;
      assert.equal(started.scenario, 'learn/request-response.yaml');
      assert.equal(started.seed, 11);
      assert.deepEqual(started.nodes.map((n) => n.id), ['client', 'relay', 'server']);
      assert.ok(started.sampleIntervalNs > 0 && started.durationNs > 0);

      const trace: TraceRecord[] = ofRun(evs, 1, 'trace').flatMap((e) => e.records);
      const samples: SampleRow[] = ofRun(evs, 1, 'sample').flatMap((e) => e.rows);
      assert.ok(direct.trace.length > 0);
      assert.deepEqual(trace, direct.trace);
      assert.deepEqual(samples, direct.samples);
      const fin = ofRun(evs, 1, 'finished')[0]!;
      assert.equal(fin.summary.traceHash, direct.summary.traceHash);
      assert.equal(fin.summary.seed, 11);
      assert.deepEqual(fin.rules, direct.rules);
    } finally {
      await c.close();
    }
  });

  test('bad commands get error events naming the field, and the socket keeps serving', async () => {
    const c = await StreamClient.open(server.url);
    try {
      const cases: [string, RegExp, RegExp][] = [
        ['{not json', /E_API/, /not valid JSON/],
        ['[1,2]', /E_API/, /JSON object/],
        [JSON.stringify({ type: 'fly' }), /E_API/, /^type: must be 'run' or 'cancel'/],
        [JSON.stringify({ type: 'run' }), /E_API/, /^scenario: must be a string/],
        [JSON.stringify({ type: 'run', scenario: 'learn/request-response.yaml', seed: -4 }), /E_API/, /^seed: must be 0 or more/],
        [JSON.stringify({ type: 'run', scenario: 'learn/request-response.yaml', seed: 'x' }), /E_API/, /^seed: must be a number/],
        [JSON.stringify({ type: 'run', scenario: 'learn/request-response.yaml', seed: 2 ** 40 }), /E_API/, /^seed: must be at most 4294967295/],
        [JSON.stringify({ type: 'run', scenario: 'learn/request-response.yaml', colour: 'red' }), /E_API/, /^colour: unknown field/],
        [JSON.stringify({ type: 'run', scenario: 'learn/request-response.yaml', set: { 'seed': 5 } }), /E_API/, /^set\.seed: must be a string/],
      ];
      for (const [i, [frame, code, message]] of cases.entries()) {
        c.send(frame);
        await c.waitForCount('error', i + 1);
        const ev = c.events.at(-1)!;
        assert.equal(ev.type, 'error');
        if (ev.type !== 'error') continue;
        assert.match(ev.code, code, frame);
        assert.match(ev.message, message, frame);
        assert.equal(ev.runId, undefined, `${frame}: a malformed command has no run id`);
      }
      // Well-formed commands naming bad scenarios: each gets a run id and an error naming `scenario`.
      const bad: [string, RegExp][] = [
        ['learn/nope.yaml', /does not exist/],
        ['../outside.yaml', /outside the scenarios folder/],
        ['learn/../../outside.yaml', /outside the scenarios folder/],
        [join(tmp, 'outside.yaml'), /absolute/],
        ['learn/../../secret.txt', /not a \.yaml file/],
        ['.hidden/../../outside.yaml', /outside/],
      ];
      for (const [i, [scenario, why]] of bad.entries()) {
        c.send({ type: 'run', scenario });
        const ev = await c.waitForEnd(i + 1);
        assert.equal(ev.type, 'error');
        if (ev.type !== 'error') continue;
        assert.equal(ev.code, 'E_API');
        assert.match(ev.message, /^scenario: /);
        assert.match(ev.message, why, scenario);
      }
      // An invalid scenario file: E_SCENARIO with one problem per line, no server paths in the message.
      c.send({ type: 'run', scenario: 'sizing/bad.yaml' });
      const invalid = await c.waitForEnd(bad.length + 1);
      assert.equal(invalid.type, 'error');
      if (invalid.type === 'error') {
        assert.equal(invalid.code, 'E_SCENARIO');
        assert.match(invalid.message, /^sizing\/bad\.yaml: \d+ problems?$/);
        assert.ok(invalid.problems!.some((p) => p.startsWith('seed')), invalid.problems!.join('\n'));
        assert.ok(invalid.problems!.some((p) => p.startsWith('duration')), invalid.problems!.join('\n'));
        assert.ok(!invalid.message.includes(tmp));
      }
      // A bad override from `set` is the loader's problem too.
      c.send({ type: 'run', scenario: 'learn/request-response.yaml', set: { 'population.size': 'many' } });
      const badSet = await c.waitForEnd(bad.length + 2);
      assert.equal(badSet.type, 'error');
      if (badSet.type === 'error') assert.equal(badSet.code, 'E_SCENARIO');
      // The same socket still runs scenarios.
      c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
      const ok = await c.waitForEnd(bad.length + 3);
      assert.equal(ok.type, 'finished');
      // And the server still answers HTTP.
      assert.equal((await get('/api/health')).status, 200);
    } finally {
      await c.close();
    }
  });

  test('a new run replaces the one in progress: nothing of the old run after the new one starts', async () => {
    const c = await StreamClient.open(server.url);
    try {
      c.send({ type: 'run', scenario: 'learn/busy.yaml' });
      await c.waitFor((evs) => evs.some((e) => e.type === 'started' && e.runId === 1), 'run 1 started');
      c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
      const end = await c.waitForEnd(2);
      assert.equal(end.type, 'finished');
      const firstOf2 = c.events.findIndex((e) => e.runId === 2);
      assert.ok(c.events.slice(firstOf2).every((e) => e.runId === 2), 'run 1 events after run 2 began');
      assert.equal(ofRun(c.events, 1, 'finished').length, 0, 'the replaced run must not finish');
      assert.equal(ofRun(c.events, 1, 'error').length, 0, 'a replaced run ends silently');
      // `cancel` ends a run with E_CANCELLED.
      c.send({ type: 'run', scenario: 'learn/busy.yaml' });
      await c.waitFor((evs) => evs.some((e) => e.type === 'started' && e.runId === 3), 'run 3 started');
      c.send({ type: 'cancel' });
      const cancelled = await c.waitForEnd(3);
      assert.equal(cancelled.type, 'error');
      if (cancelled.type === 'error') assert.equal(cancelled.code, 'E_CANCELLED');
      assert.equal(ofRun(c.events, 3, 'finished').length, 0);
    } finally {
      await c.close();
    }
  });

  test('closing the socket mid-run stops the run and the server carries on', async () => {
    const c = await StreamClient.open(server.url);
    c.send({ type: 'run', scenario: 'learn/busy.yaml' });
    await c.waitForCount('started', 1);
    await c.close();
    const c2 = await StreamClient.open(server.url);
    try {
      c2.send({ type: 'run', scenario: 'learn/request-response.yaml' });
      assert.equal((await c2.waitForEnd(1)).type, 'finished');
    } finally {
      await c2.close();
    }
  });

  test('serves the dashboard build with content types; anything else is 404', async () => {
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.match(index.body, /RegLab/);
    const js = await get('/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(js.type, /^text\/javascript/);
    assert.equal((await get('/assets/app.js', 'HEAD')).status, 200);
    assert.equal((await get('/nothing-here.html')).status, 404);
    assert.equal((await get('/assets')).status, 404);
    const api = await get('/api/nope');
    assert.equal(api.status, 404);
    assert.match(api.type, /application\/json/);
    assert.equal((await get('/api/scenarios', 'POST')).status, 405);
  });

  test('refuses static paths that escape the build folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/../../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5csecret.txt',
      '/%00/../secret.txt',
      '/%E0%A4%A',
      '/../scenarios/learn/request-response.yaml',
    ]) {
      const r = await get(path);
      assert.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
      assert.ok(!r.body.includes('TOP-SECRET') && !r.body.includes('description'), `${path} leaked a file`);
    }
  });

  test('refuses WebSocket upgrades elsewhere than /api/stream or from another origin', async () => {
    await assert.rejects(StreamClient.open(new URL('/nested/', server.url).href), /upgrade refused|Unexpected|404/);
    await assert.rejects(StreamClient.open(server.url, { Origin: 'http://evil.example' }), /upgrade refused|404/);
    const same = await StreamClient.open(server.url, { Origin: server.url.replace(/\/$/, '') });
    await same.close();
  });
});
