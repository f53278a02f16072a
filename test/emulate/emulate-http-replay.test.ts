/**
 * Record and replay of MSGin5G over real HTTP: the requests that reached the server and the
 * responses that reached the gateway are recorded (arrivals.jsonl, proto http) with the
 * transaction ids the lab paired them by, and `--replay` re-runs the session in virtual time:
 * twice the same traceHash, and the emulation's verdicts and procedure counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { replayTwice } from './lab.ts';
import { writeRunDir } from '../../sim/observe/export.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import type { RecordedArrival } from '../../sim/emulate/wire-network.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/msgin5g-server.yaml');

function post(port: number, path: string, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(body);
  });
}

test('a recorded MSGin5G emulation driven over HTTP replays twice to the same traceHash, with the emulation’s verdicts', async () => {
  const sc = loadScenarioFile(FILE, { set: ['duration=2s'] });
  let client: Promise<number[]> | undefined;
  const r = await runEmulation(sc, {
    onStarted: (eps) => {
      const port = Number(/:(\d+)\//.exec(eps.find((e) => e.proto === 'http')!.url)![1]);
      // An outside client next to the gateway: malformed JSON (400) and an unknown resource (404), recorded too.
      client = new Promise<void>((res) => setTimeout(res, 300)).then(async () => [
        await post(port, '/reglab-msgin5g/v1/registrations', '{"ueServiceId": '),
        await post(port, '/reglab-msgin5g/v1/nothing-here', '{}'),
      ]);
    },
  });
  assert.deepEqual(await client, [400, 404]);
  assert.equal(r.summary.procedures['msgin5g-registration'].completed, 5);
  assert.equal(r.summary.procedures['msgin5g-deregistration'].completed, 5);
  const dir = mkdtempSync(join(tmpdir(), 'reglab-http-replay-'));
  try {
    await writeRunDir(join(dir, 'run'), { summary: r.summary, rules: r.rules, trace: r.trace, samples: r.samples, probes: r.probes, nodes: r.nodes, manifest: {}, extra: r.extra });
    const rec = readFileSync(join(dir, 'run', 'arrivals.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RecordedArrival);
    const http_ = rec.filter((x) => x.proto === 'http');
    assert.ok(http_.filter((x) => x.to === 'server').length >= 4, 'the gateway’s bulk requests and the client’s two, at the server');
    assert.ok(http_.filter((x) => x.to === 'gateway' && x.http?.answers !== undefined).length >= 2, 'the server’s answers, at the gateway');

    const a = await replayTwice(sc, join(dir, 'run'), r);
    assert.ok(a.rules.some((x) => x.status === 'passed'), 'rules were judged, not all n/a');
    assert.equal(a.summary.procedures['msgin5g-registration'].completed, 5);
    assert.equal(a.summary.procedures['msgin5g-deregistration'].completed, 5);
    // The outside client's requests reached the server in the replay as in the emulation, answered 400 and 404.
    for (const run of [r, a]) {
      const server = run.summary.nodes.server;
      assert.equal(server.kindsIn['http-request']?.msgs, 2);
      assert.deepEqual([server.kindsOut['400 http-request']?.msgs, server.kindsOut['404 http-request']?.msgs], [1, 1]);
    }
    assert.equal(a.summary.traceHash, r.summary.traceHash, 'the replay reproduces the emulated session');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
