import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmulateEvent, TraceRecord } from '../../../sim/server/emulate-types.ts';
import { emulatedFraction, emulationReducer, endpointRows, INITIAL_EMULATION, laneNodes, type EmulationAction, type EmulationState } from './emulation-state.ts';

const rec = (seq: number, kind = 'REGISTER', from = 'msc', to = 'icscf'): TraceRecord => ({ seq, t: seq * 1e6, from, to, proto: 'sip', kind, subscribers: [0], bytes: 10, wire: kind, rules: [], event: 'delivered' });
const ev = (event: EmulateEvent, nowMs = 1000): EmulationAction => ({ type: 'event', event, nowMs });
const run = (...actions: EmulationAction[]) => actions.reduce<EmulationState>(emulationReducer, INITIAL_EMULATION);

const hello = ev({ type: 'hello', hosts: ['127.0.0.1'], running: false });
const request: EmulationAction = { type: 'request', request: { scenario: 'emulate/x.yaml', host: '127.0.0.1', timeScale: 2 } };
const started = ev({
  type: 'started',
  scenario: 'emulate/x.yaml',
  description: '',
  host: '127.0.0.1',
  timeScale: 2,
  durationNs: 10e9,
  nodes: [{ id: 'msc', type: 'msc-ics' }, { id: 'scscf', type: 'scscf', external: '127.0.0.1:5090' }],
  endpoints: [{ node: 'msc', proto: 'sip', url: 'sip:127.0.0.1:1;transport=udp' }],
  subscribers: [{ subscriber: 0, imsi: '234150999999999', impus: ['sip:a@x', 'tel:+1'] }],
});
const summary = { procedures: {} } as unknown as Extract<EmulateEvent, { type: 'done' }>['summary'];
const lateness = { events: 10, p50Ms: 0.02, p99Ms: 0.5, maxMs: 3, mode: 'best-effort', timeScale: 2 };
const wire = { sent: 1, received: 1, rejected: 0, discarded: 0, udpToTcp: 0, decodeMismatch: 0, byReason: {} };

test('emulation state: hello → ready; request → starting; started → running with nodes, endpoints and time 0', () => {
  const s0 = run(hello);
  assert.equal(s0.phase, 'ready');
  assert.deepEqual(s0.hosts, ['127.0.0.1']);
  const s = run(hello, request, started);
  assert.equal(s.phase, 'running');
  assert.equal(s.timeScale, 2);
  assert.equal(s.startedAtMs, 1000);
  assert.equal(s.nodes[1]!.external, '127.0.0.1:5090');
  assert.deepEqual(s.subscribers[0]!.impus, ['sip:a@x', 'tel:+1']);
  assert.deepEqual(s.hosts, ['127.0.0.1'], 'a request keeps the hosts the server offered');
});

test('emulation state: trace batches append; the page UA records take the next numbers; rules evidence follows the server records to their rows', () => {
  const s = run(hello, request, started, ev({ type: 'trace', records: [rec(0), rec(1)] }), { type: 'local', records: [{ ...rec(0, 'SUBSCRIBE', 'you', 'scscf') }].map(({ seq: _, ...r }) => r) }, ev({ type: 'trace', records: [rec(2, '200 REGISTER', 'icscf', 'msc')], skipped: 3 }));
  assert.deepEqual(s.trace.map((r) => `${r.seq}:${r.kind}`), ['0:REGISTER', '1:REGISTER', '2:SUBSCRIBE', '3:200 REGISTER']);
  assert.equal(s.skipped, 3);
  assert.deepEqual(s.serverPos, [0, 1, 3]);
  const done = emulationReducer(s, ev({ type: 'done', ended: 'stopped', dir: '/tmp/x/run', files: '/api/emulations/t/', outputs: [{ name: 'summary.json', bytes: 5 }], summary, rules: [{ id: 'r', title: '', status: 'passed', detail: '', evidence: [2, 0] }], lateness, wire }));
  assert.equal(done.phase, 'done');
  assert.deepEqual(done.done!.rules[0]!.evidence, [3, 0], 'server record #2 is row 3 on the page');
  assert.equal(done.lateness, lateness);
  // Nothing more lands on a finished emulation's ladder.
  assert.equal(emulationReducer(done, ev({ type: 'trace', records: [rec(9)] })).trace.length, 4);
  assert.equal(emulationReducer(done, { type: 'local', records: [rec(9)] }).trace.length, 4);
});

