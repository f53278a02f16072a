import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS } from '../../sim/kernel/time.ts';
import type { RunResult } from '../../sim/scenario/run.ts';
import { BulkRequest, RegistrationRequest } from '../../sim/msgin5g/messages.ts';
import { REG } from '../../sim/msgin5g/ies.ts';
import { runYaml, scenarioYaml, serverHarness } from '../msgin5g/harness.ts';

// Issue 5, MSGin5G: each failure policy's exact effect on a small scenario, the consequence metrics
// (mismatched views, overhead) and the server's crash model (per-entry commit, volatile store).

const REGP = 'msgin5g-registration';

function sig(r: RunResult, node: string, name: string): number {
  return r.summary.nodes[node].signals[name] ?? 0;
}
/** Requests towards the server in send order: [time ms, delivered|dropped, bulk size or 'i<ue>'] */
function requests(r: RunResult): [number, string, number | string][] {
  return r.entries
    .filter((e) => (e.msg instanceof BulkRequest || e.msg instanceof RegistrationRequest) && e.rec.to === 'server')
    .map((e) => [e.rec.t / 1e6, e.rec.event, e.msg instanceof BulkRequest ? e.msg.subs.length : `i${e.msg.sub}`]);
}

const LOSE_FIRST_BULK = 'faults:\n  - { name: lose-first, kind: drop, match: { kind: [bulk-registration] }, window: { from: 0s, to: 1ms } }\n';

function lostBulk(policy: string, minSize = 2): string {
  return scenarioYaml({
    population: 8,
    gateway: 'requestTimeout: 1s',
    msgin5g: `bulking: { maxSize: 8, minSize: ${minSize}, window: 10ms }\nrequestFailure: { policy: ${policy}, delay: 500ms, backoff: 2, maxRetries: 3 }`,
    workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    watch: 8,
    extra: LOSE_FIRST_BULK,
  });
}

test('whole-bulk timeout, policy split: after timeout + delay the bulk goes again as two halves (bulks of 4), counted as overhead', async () => {
  const r = await runYaml(lostBulk('split'));
  assert.deepEqual(requests(r), [
    [0, 'dropped', 8],
    [1505, 'delivered', 4],
    [1505, 'delivered', 4],
  ]);
  const halves = r.entries.filter((e) => e.msg instanceof BulkRequest && e.rec.event === 'delivered').map((e) => [...(e.msg as BulkRequest).subs]);
  assert.deepEqual(halves, [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]);
  assert.equal(sig(r, 'gateway', 'bulk.split'), 1);
  assert.equal(sig(r, 'gateway', 'request.timeout'), 1);
  assert.equal(r.summary.procedures[REGP].completed, 8);
  // Overhead: both halves carry only entries already sent once.
  assert.equal(sig(r, 'gateway', 'overhead.requests'), 2);
  assert.equal(sig(r, 'gateway', 'overhead.entries'), 8);
  assert.equal(sig(r, 'gateway', 'overhead.bytes'), r.summary.nodes.server.kindsIn['bulk-registration'].bytes);
  assert.equal(r.summary.rules.failed, 0);
});

test('split: halves below the bulking policy minSize go as individual requests', async () => {
  const r = await runYaml(lostBulk('split', 5));
  assert.equal(r.summary.nodes.server.kindsIn['registration'].msgs, 8);
  assert.equal(r.summary.nodes.server.kindsIn['bulk-registration'], undefined);
  assert.equal(sig(r, 'gateway', 'request.retry'), 8);
  assert.equal(sig(r, 'gateway', 'overhead.requests'), 8);
  assert.equal(r.summary.procedures[REGP].completed, 8);
});

