import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import { BulkResponse, RegistrationRequest, RegistrationResponse } from '../../sim/msgin5g/messages.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SIZING = `${ROOT}scenarios/sizing/msgin5g-bulk-vs-individual.yaml`;

async function learn(name: string): Promise<RunResult> {
  return runScenario(loadScenarioFile(`${ROOT}scenarios/learn/${name}.yaml`));
}

test('learn/msgin5g-deregister: one UE, the §8.2.4 ladder — trigger, DELETE, 200 with the result', async () => {
  const r = await learn('msgin5g-deregister');
  const ladder = r.trace.map((t) => `${t.from}→${t.to} ${t.kind}`);
  assert.deepEqual(ladder, ['(workload)→gateway deregister', 'gateway→server deregistration', 'server→gateway 200 deregistration']);
  assert.match(r.trace[1].wire, /^DELETE \/reglab-msgin5g\/v1\/registrations\/ue0@msgin5g\.example\.net HTTP\/1\.1/);
  assert.match(r.trace[2].wire, /"deregistrationResult":"SUCCESS"/);
  assert.equal(r.summary.rules.failed, 0);
  assert.equal(r.summary.nodes.server.signals['ue.deleted'], 1);
});

test('learn/msgin5g-bulk: five UEs in one bulk registration, then one bulk de-registration', async () => {
  const r = await learn('msgin5g-bulk');
  const ladder = r.trace.filter((t) => t.proto === 'msgin5g').map((t) => `${t.from}→${t.to} ${t.kind} ${t.subscribers.length}`);
  assert.deepEqual(ladder, [
    'gateway→server bulk-registration 5',
    'server→gateway 200 bulk-registration 5',
    'gateway→server bulk-deregistration 5',
    'server→gateway 200 bulk-deregistration 5',
  ]);
  assert.equal(r.summary.rules.passed, 7);
  assert.equal(r.summary.procedures['msgin5g-registration'].completed, 5);
  assert.equal(r.summary.procedures['msgin5g-deregistration'].completed, 5);
  assert.ok(r.extra.some((f) => f.name === 'trace.pcapng'));
});

test('learn/msgin5g-bulk-auth-failure: the per-entry cause in the bulk response, then the individual retry', async () => {
  const r = await learn('msgin5g-bulk-auth-failure');
  const res = r.entries.find((e) => e.msg instanceof BulkResponse)!;
  const list = (res.msg as BulkResponse).list()! as { registrationResult?: string }[];
  const failed = list.filter((e) => e.registrationResult === 'FAILURE');
  assert.deepEqual(failed, [{ ueServiceId: 'ue2@msgin5g.example.net', registrationResult: 'FAILURE', failureCause: 'AUTHENTICATION_FAILED' }]);
  assert.equal(list.length, 5);
  const retry = r.entries.find((e) => e.msg instanceof RegistrationRequest)!;
  assert.equal(retry.msg.sub, 2);
  assert.equal((retry.msg as RegistrationRequest).why, 'retry');
  assert.ok(retry.rec.t - res.rec.t >= 1e9, 'after the policy delay (1 s)');
  const answer = r.entries.find((e) => e.msg instanceof RegistrationResponse)!;
  assert.equal((answer.msg as RegistrationResponse).status, 403);
  assert.match(answer.rec.wire, /"failureCause":"AUTHENTICATION_FAILED"/);
  const p = r.summary.procedures['msgin5g-registration'];
  assert.deepEqual([p.completed, p.failed], [4, 1]);
  assert.equal(r.summary.rules.failed, 0);
  assert.equal(r.summary.nodes.gateway.signals['entry.retry'], 1);
});

/** The sizing scenario on a small population, one variant. */
async function sizing(set: string[]): Promise<RunResult> {
  const sc = loadScenarioFile(SIZING, { set: ['population.size=20000', ...set], skipVariants: true });
  return runScenario(sc);
}