test('emulation state: a refused start fails with the message; a stray error keeps the results; a lost connection needs a reconnect, whose hello makes it ready again', () => {
  const refused = run(hello, request, ev({ type: 'error', code: 'E_API', message: 'host: "0.0.0.0" is not allowed' }));
  assert.equal(refused.phase, 'failed');
  assert.match(refused.error!.message, /not allowed/);
  const afterDone = run(hello, request, started, ev({ type: 'trace', records: [rec(0)] }), ev({ type: 'done', ended: 'duration', dir: 'd', files: '/api/emulations/t/', outputs: [], summary, rules: [], lateness, wire }), ev({ type: 'error', code: 'E_API', message: 'stop: no emulation' }));
  assert.equal(afterDone.phase, 'done');
  assert.equal(afterDone.trace.length, 1);
  const lost = emulationReducer(afterDone, ev({ type: 'error', code: 'E_CONNECTION', message: 'lost' }));
  assert.equal(lost.phase, 'failed');
  const back = emulationReducer(lost, hello);
  assert.equal(back.phase, 'ready');
  assert.equal(back.error, undefined);
  assert.equal(back.trace.length, 1, 'results stay on screen');
});

test('emulation state: stop → stopping (only while live); lateness only while live', () => {
  assert.equal(run(hello, { type: 'stop' }).phase, 'ready');
  const s = run(hello, request, started, { type: 'stop' });
  assert.equal(s.phase, 'stopping');
  assert.equal(emulationReducer(s, ev({ type: 'lateness', lateness })).lateness, lateness);
  assert.equal(emulationReducer(run(hello), ev({ type: 'lateness', lateness })).lateness, undefined);
});

test('lanes and endpoint rows: an external peer is its own lane named with its address; nodes without listeners but external still listed', () => {
  const nodes = [{ id: 'msc', type: 'msc-ics' }, { id: 'scscf', type: 'scscf', external: '127.0.0.1:5090' }, { id: 'hss', type: 'hss' }];
  assert.deepEqual(laneNodes(nodes), [{ id: 'msc', type: 'msc-ics' }, { id: 'scscf', type: 'external 127.0.0.1:5090' }, { id: 'hss', type: 'hss' }]);
  const rows = endpointRows(nodes, [
    { node: 'hss', proto: 'diameter', url: 'aaa://127.0.0.1:3868;transport=tcp' },
    { node: 'msc', proto: 'sip', url: 'sip:127.0.0.1:1;transport=udp' },
    { node: 'msc', proto: 'sip', url: 'sip:127.0.0.1:1;transport=tcp' },
    { node: 'scscf', proto: 'external', url: '127.0.0.1:5090 (real peer)' },
  ]);
  assert.deepEqual(rows.map((r) => [r.node, r.urls.length, r.external ?? '']), [['msc', 2, ''], ['scscf', 0, '127.0.0.1:5090'], ['hss', 1, '']]);
});

test('emulatedFraction: page time since started over the duration, slowed by the time scale, clamped', () => {
  const s = { startedAtMs: 1000, timeScale: 2, durationNs: 10e9 };
  assert.equal(emulatedFraction(s, 1000), 0);
  assert.equal(emulatedFraction(s, 11_000), 0.5, '10 s of page time is 5 s emulated at 2× slower');
  assert.equal(emulatedFraction(s, 100_000), 1);
  assert.equal(emulatedFraction({ ...s, startedAtMs: undefined }, 5000), 0);
});