test('resend and retry-individually on the same lost bulk: one bulk of 8 again vs 8 individual requests, and their overhead', async () => {
  const resend = await runYaml(lostBulk('resend'));
  assert.deepEqual(requests(resend), [
    [0, 'dropped', 8],
    [1505, 'delivered', 8],
  ]);
  assert.equal(sig(resend, 'gateway', 'overhead.requests'), 1);
  assert.equal(sig(resend, 'gateway', 'overhead.bytes'), resend.summary.nodes.server.kindsIn['bulk-registration'].bytes);
  const ind = await runYaml(lostBulk('retry-individually'));
  assert.equal(ind.summary.nodes.server.kindsIn['registration'].msgs, 8);
  assert.equal(sig(ind, 'gateway', 'overhead.requests'), 8);
  assert.equal(sig(ind, 'gateway', 'overhead.entries'), 8);
  assert.equal(sig(ind, 'gateway', 'overhead.bytes'), ind.summary.nodes.server.kindsIn['registration'].bytes);
  // Individually costs more bytes than the bulk it replaces (one envelope per UE).
  assert.ok(sig(ind, 'gateway', 'overhead.bytes') > sig(resend, 'gateway', 'overhead.bytes'));
  const give = await runYaml(lostBulk('give-up'));
  assert.equal(give.summary.procedures[REGP].failed, 8);
  assert.equal(sig(give, 'gateway', 'overhead.requests'), 0);
});

test('adaptive bulk size (aimd): a lost bulk halves the limit, every answered bulk adds one; queued bulks are cut to the limit', async () => {
  const yaml = (adaptive: string) =>
    scenarioYaml({
      population: 40,
      gateway: 'requestTimeout: 1s, connections: 1',
      msgin5g: `bulking: { maxSize: 8, minSize: 2, window: 10ms, adaptive: ${adaptive} }\nrequestFailure: { policy: resend, delay: 100ms, backoff: 1, maxRetries: 3 }`,
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      watch: 40,
      extra: LOSE_FIRST_BULK,
    });
  const r = await runYaml(yaml('{ policy: aimd, increase: 1, decrease: 0.5, floor: 2 }'));
  // 40 UEs form five bulks of 8 at once; one connection sends them one after the other. The first is
  // lost: at its timeout (1 s) the limit falls 8 → 4 and the next bulk is cut to 4 (rest 4 waits);
  // each answer adds one: 5 (the rest, 4, fits), 6 (the next 8 is cut to 6, rest 2), 7, 8, … and the
  // lost bulk, resent 100 ms after its timeout, goes whole at 8.
  assert.deepEqual(
    requests(r).map(([, ev, n]) => `${ev === 'dropped' ? 'x' : ''}${n}`),
    ['x8', '4', '4', '6', '2', '8', '8', '8'],
  );
  assert.equal(sig(r, 'gateway', 'bulk.cut'), 2);
  assert.equal(sig(r, 'gateway', 'bulk.limit'), 8, 'the gauge is back at maxSize');
  assert.equal(r.summary.procedures[REGP].completed, 40);
  assert.equal(r.summary.rules.failed, 0);
  const fixed = await runYaml(yaml('{ policy: fixed }'));
  assert.deepEqual(
    requests(fixed).map(([, ev, n]) => `${ev === 'dropped' ? 'x' : ''}${n}`),
    ['x8', '8', '8', '8', '8', '8'],
  );
  assert.equal(sig(fixed, 'gateway', 'bulk.limit'), 0, 'no gauge without the adaptive policy');
});

test('entry failure retried in the next bulk: the overhead bytes are what the retried entry adds to a bulk of first sends', async () => {
  const yaml = (policy: string) =>
    scenarioYaml({
      population: 10,
      msgin5g: `ues: { badCredentials: [2] }\nbulking: { maxSize: 100, window: 100ms }\nentryFailure: { policy: ${policy}, delay: 100ms, maxRetries: 1 }`,
      workload:
        '- { target: gateway, event: register, subscribers: { from: 0, count: 5 }, pattern: { kind: all-at-once, at: 0s } }\n' +
        '- { target: gateway, event: register, subscribers: { from: 5, count: 5 }, pattern: { kind: all-at-once, at: 150ms } }',
      watch: 10,
    });
  const r = await runYaml(yaml('retry-in-bulk'));
  const bulks = r.entries.filter((e) => e.msg instanceof BulkRequest && e.rec.event === 'delivered').map((e) => e.msg as BulkRequest);
  assert.deepEqual(
    bulks.map((b) => [...b.subs]),
    [
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9, 2], // the second wave opens the batch at 150 ms; UE 2 rejoins it at ~212 ms
    ],
  );
  const second = bulks[1];
  const without = new BulkRequest(REG, second.ch, Int32Array.of(5, 6, 7, 8, 9), 0, 0, undefined);
  assert.equal(sig(r, 'gateway', 'overhead.requests'), 0, 'a mixed bulk is not a resent request');
  assert.equal(sig(r, 'gateway', 'overhead.entries'), 1);
  assert.equal(sig(r, 'gateway', 'overhead.bytes'), second.bytes - without.bytes);
  assert.ok(second.bytes - without.bytes > 60, 'about one registration entry (UE Service ID and credential)');
  const ind = await runYaml(yaml('retry-individually'));
  assert.equal(sig(ind, 'gateway', 'overhead.requests'), 1);
  assert.equal(sig(ind, 'gateway', 'overhead.bytes'), ind.summary.nodes.server.kindsIn['registration'].bytes);
});

