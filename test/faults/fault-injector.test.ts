import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioText, ScenarioError } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';

/** A deterministic chain (no jitter): client → relay → server, 10 subscribers, one request each. */
function scenario(faults: string, opts: { watch?: number; size?: number } = {}): string {
  return `
description: fault test
seed: 3
duration: 20s
network:
  defaults: { delay: 5ms }
nodes:
  - { id: client, type: gen-client, params: { via: relay, timeout: 2s } }
  - { id: relay, type: gen-relay, params: { next: server } }
  - { id: server, type: gen-server, costs: { request: { perMessage: 10ms } } }
population: { size: ${opts.size ?? 10} }
workload:
  - { target: client, pattern: { kind: uniform, start: 0s, window: 1s } }
observe: { watch: { first: ${opts.watch ?? 10} }, interval: 1s }
faults:
${faults}
`;
}

async function run(faults: string, opts?: { watch?: number; size?: number }) {
  return runScenario(loadScenarioText(scenario(faults, opts), 'fault-test.yaml'));
}

const BASE_LATENCY_MS = 4 * 5 + 10; // four 5 ms hops and the server's 10 ms service

test('baseline: every request answered with the analytic latency', async () => {
  const r = await run('  []');
  const p = r.summary.procedures['request-response'];
  assert.equal(p.completed, 10);
  assert.equal(p.latencyMs.max, BASE_LATENCY_MS);
});

test('drop matching the responses towards the client: every procedure fails, drops named after the rule', async () => {
  const r = await run('  - { kind: drop, name: no-answers, match: { kind: response, to: client } }');
  const p = r.summary.procedures['request-response'];
  assert.equal(p.completed, 0);
  assert.equal(p.failed, 10);
  assert.equal(r.summary.messages.byReason['fault:no-answers'], 10);
  assert.equal(r.summary.faults['no-answers'], 10);
  const dropped = r.trace.filter((t) => t.event === 'dropped');
  assert.equal(dropped.length, 10);
  assert.ok(dropped.every((t) => t.kind === 'response' && t.from === 'relay' && t.to === 'client' && t.reason === 'fault:no-answers'));
});

test('loss on one link leaves the other links alone', async () => {
  const r = await run('  - { kind: loss, link: [relay, server], probability: 100% }');
  assert.equal(r.summary.nodes.server.msgsIn, 0);
  assert.equal(r.summary.nodes.relay.msgsIn, 10, 'client→relay still delivers');
  assert.equal(r.summary.procedures['request-response'].failed, 10);
});

test('extra delay on matching messages adds exactly that to the latency', async () => {
  const r = await run('  - { kind: delay, match: { kind: request, to: server }, extra: 7ms }');
  const p = r.summary.procedures['request-response'];
  assert.equal(p.latencyMs.p50, BASE_LATENCY_MS + 7);
  assert.equal(p.latencyMs.max, BASE_LATENCY_MS + 7);
});

test('duplication delivers a second copy: the server answers twice, the client sees unmatched answers', async () => {
  const r = await run('  - { kind: duplicate, link: [client, relay], probability: 100% }');
  assert.equal(r.summary.nodes.relay.kindsIn.request.msgs, 20);
  assert.equal(r.summary.nodes.server.msgsIn, 20);
  assert.equal(r.summary.procedures['request-response'].completed, 10);
  // The rule covers both directions: the 20 answers are doubled again on relay→client (40 arrive),
  // 10 complete a procedure and 30 find no pending transaction.
  assert.equal(r.summary.nodes.client.kindsIn.response.msgs, 40);
  assert.equal(r.summary.nodes.client.signals['response.unmatched'], 30);
});