test('trade-off, direction: bulk sends far fewer messages and bytes, and per-entry work is the same in both modes', async () => {
  const bulk = await sizing(['msgin5g.bulking.maxSize=100']);
  const ind = await sizing(['msgin5g.bulking.maxSize=1']);
  const link = (r: RunResult) => r.summary.links['gateway→server'];
  assert.equal(bulk.summary.procedures['msgin5g-registration'].completed, 20000);
  assert.equal(ind.summary.procedures['msgin5g-registration'].completed, 20000);
  assert.equal(link(ind).msgs, 20000);
  assert.equal(link(bulk).msgs, 200);
  assert.ok(link(bulk).bytes < link(ind).bytes);
  // Server CPU: perMessage 200 us, perEntry 50 us, perByte 2 ns (scenario costs.default). The per-entry
  // part (20000 × 50 us = 1 s) is in both; the difference is exactly the per-message and per-byte savings.
  const cpu = (r: RunResult) => r.summary.nodes.server.busySeconds;
  const bytesIn = (r: RunResult) => r.summary.nodes.server.bytesIn;
  const perEntry = 20000 * 50e-6;
  const expectInd = 20000 * 200e-6 + perEntry + bytesIn(ind) * 2e-9;
  const expectBulk = 200 * 200e-6 + perEntry + bytesIn(bulk) * 2e-9;
  assert.ok(Math.abs(cpu(ind) - expectInd) < 1e-6, `individual cpu ${cpu(ind)} vs ${expectInd}`);
  assert.ok(Math.abs(cpu(bulk) - expectBulk) < 1e-6, `bulk cpu ${cpu(bulk)} vs ${expectBulk}`);
  assert.ok(cpu(bulk) > perEntry, 'bulk never saves per-entry work');
  // All registered sooner with bulk (the server is the bottleneck of the restart).
  assert.ok(bulk.summary.procedures['msgin5g-registration'].lastCompletedMs < ind.summary.procedures['msgin5g-registration'].lastCompletedMs);
});

test('trade-off, waiting: with arrivals spread out, a larger batch window makes each UE wait longer', async () => {
  const spread = ['workload[0].pattern={kind: poisson, rate: 200/s}', 'population.size=2000'];
  const lat = async (window: string) => {
    const r = await runScenario(loadScenarioFile(SIZING, { set: [...spread, `msgin5g.bulking.window=${window}`, 'msgin5g.bulking.maxSize=1000'], skipVariants: true }));
    return r.summary.procedures['msgin5g-registration'].latencyMs;
  };
  const small = await lat('20ms');
  const large = await lat('500ms');
  assert.ok(large.p50 > small.p50 + 200, `p50 ${small.p50} → ${large.p50}`);
  assert.ok(large.max >= 500 && large.max < 600, `a request waits at most the window: ${large.max}`);
});

test('reglab run prints bulk and individual side by side; reglab sweep writes sweep.csv with one row per bulk size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-msgin5g-'));
  try {
    const run = spawnSync(process.execPath, [`${ROOT}bin/reglab.mjs`, 'run', SIZING, '--set', 'population.size=3000', '--quiet', '--out', join(dir, 'cmp')], { encoding: 'utf8', cwd: ROOT });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /bulk/);
    assert.match(run.stdout, /individual/);
    assert.ok(existsSync(join(dir, 'cmp', 'comparison.csv')));
    const cmp = readFileSync(join(dir, 'cmp', 'comparison.csv'), 'utf8').trim().split('\n');
    assert.equal(cmp.length, 3);
    assert.ok(existsSync(join(dir, 'cmp', 'bulk', 'trace.pcapng')));
    const sweep = spawnSync(
      process.execPath,
      [`${ROOT}bin/reglab.mjs`, 'sweep', SIZING, '--set', 'population.size=3000', '--vary', 'msgin5g.bulking.maxSize=1,10,100', '--workers', '2', '--out', join(dir, 'sweep')],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(sweep.status, 0, sweep.stderr);
    const rows = readFileSync(join(dir, 'sweep', 'sweep.csv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 4);
    const head = rows[0].split(',');
    const col = head.indexOf('link.gateway→server.msgs');
    assert.ok(col >= 0, head.join(' '));
    const msgs = rows.slice(1).map((r) => Number(r.split(',')[col]));
    assert.deepEqual(msgs, [3000, 300, 30]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