/** One bulk of 10 at the server from 15 ms, 1 ms envelope + 10 ms per entry; the server crashes at 50.5 ms (entries 0–2 done). */
function crashMidBulk(o: { policy: string; commit?: string; store?: string; timeout?: string; delay?: string }): string {
  return scenarioYaml({
    population: 10,
    gateway: `requestTimeout: ${o.timeout ?? '1s'}`,
    server: `maxBulkSize: 1000, bulkCommit: ${o.commit ?? 'per-entry'}, store: ${o.store ?? 'persistent'}`,
    serverCosts: '{ perMessage: 1ms, perEntry: 10ms }',
    msgin5g: `bulking: { maxSize: 100, window: 10ms }\nrequestFailure: { policy: ${o.policy}, delay: ${o.delay ?? '500ms'}, backoff: 1, maxRetries: 2 }`,
    workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    extra: 'faults:\n  - { name: crash, kind: crash, node: server, at: 50.5ms, restartAfter: 100ms }\n',
  });
}

test('server crash mid-bulk, per-entry commit: the 3 entries processed stay stored; give-up leaves them registered only at the server', async () => {
  const r = await runYaml(crashMidBulk({ policy: 'give-up' }));
  assert.equal(sig(r, 'server', 'crash.entries-committed'), 3);
  assert.equal(r.summary.procedures[REGP].failed, 10);
  const p = r.summary.probes;
  assert.equal(p['msgin5g.mismatched-views'].last, 3);
  assert.equal(p['msgin5g.only-at-server'].last, 3);
  assert.equal(p['msgin5g.only-at-gateway'].last, 0);
  assert.equal(p['msgin5g.mismatched-views'].consistentSinceS, null, 'never consistent again');
  // Sampled every second and at the end (the timeout at 1.01 s): at 1 s the bulk is still in flight
  // for the gateway (an exchange in progress is not compared); once it timed out and was given up, 3.
  assert.deepEqual(
    r.probes.map((row) => [row.t / 1e9, row.values['msgin5g.mismatched-views']]),
    [
      [1, 0],
      [1.01, 3],
    ],
  );
});

test('server crash mid-bulk: resend makes the views agree again (the 3 committed entries are refreshed); atomic commit leaves nothing half-done', async () => {
  // Timeout at 0.51 s, resend at 1.31 s: the sample at 1 s finds the 3 UEs waiting for the resend.
  const r = await runYaml(crashMidBulk({ policy: 'resend', timeout: '500ms', delay: '800ms' }));
  assert.equal(r.summary.procedures[REGP].completed, 10);
  const m = r.summary.probes['msgin5g.mismatched-views'];
  assert.equal(m.max, 3, 'inconsistent between the timeout and the resend');
  assert.equal(m.last, 0);
  assert.ok(m.consistentSinceS !== null && m.consistentSinceS > 1.31, `consistent since ${m.consistentSinceS}`);
  // The resent bulk is answered SUCCESS for all 10: 3 were already registered (refreshed).
  assert.equal(sig(r, 'server', 'ue.registered'), 10);
  const atomic = await runYaml(crashMidBulk({ policy: 'give-up', commit: 'atomic' }));
  assert.equal(sig(atomic, 'server', 'crash.entries-committed'), 0);
  assert.equal(atomic.summary.probes['msgin5g.mismatched-views'].max, 0);
  assert.equal(atomic.summary.probes['msgin5g.mismatched-views'].consistentSinceS, 0);
});