test('crash and restart: arrivals while down are dropped, fault records mark both instants, service resumes', async () => {
  const r = await run('  - { kind: crash, node: server, at: 300ms, restartAfter: 400ms }');
  const faults = r.trace.filter((t) => t.proto === 'fault');
  assert.deepEqual(
    faults.map((f) => [f.kind, f.t]),
    [
      ['crash', 300_000_000],
      ['restart', 700_000_000],
    ],
  );
  const downDrops = r.trace.filter((t) => t.event === 'dropped' && (t.reason === 'node-down' || t.reason === 'crash'));
  assert.ok(downDrops.length > 0, 'some requests reached the server while it was down');
  for (const d of downDrops) assert.ok(d.t >= 300_000_000 && d.t < 700_000_000, `drop at ${d.t} outside the down window`);
  const p = r.summary.procedures['request-response'];
  assert.equal(p.completed + p.failed, 10);
  assert.equal(p.failed, downDrops.length);
  const served = r.trace.filter((t) => t.to === 'server' && t.event === 'delivered' && t.kind === 'request');
  assert.ok(served.some((t) => t.t >= 700_000_000), 'the server serves again after the restart');
});

test('partition drops only inside its window', async () => {
  const r = await run('  - { kind: partition, between: [relay, server], window: { from: 0s, to: 500ms } }');
  const drops = r.trace.filter((t) => t.event === 'dropped');
  assert.ok(drops.length > 0 && drops.length < 10);
  for (const d of drops) assert.ok(d.t < 500_000_000);
  assert.equal(r.summary.procedures['request-response'].failed, drops.length);
});

test('overload at half capacity doubles the service time inside the window only', async () => {
  const r = await run('  - { kind: overload, node: server, window: { from: 0s, to: 10s }, capacityFactor: 0.5 }');
  assert.equal(r.summary.procedures['request-response'].latencyMs.max >= BASE_LATENCY_MS + 10, true);
  assert.equal(r.summary.procedures['request-response'].latencyMs.p50 >= BASE_LATENCY_MS + 10, true);
  const after = await run('  - { kind: overload, node: server, window: { from: 5s, to: 10s }, capacityFactor: 0.5 }');
  assert.equal(after.summary.procedures['request-response'].latencyMs.max, BASE_LATENCY_MS);
});

test('an error rule on a node without an error answer drops the message as a fault', async () => {
  const r = await run('  - { kind: error, name: busy, node: server, answer: { status: 503 } }');
  assert.equal(r.summary.messages.byReason['fault:busy'], 10);
  assert.equal(r.summary.nodes.server.busySeconds, 0.1, 'the message was served (10 × 10 ms) before the error');
});

test('faults are reproducible with the seed, and a rule that never acts changes nothing', async () => {
  const a = await run('  - { kind: loss, probability: 30% }', { size: 200, watch: 0 });
  const b = await run('  - { kind: loss, probability: 30% }', { size: 200, watch: 0 });
  assert.equal(a.summary.traceHash, b.summary.traceHash);
  const c = await run('  - { kind: loss, probability: 30% }\n  - { kind: drop, match: { kind: no-such-kind } }', { size: 200, watch: 0 });
  assert.equal(c.summary.traceHash, a.summary.traceHash);
  assert.ok(a.summary.messages.dropped > 0);
});

test('fault rules are validated: unknown node, empty overload, reversed window', () => {
  const bad = [
    ['  - { kind: crash, node: nowhere, at: 1s }', "faults[0].node: no node 'nowhere'"],
    ['  - { kind: overload, node: server }', 'faults[0]: an overload needs capacityFactor and/or queueLimit'],
    ['  - { kind: partition, between: [relay, server], window: { from: 2s, to: 1s } }', "faults[0].window: 'to' must be later than 'from'"],
    ['  - { kind: loss, probability: 2 }', 'faults[0].probability'],
  ];
  for (const [f, want] of bad) {
    assert.throws(
      () => loadScenarioText(scenario(f), 'bad.yaml'),
      (e: unknown) => e instanceof ScenarioError && e.problems.some((p) => p.includes(want)),
      want,
    );
  }
});
