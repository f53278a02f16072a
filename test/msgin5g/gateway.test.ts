import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '../../sim/scenario/run.ts';
import { BulkRequest, RegistrationRequest } from '../../sim/msgin5g/messages.ts';
import { runYaml, scenarioYaml } from './harness.ts';

const REGP = 'msgin5g-registration';
const DEREGP = 'msgin5g-deregistration';

function kinds(r: RunResult, node: string): Record<string, { msgs: number; bytes: number }> {
  return r.summary.nodes[node].kindsIn;
}
function sig(r: RunResult, node: string, name: string): number {
  return r.summary.nodes[node].signals[name] ?? 0;
}

test('bulking: 250 UEs at once with maxSize 100 go as bulks of 100, 100 and 50 (the last when its window ends)', async () => {
  const r = await runYaml(
    scenarioYaml({ population: 250, msgin5g: 'bulking: { maxSize: 100, window: 50ms }', workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }', watch: 250 }),
  );
  assert.equal(kinds(r, 'server')['bulk-registration'].msgs, 3);
  assert.equal(kinds(r, 'server')['registration'], undefined);
  const sizes = r.entries.filter((e) => e.msg instanceof BulkRequest && e.rec.event === 'delivered').map((e) => (e.msg as BulkRequest).subs.length);
  assert.deepEqual(sizes, [100, 100, 50]);
  const p = r.summary.procedures[REGP];
  assert.equal(p.completed, 250);
  // The first two bulks leave at once; the 50 wait for the 50 ms window.
  assert.ok(p.latencyMs.max >= 50, `max ${p.latencyMs.max}`);
  assert.ok(p.latencyMs.p50 < 50, `p50 ${p.latencyMs.p50}`);
  assert.equal(r.summary.rules.failed, 0);
});

test('step 1: urgent requests are never bulked — by trigger (register-urgent) or by configuration (urgentShare)', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 60,
      msgin5g: 'bulking: { maxSize: 100, window: 20ms }',
      workload:
        '- { target: gateway, event: register-urgent, subscribers: { from: 0, count: 5 }, pattern: { kind: all-at-once } }\n' +
        '- { target: gateway, event: register, subscribers: { from: 5, count: 55 }, pattern: { kind: all-at-once } }',
      watch: 60,
    }),
  );
  assert.equal(kinds(r, 'server')['registration'].msgs, 5);
  assert.equal(kinds(r, 'server')['bulk-registration'].msgs, 1);
  const indiv = r.entries.filter((e) => e.msg instanceof RegistrationRequest).map((e) => e.msg.sub);
  assert.deepEqual(indiv.sort((a, b) => a - b), [0, 1, 2, 3, 4]);
  for (const e of r.entries) if (e.msg instanceof RegistrationRequest) assert.equal(e.msg.why, 'urgent');
  assert.equal(r.rules.find((x) => x.id === '23.554:8.2.X/1')!.status, 'passed');

  const s = await runYaml(
    scenarioYaml({
      population: 2000,
      msgin5g: 'ues: { urgentShare: 0.1 }\nbulking: { maxSize: 100, window: 20ms }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      watch: 2000,
    }),
  );
  const bulkEntries = s.entries.filter((e) => e.msg instanceof BulkRequest).reduce((a, e) => a + (e.msg as BulkRequest).subs.length, 0);
  const individual = kinds(s, 'server')['registration'].msgs;
  assert.equal(bulkEntries + individual, 2000);
  assert.ok(individual > 150 && individual < 250, `about 10% urgent: ${individual}`);
  assert.equal(s.summary.rules.failed, 0);
});

