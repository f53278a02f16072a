import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headline, rowsToCsv } from '../../sim/observe/headline.ts';
import { formatComparison, formatSummary, table } from '../../sim/observe/summary-table.ts';
import type { NodeSummary, ProcedureSummary, RuleResult, Summary } from '../../sim/observe/records.ts';

function node(over: Partial<NodeSummary> = {}): NodeSummary {
  return {
    type: 'gen-server',
    msgsIn: 10,
    msgsOut: 10,
    bytesIn: 1000,
    bytesOut: 2000,
    busy: 0.5,
    busySeconds: 0.1234567891,
    peakQueue: 3,
    dropped: 1,
    kindsIn: {},
    kindsOut: {},
    signals: {},
    signalSeconds: {},
    signalMax: {},
    ...over,
  };
}

function proc(over: Partial<ProcedureSummary> = {}): ProcedureSummary {
  return {
    started: 10,
    completed: 9,
    failed: 1,
    abandoned: 0,
    latencyMs: { count: 9, mean: 12, p50: 11, p90: 20, p99: 25, max: 25 },
    lastCompletedMs: 900,
    ...over,
  };
}

function summary(over: Partial<Summary> = {}): Summary {
  return {
    scenario: 'learn/x',
    description: 'd',
    seed: 7,
    reglabVersion: '0.1.0',
    traceHash: '0123456789abcdef',
    events: 500,
    wallMs: 12,
    simulatedNs: 2_500_000_000,
    population: 10,
    watched: 2,
    messages: { sent: 21, delivered: 20, dropped: 1, inFlight: 0, triggersDropped: 0, bytes: 3000, byReason: { loss: 1 } },
    procedures: { 'request-response': proc() },
    nodes: { server: node({ signals: { 'response.unmatched': 2 } }) },
    faults: { 'lose-200': 3 },
    probes: {},
    links: { 'client→server': { msgs: 10, bytes: 1000 } },
    rules: { passed: 2, failed: 0, notApplicable: 1 },
    ...over,
  };
}

// ---- headline ---------------------------------------------------------------------------------

test('headline: the documented stable column names and values', () => {
  const row = headline(summary());
  assert.deepEqual(row, {
    trace_hash: '0123456789abcdef',
    events: 500,
    wall_ms: 12,
    simulated_s: 2.5,
    messages: 20,
    bytes: 3000,
    dropped: 1,
    rules_failed: 0,
    'proc.request-response.started': 10,
    'proc.request-response.completed': 9,
    'proc.request-response.failed': 1,
    'proc.request-response.abandoned': 0,
    'proc.request-response.p50_ms': 11,
    'proc.request-response.p90_ms': 20,
    'proc.request-response.p99_ms': 25,
    'proc.request-response.max_ms': 25,
    'proc.request-response.last_completed_ms': 900,
    'node.server.msgs_in': 10,
    'node.server.msgs_out': 10,
    'node.server.bytes_in': 1000,
    'node.server.bytes_out': 2000,
    'node.server.cpu_s': 0.123457,
    'node.server.busy': 0.5,
    'node.server.peak_queue': 3,
    'node.server.dropped': 1,
    'node.server.signal.response.unmatched': 2,
    'fault.lose-200': 3,
    'link.client→server.msgs': 10,
    'link.client→server.bytes': 1000,
  });
});

// ---- rowsToCsv --------------------------------------------------------------------------------

test('rowsToCsv: the union of columns in first-seen order; a missing value is an empty cell', () => {
  const csv = rowsToCsv([
    { run: 1, a: 'x', b: 2 },
    { run: 2, c: 3, a: 'y' },
    { run: 3 },
  ]);
  assert.equal(csv, 'run,a,b,c\n1,x,2,\n2,y,,3\n3,,,\n');
});

test('rowsToCsv: quotes cells with commas, quotes or newlines (RFC 4180), in headers too', () => {
  const csv = rowsToCsv([{ 'a,b': 'say "hi"', plain: 'multi\nline', n: 0 }]);
  assert.equal(csv, '"a,b",plain,n\n"say ""hi""","multi\nline",0\n');
});

test('rowsToCsv: numbers keep their full precision; no rows → an empty header line', () => {
  assert.equal(rowsToCsv([{ x: 0.1 + 0.2, y: 1e21, z: -0 }]), 'x,y,z\n0.30000000000000004,1e+21,0\n');
  assert.equal(rowsToCsv([]), '\n');
});

// ---- the printed tables -----------------------------------------------------------------------

test('formatSummary: procedures, nodes, rules with each failure, the trace hash and where it wrote', () => {
  const rules: RuleResult[] = [
    { id: 'gen:via', title: 't', status: 'passed', detail: 'ok', evidence: [0] },
    { id: 'gen:answer', title: 't', status: 'failed', detail: '1 of 3 violate it; first: record 4', evidence: [4] },
  ];
  const text = formatSummary(summary({ rules: { passed: 1, failed: 1, notApplicable: 0 } }), rules, 'out/run1');
  assert.match(text, /^learn\/x — seed 7, 10 subscribers \(2 watched\)$/m);
  assert.match(text, /^request-response\s+10\s+9\s+1\s+0\s+11\.000\s+20\.000\s+25\.000\s+25\.000$/m);
  assert.match(text, /^server\s+gen-server\s+10\s+10\s+1000\s+2000\s+50\.0%\s+3\s+1$/m);
  assert.match(text, /^rules: 1 passed, 1 failed, 0 not applicable$/m);
  assert.match(text, /^ {2}FAILED gen:answer: 1 of 3 violate it; first: record 4$/m);
  assert.doesNotMatch(text, /FAILED gen:via/);
  assert.match(text, /^traceHash 0123456789abcdef$/m);
  assert.match(text, /^wrote out\/run1\/$/m);
});

test('table: columns padded to the widest cell, a rule under the header', () => {
  assert.deepEqual(table(['name', 'n'], [['a', 1], ['bbb', 22]]), ['name   n', '────  ──', 'a      1', 'bbb   22']);
});

test('formatComparison: one column per variant, the ratio of two, rows that are zero everywhere left out', () => {
  const a = summary({ traceHash: 'aaaa' });
  const b = summary({ traceHash: 'bbbb', events: 1000 });
  const text = formatComparison([
    { label: 'one', summary: a, headline: { ...headline(a), rules_failed: 0 } },
    { label: 'two', summary: b, headline: headline(b) },
  ]);
  const lines = text.split('\n');
  assert.match(lines[0], /^learn\/x — 2 variants, seed 7$/);
  assert.match(text, /^metric\s+one\s+two\s+two\/one$/m);
  assert.match(text, /^events\s+500\s+1000\s+2\.000×$/m);
  assert.doesNotMatch(text, /^rules_failed/m, 'zero in every variant');
  assert.doesNotMatch(text, /^(trace_hash|wall_ms)/m, 'not a metric to compare');
  assert.match(text, /^one: traceHash aaaa, rules 2 passed \/ 0 failed/m);
  assert.match(text, /^two: traceHash bbbb/m);
});

test('formatComparison: a ratio over zero is a dash, and three variants have no ratio column', () => {
  const a = summary();
  const two = formatComparison([
    { label: 'a', summary: a, headline: { x: 0, y: 1 } },
    { label: 'b', summary: a, headline: { x: 5, y: 1 } },
  ]);
  assert.match(two, /^x\s+0\s+5\s+—$/m);
  const three = formatComparison(['a', 'b', 'c'].map((label) => ({ label, summary: a, headline: { x: 1 } })));
  assert.match(three, /^metric\s+a\s+b\s+c$/m);
  assert.doesNotMatch(three, /×/);
});