test('volatile store: a crash loses every registration (only at the gateway); only the refresh policy repairs it, one registration per UE per interval', async () => {
  const yaml = (store: string, refresh: string) =>
    scenarioYaml({
      population: 10,
      duration: '5s',
      server: `maxBulkSize: 1000, store: ${store}`,
      msgin5g: `bulking: { maxSize: 100, window: 10ms }\nrefresh: { interval: ${refresh} }`,
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      extra: 'faults:\n  - { name: crash, kind: crash, node: server, at: 500ms, restartAfter: 100ms }\n',
    });
  const lost = await runYaml(yaml('volatile', '0s'));
  assert.equal(sig(lost, 'server', 'store.lost'), 10);
  assert.equal(lost.summary.probes['msgin5g.only-at-gateway'].last, 10);
  assert.equal(lost.summary.probes['msgin5g.mismatched-views'].consistentSinceS, null);
  const kept = await runYaml(yaml('persistent', '0s'));
  assert.equal(sig(kept, 'server', 'store.lost'), 0);
  assert.equal(kept.summary.probes['msgin5g.mismatched-views'].max, 0);
  const refreshed = await runYaml(yaml('volatile', '2s'));
  // Refreshes at 2 s and 4 s, 10 UEs each; the first one repairs the server's store.
  assert.equal(sig(refreshed, 'gateway', 'refresh.entries'), 20);
  assert.equal(refreshed.summary.procedures[REGP].completed, 30);
  const m = refreshed.summary.probes['msgin5g.mismatched-views'];
  assert.equal(m.max, 10);
  assert.equal(m.last, 0);
  assert.equal(m.consistentSinceS, 3, 'the first sample after the 2 s refresh completed');
  assert.equal(refreshed.summary.rules.failed, 0);
});

test('the server mirrors its service queue exactly; a crash commits the processed entries of the bulk in service only', () => {
  for (const [commit, store, expected] of [
    ['per-entry', 'persistent', 24],
    ['atomic', 'persistent', 20],
    ['per-entry', 'volatile', 0],
  ] as const) {
    const h = serverHarness(100, { server: { bulkCommit: commit, store } });
    h.server.costs.set(undefined, { perMessage: 1 * MS, perEntry: 1 * MS, perByte: 0 });
    // Five bulks of 10 arrive at 1 ms; each takes 11 ms: 1–12, 12–23, 23–34 ms, …
    for (let b = 0; b < 5; b++) {
      const subs = Int32Array.from({ length: 10 }, (_, k) => b * 10 + k);
      h.gw.sendTo(h.server.index, new BulkRequest(REG, h.ch, subs, b + 1, b, undefined));
    }
    // The mirror is kept only where a crash can leave a bulk half done (per-entry into a persistent store).
    const mirrored = commit === 'per-entry' && store === 'persistent';
    for (let t = 0.5; t <= 28.5; t += 0.5) {
      h.sim.run(t * MS);
      const m = h.server.serviceMirror();
      assert.equal(m.inService, mirrored ? h.server.busyWorkers : 0, `in service at ${t} ms`);
      assert.equal(m.waiting, mirrored ? h.server.queueLength : 0, `waiting at ${t} ms`);
    }
    if (mirrored) assert.deepEqual(h.server.serviceMirror(), { inService: 1, waiting: 2 });
    // 28.5 ms: bulks 0 and 1 done, bulk 2 in service for 5.5 ms (1 ms envelope + 4 entries), 3 and 4 waiting.
    h.server.crash();
    assert.deepEqual(h.server.serviceMirror(), { inService: 0, waiting: 0 });
    assert.equal(h.server.registeredCount(), expected, `${commit}/${store}`);
    if (commit === 'per-entry' && store === 'persistent') {
      for (let ue = 20; ue < 30; ue++) assert.equal(h.server.registered[ue], ue < 24 ? 1 : 0, `UE ${ue}`);
    }
  }
});