test('maxSize 1 turns bulking off; a lone request waits for the window, then goes individually (below minSize)', async () => {
  const off = await runYaml(scenarioYaml({ population: 30, msgin5g: 'bulking: { maxSize: 1 }', workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }' }));
  assert.equal(kinds(off, 'server')['registration'].msgs, 30);
  assert.equal(kinds(off, 'server')['bulk-registration'], undefined);
  const lone = await runYaml(scenarioYaml({ population: 1, msgin5g: 'bulking: { maxSize: 100, window: 200ms }', workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }' }));
  assert.equal(kinds(lone, 'server')['registration'].msgs, 1);
  assert.ok(lone.summary.procedures[REGP].latencyMs.p50 >= 200);
  assert.equal((lone.entries.find((e) => e.msg instanceof RegistrationRequest)!.msg as RegistrationRequest).why, 'below-min-size');
});

test('entry failures: retried individually after the delay by default, in a bulk, or given up, as the policy says', async () => {
  const base = (policy: string) =>
    scenarioYaml({
      population: 10,
      msgin5g: `ues: { badCredentials: [2, 7] }\nbulking: { maxSize: 100, window: 10ms }\nentryFailure: { policy: ${policy}, delay: 500ms, maxRetries: 2 }`,
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    });
  const ind = await runYaml(base('retry-individually'));
  assert.equal(ind.summary.procedures[REGP].completed, 8);
  assert.equal(ind.summary.procedures[REGP].failed, 2);
  assert.equal(sig(ind, 'gateway', 'entry.retry'), 4, 'two retries each for two UEs');
  assert.equal(kinds(ind, 'server')['registration'].msgs, 4);
  assert.equal(kinds(ind, 'server')['bulk-registration'].msgs, 1);
  const inBulk = await runYaml(base('retry-in-bulk'));
  assert.equal(kinds(inBulk, 'server')['bulk-registration'].msgs, 3, 'the two failing UEs travel together again, twice');
  assert.equal(kinds(inBulk, 'server')['registration'], undefined);
  const give = await runYaml(base('give-up'));
  assert.equal(sig(give, 'gateway', 'entry.retry'), 0);
  assert.equal(give.summary.procedures[REGP].failed, 2);
  // Retrying only some causes.
  const some = await runYaml(base('retry-individually').replace('maxRetries: 2 }', 'maxRetries: 2, causes: [SERVER_OVERLOADED] }'));
  assert.equal(sig(some, 'gateway', 'entry.retry'), 0, 'AUTHENTICATION_FAILED is not in the list');
});

test('a lost bulk loses all its entries: the timeout catches it and the bulk is resent as it was', async () => {
  const yaml = (policy: string) =>
    scenarioYaml({
      population: 400,
      link: 'delay: 5ms, transport: datagram, loss: 0.3',
      gateway: 'requestTimeout: 1s',
      msgin5g: `bulking: { maxSize: 100, window: 10ms }\nrequestFailure: { policy: ${policy}, delay: 100ms, backoff: 1, maxRetries: 20 }`,
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      duration: '120s',
    });
  const r = await runYaml(yaml('resend'));
  assert.equal(r.summary.procedures[REGP].completed, 400);
  assert.ok(sig(r, 'gateway', 'request.timeout') > 0);
  assert.equal(sig(r, 'gateway', 'bulk.resend'), sig(r, 'gateway', 'request.timeout'));
  assert.ok(r.summary.messages.dropped > 0);
  assert.equal(kinds(r, 'server')['registration'], undefined, 'resent as bulks, never split');
  const g = await runYaml(yaml('give-up'));
  const failed = g.summary.procedures[REGP].failed;
  assert.ok(failed > 0);
  assert.equal(failed % 100, 0, `whole bulks fail together: ${failed}`);
});

test('413: a bulk larger than the server accepts is split in halves and sent again', async () => {
  const r = await runYaml(
    scenarioYaml({ population: 100, server: 'maxBulkSize: 30', msgin5g: 'bulking: { maxSize: 100, window: 10ms }', workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }' }),
  );
  assert.equal(r.summary.procedures[REGP].completed, 100);
  assert.ok(sig(r, 'gateway', 'bulk.split') >= 3);
  assert.ok(kinds(r, 'gateway')['413 bulk-registration'].msgs >= 3);
});

test('503: an overloaded server answers at once with Retry-After; the gateway waits at least that long and gets through', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 50,
      gateway: 'connections: 50',
      server: 'retryAfter: 2s',
      serverCosts: '{ perMessage: 20ms }',
      msgin5g: 'bulking: { maxSize: 1 }\nrequestFailure: { policy: resend, delay: 100ms, maxRetries: 10 }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      extra: '',
    }).replace('type: msgin5g-server', 'type: msgin5g-server\n    queueLimit: 5'),
  );
  assert.equal(r.summary.procedures[REGP].completed, 50);
  assert.ok(kinds(r, 'gateway')['503 registration'].msgs > 0);
  assert.ok(r.summary.procedures[REGP].latencyMs.max >= 2000, 'Retry-After respected');
});

test('de-registration: only UEs the gateway registered; a de-registration wish during a registration waits for it', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 10,
      msgin5g: 'bulking: { maxSize: 100, window: 10ms }',
      workload:
        '- { target: gateway, event: deregister, subscribers: { from: 0, count: 2 }, pattern: { kind: all-at-once, at: 0s } }\n' +
        '- { target: gateway, event: register, subscribers: { from: 2, count: 8 }, pattern: { kind: all-at-once, at: 0s } }\n' +
        '- { target: gateway, event: deregister, subscribers: { from: 2, count: 8 }, pattern: { kind: all-at-once, at: 1ms } }',
    }),
  );
  assert.equal(sig(r, 'gateway', 'deregister.not-registered'), 2);
  assert.equal(sig(r, 'gateway', 'trigger.deferred'), 8);
  assert.equal(r.summary.procedures[REGP].completed, 8);
  assert.equal(r.summary.procedures[DEREGP].completed, 8);
  assert.equal(sig(r, 'server', 'ue.deleted'), 8);
});

test('a gateway crash abandons the procedures under way; on restart it registers every UE again', async () => {
  const yaml =
    scenarioYaml({
      population: 300,
      msgin5g: 'bulking: { maxSize: 50, window: 10ms }',
      serverCosts: '{ perMessage: 1ms, perEntry: 1ms }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    }) + 'faults:\n  - { kind: crash, node: gateway, at: 100ms, restartAfter: 1s }\n';
  const r = await runYaml(yaml);
  const p = r.summary.procedures[REGP];
  assert.ok(p.abandoned > 0, `abandoned ${p.abandoned}`);
  assert.equal(p.started, 300 + 300);
  assert.equal(p.completed + p.abandoned, 600 - 0);
  assert.equal(p.completed, 600 - p.abandoned);
  assert.ok(sig(r, 'gateway', 'response.late') + (r.summary.messages.byReason['node-down'] ?? 0) + (r.summary.messages.byReason['crash'] ?? 0) > 0);
});

test('several servers: UE u goes to servers[u mod n]; each bulk goes to one server', async () => {
  const yaml = `description: two servers
duration: 10s
nodes:
  - { id: gateway, type: message-gateway, params: { servers: [s0, s1] } }
  - { id: s0, type: msgin5g-server }
  - { id: s1, type: msgin5g-server }
population: { size: 40 }
msgin5g: { bulking: { maxSize: 10, window: 10ms } }
workload:
  - { target: gateway, event: register, pattern: { kind: all-at-once } }
observe: { watch: { first: 40 } }
`;
  const r = await runYaml(yaml);
  assert.equal(r.summary.procedures[REGP].completed, 40);
  for (const e of r.entries) {
    if (!(e.msg instanceof BulkRequest)) continue;
    const want = e.rec.to === 's0' ? 0 : 1;
    for (const ue of e.msg.subs) assert.equal(ue % 2, want);
  }
  assert.equal(r.summary.nodes.s0.signals['ue.registered'], 20);
  assert.equal(r.summary.nodes.s1.signals['ue.registered'], 20);
});

test('connections bound what is outstanding: one connection means one request at a time at the server', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 20,
      gateway: 'connections: 1',
      msgin5g: 'bulking: { maxSize: 1 }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    }),
  );
  assert.equal(r.summary.nodes.server.peakQueue, 0);
  // Each request waits for the previous round trip (10 ms + 1.1 ms service).
  assert.ok(r.summary.procedures[REGP].lastCompletedMs >= 20 * 11, `${r.summary.procedures[REGP].lastCompletedMs}`);
});

test('injected error answers (faults): a 503 is retried after Retry-After, an entry-scope cause fails each entry', async () => {
  const yaml = (answer: string) =>
    scenarioYaml({
      population: 20,
      msgin5g: 'bulking: { maxSize: 10, window: 10ms }\nentryFailure: { policy: give-up }\nrequestFailure: { policy: resend, delay: 100ms, maxRetries: 5 }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
    }) + `faults:\n  - { kind: error, name: inj, node: server, answer: ${answer}, window: { from: 0s, to: 500ms } }\n`;
  const busy = await runYaml(yaml('{ status: 503, retryAfter: 2s }'));
  assert.equal(busy.summary.procedures[REGP].completed, 20);
  assert.equal(kinds(busy, 'gateway')['503 bulk-registration'].msgs, 2);
  assert.ok(busy.summary.procedures[REGP].latencyMs.p50 >= 2000);
  const auth = await runYaml(yaml('{ cause: authentication-failed }'));
  assert.equal(auth.summary.procedures[REGP].failed, 20);
  assert.equal(auth.summary.nodes.server.signals['ue.registered'] ?? 0, 0);
  const body = auth.entries.find((e) => e.rec.kind === '200 bulk-registration')!.rec.wire;
  assert.equal((body.match(/"failureCause":"AUTHENTICATION_FAILED"/g) ?? []).length, 10);
});