test('segment loss: on a datagram link a message of k segments arrives with (1 − q)^k; off, loss is per message', async () => {
  const yaml = (segmentSize: number) =>
    scenarioYaml({
      population: 3000,
      link: 'delay: 5ms, transport: datagram, loss: 0.05',
      msgin5g: `ues: { profileShare: 0 }\nbulking: { maxSize: 1 }\nrequestFailure: { policy: give-up }\nsegmentLoss: { segmentSize: ${segmentSize} }`,
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      duration: '120s',
    });
  const rate = (r: RunResult) => r.summary.nodes.server.kindsIn['registration'].msgs / r.summary.nodes.gateway.kindsOut['registration'].msgs;
  const on = await runYaml(yaml(150));
  // Without a profile a registration request is 379–382 bytes: 3 segments of 150 → (0.95)^3 ≈ 0.857 arrive.
  const sizes = new Set(on.entries.filter((e) => e.msg instanceof RegistrationRequest).map((e) => Math.ceil(e.msg.bytes / 150)));
  assert.deepEqual([...sizes], [3]);
  assert.ok(Math.abs(rate(on) - 0.95 ** 3) < 0.025, `delivered ${rate(on)}`);
  const off = await runYaml(yaml(0));
  assert.ok(Math.abs(rate(off) - 0.95) < 0.015, `delivered ${rate(off)}`);
  // A segment lost is reported like the network's own losses.
  assert.ok((on.summary.messages.byReason['loss'] ?? 0) > (off.summary.messages.byReason['loss'] ?? 0));
});

test('mismatched views with several gateways: UEs no gateway serves count at the server only; overlapping gateways count a UE once, believed if any believes it', async () => {
  const two = (a: string, b: string, serverParams: string, workload: string) => `description: test
seed: 1
duration: 10s
network:
  links:
    - { between: [ga, server], delay: 5ms, transport: stream }
    - { between: [gb, server], delay: 5ms, transport: stream }
nodes:
  - { id: ga, type: message-gateway, params: { servers: [server], ues: ${a} } }
  - { id: gb, type: message-gateway, params: { servers: [server], ues: ${b} } }
  - { id: server, type: msgin5g-server, params: { ${serverParams} } }
population: { size: 20 }
workload:
${workload}
observe: { interval: 1s }
`;
  // Only UEs 0–9 have a gateway (ga 0–4, gb 5–9); the server starts with all 20 registered.
  const uncovered = await runYaml(two('{ from: 0, count: 5 }', '{ from: 5, count: 5 }', 'initiallyRegistered: true', '  - { target: ga, event: register, pattern: { kind: all-at-once, at: 2s } }'));
  assert.deepEqual(
    uncovered.probes.map((row) => [row.t / 1e9, row.values['msgin5g.only-at-server'], row.values['msgin5g.only-at-gateway']]),
    [
      [1, 20, 0],
      [2, 20, 0],
      [2.06, 15, 0], // ga registered its 5 UEs (a bulk after the 50 ms window, 5 ms each way); gb's 5 and the 10 without a gateway remain
    ],
  );
  // Both gateways serve UEs 0–9; ga registers them, gb never does: the UEs are believed registered (by ga).
  const overlap = await runYaml(two('{ from: 0, count: 10 }', '{ from: 0, count: 10 }', 'maxBulkSize: 100', '  - { target: ga, event: register, pattern: { kind: all-at-once } }'));
  assert.equal(overlap.summary.procedures[REGP].completed, 10);
  assert.equal(overlap.summary.probes['msgin5g.mismatched-views'].last, 0);
  assert.equal(overlap.summary.probes['msgin5g.only-at-server'].max, 0);
});

test('mismatched views do not count exchanges in flight: a plain storm over a slow link (answers always on the way) stays at 0', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 3000,
      link: 'delay: 400ms, transport: stream',
      serverCosts: '{ perMessage: 1ms, perEntry: 1ms }',
      msgin5g: 'bulking: { maxSize: 100, window: 10ms }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    }),
  );
  assert.equal(r.summary.procedures[REGP].completed, 3000);
  // 30 bulks of 101 ms each at the server, every answer 400 ms on the way: at every sample some UEs
  // are stored at the server while the gateway still waits — not a disagreement.
  assert.ok(r.probes.length >= 3);
  assert.ok(r.probes.some((row) => row.t < 3e9), 'sampled during the storm');
  assert.equal(r.summary.probes['msgin5g.mismatched-views'].max, 0);
});