test('churn and mass de-registration: Poisson arrivals and departures, then every UE de-registered at once', async () => {
  const churn = await runYaml(
    scenarioYaml({
      population: 2000,
      msgin5g: 'bulking: { maxSize: 50, window: 100ms }',
      workload:
        '- { target: gateway, event: register, pattern: { kind: poisson, rate: 500/s, count: 3000, pick: random } }\n' +
        '- { target: gateway, event: deregister, pattern: { kind: poisson, start: 1s, rate: 200/s, count: 1000, pick: random } }',
      duration: '30s',
    }),
  );
  const reg = churn.summary.procedures[REGP];
  const dereg = churn.summary.procedures[DEREGP];
  assert.equal(reg.failed + reg.abandoned + dereg.failed + dereg.abandoned, 0);
  // Every procedure started has ended, none failed.
  assert.equal(reg.started, reg.completed);
  assert.equal(dereg.started, dereg.completed);
  const registeredNow = churn.summary.nodes.server.signals['ue.registered'] - (churn.summary.nodes.server.signals['ue.deleted'] ?? 0);
  assert.ok(registeredNow > 0);
  assert.equal(churn.summary.rules.failed, 0);
  const mass = await runYaml(
    scenarioYaml({
      population: 5000,
      gateway: 'initiallyRegistered: true',
      server: 'initiallyRegistered: true',
      msgin5g: 'bulking: { maxSize: 500, window: 10ms }',
      workload: '- { target: gateway, event: deregister, pattern: { kind: all-at-once } }',
    }),
  );
  assert.equal(mass.summary.procedures[DEREGP].completed, 5000);
  assert.equal(kinds(mass, 'server')['bulk-deregistration'].msgs, 10);
  assert.equal(mass.summary.nodes.server.signals['ue.deleted'], 5000);
  assert.equal(mass.summary.rules.failed, 0);
  assert.equal(mass.rules.find((r) => r.id === '23.554:8.2.4/3')!.status, 'passed');
});

test('several gateways serve one server: each registers its own UEs and may de-register only those', async () => {
  const yaml = `description: two gateways
duration: 10s
nodes:
  - { id: gw-a, type: message-gateway, params: { kind: legacy-3gpp, servers: [server], ues: { from: 0, count: 30 } } }
  - { id: gw-b, type: message-gateway, params: { kind: non-3gpp, servers: [server], ues: { from: 30, count: 30 } } }
  - { id: server, type: msgin5g-server }
population: { size: 60 }
msgin5g: { bulking: { maxSize: 100, window: 10ms } }
workload:
  - { target: gw-a, event: register, subscribers: { from: 0, count: 30 }, pattern: { kind: all-at-once } }
  - { target: gw-b, event: register, subscribers: { from: 30, count: 30 }, pattern: { kind: all-at-once } }
  - { target: gw-a, event: deregister, subscribers: { from: 0, count: 40 }, pattern: { kind: all-at-once, at: 1s } }
observe: { watch: { first: 60 } }
`;
  const r = await runYaml(yaml);
  assert.equal(r.summary.procedures['msgin5g-registration'].completed, 60);
  assert.equal(r.summary.links['gw-a→server'].msgs, 2);
  assert.equal(r.summary.links['gw-b→server'].msgs, 1);
  // gw-a is told to de-register 40 UEs but serves only 30: the other 10 are not its own.
  assert.equal(r.summary.nodes['gw-a'].signals['trigger.foreign-ue'], 10);
  assert.equal(r.summary.procedures['msgin5g-deregistration'].completed, 30);
  assert.equal(r.summary.nodes.server.signals['ue.deleted'], 30);
  const ua = r.trace.filter((t) => t.kind === 'bulk-registration').map((t) => /User-Agent: (.*)\r\n/.exec(t.wire)![1]).sort();
  assert.deepEqual(ua, ['RegLab-Message-Gateway/gw-a (MSGin5G-2)', 'RegLab-Message-Gateway/gw-b (MSGin5G-4)']);
  assert.equal(r.summary.rules.failed, 0);
});

test('413 split respects minSize: halves too small for a bulk go individually, and rule 8.2.X/1 still passes', async () => {
  const r = await runYaml(
    scenarioYaml({
      population: 12,
      server: 'maxBulkSize: 5',
      msgin5g: 'bulking: { maxSize: 12, minSize: 4, window: 10ms }',
      workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }',
      watch: 12,
    }),
  );
  assert.equal(r.summary.procedures[REGP].completed, 12);
  // 12 → 413 → 6 + 6 → 413 each → 3+3+3+3, each below minSize 4: twelve individual requests.
  assert.equal(kinds(r, 'server')['registration'].msgs, 12);
  for (const e of r.entries) if (e.msg instanceof RegistrationRequest) assert.equal(e.msg.why, 'split');
  assert.equal(r.rules.find((x) => x.id === '23.554:8.2.X/1')!.status, 'passed');
});
