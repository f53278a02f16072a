import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobOutput, SampleRow } from '../../../sim/server/campaign-types.ts';
import { axisValue, bucket, completion, latencyCdf, meanSignal, nodeLoad, policySpread, spansDecades, sweepChart, totals, type Run } from './campaign-series.ts';

const S = 1e9;
function row(t: number, node: string, extra: Partial<SampleRow> = {}): SampleRow {
  return { t: t * S, node, msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0, busy: 0, queue: 0, dropped: 0, ...extra };
}
function output(samples: SampleRow[], headline: Record<string, number | string>, extra: Partial<JobOutput> = {}): JobOutput {
  return {
    summary: { simulatedNs: 3 * S, procedures: { reg: { started: 4, completed: 4, failed: 0, abandoned: 0, latencyMs: { count: 4, mean: 1, p50: 1, p90: 1, p99: 1, max: 1 }, lastCompletedMs: 2500 } } } as unknown as JobOutput['summary'],
    headline,
    nodes: ['gw', 'server'],
    samples,
    ...extra,
  };
}

test('nodeLoad: rates per second over each interval, busy in %, one series per run', () => {
  const a: Run = { label: 'bulk', output: output([row(1, 'server', { msgsIn: 10, busy: 0.5 }), row(2, 'server', { msgsIn: 30, busy: 1 }), row(2, 'gw', { msgsIn: 99 })], {}) };
  const b: Run = { label: 'individual', output: output([row(0.5, 'server', { msgsIn: 5 })], {}) };
  const msgs = nodeLoad([a, b], 'server', 'msgs');
  assert.deepEqual(msgs.series, ['bulk', 'individual']);
  assert.deepEqual(msgs.points, [
    { t: 0.5, individual: 10 },
    { t: 1, bulk: 10 },
    { t: 2, bulk: 30 },
  ]);
  assert.equal(msgs.endS, 3);
  assert.deepEqual(nodeLoad([a], 'server', 'busy').points.map((p) => p.bulk), [50, 100]);
  assert.deepEqual(nodeLoad([a], 'nowhere', 'msgs').series, []);
});

test('bucket: means, maxima or last values over whole groups, ending at each group’s last t', () => {
  const pts = [1, 2, 3, 4, 5].map((t) => ({ t, a: t * 10 }));
  assert.deepEqual(bucket(pts, ['a'], 2, 'mean'), [
    { t: 3, a: 20 },
    { t: 5, a: 45 },
  ]);
  assert.deepEqual(bucket(pts, ['a'], 2, 'max').map((p) => p.a), [30, 50]);
  assert.deepEqual(bucket(pts, ['a'], 2, 'last').map((p) => p.a), [30, 50]);
  assert.equal(bucket(pts, ['a'], 10, 'mean').length, 5);
});

test('completion: cumulative curve from 0, with the time all were done', () => {
  const curves = { t: [1 * S, 2 * S, 3 * S], procedures: { reg: { completed: [1, 3, 4], cdfMs: [[0.5, 0.25], [1, 1]] as [number, number][] } } };
  const r: Run = { label: 'bulk', output: output([], {}, { curves }) };
  const c = completion([r], 'reg');
  assert.deepEqual(c.points.map((p) => [p.t, p.bulk]), [
    [0, 0],
    [1, 1],
    [2, 3],
    [3, 4],
  ]);
  assert.deepEqual(c.allDoneS, { bulk: 2.5 });
  assert.deepEqual(latencyCdf([r], 'reg'), [{ label: 'bulk', points: [{ ms: 0.5, fraction: 0.25 }, { ms: 1, fraction: 1 }] }]);
});

test('totals: headline values per run and ratios to the first run', () => {
  const a: Run = { label: 'bulk', output: output([], { messages: 200, 'node.server.cpu_s': 1, 'proc.reg.completed': 4 }) };
  const b: Run = { label: 'individual', output: output([], { messages: 20000, 'node.server.cpu_s': 3.4, 'proc.reg.completed': 4 }) };
  const t = totals([a, b]);
  const cpu = t.find((r) => r.column === 'node.server.cpu_s')!;
  assert.deepEqual(cpu.values, [1, 3.4]);
  assert.deepEqual(cpu.ratios, [1, 3.4]);
  assert.deepEqual(t.find((r) => r.column === 'messages')!.ratios, [1, 100]);
  // Columns no run reports are left out rather than shown empty.
  assert.equal(t.some((r) => r.column === 'bytes'), false);
});

test('sweep values on an axis: numbers, durations in s, percentages; log scale across decades', () => {
  assert.deepEqual(['10', '50ms', '1s', '5%', 'fast'].map(axisValue), [10, 0.05, 1, 0.05, undefined]);
  assert.equal(spansDecades([1, 10, 100, 1000]), true);
  assert.equal(spansDecades([10, 20, 50]), false);
  assert.equal(spansDecades([0, 10, 1000]), false);
  const rows = [1, 10, 100, 1000].map((x, i) => ({ run: i + 1, 'msgin5g.bulking.maxSize': String(x), status: 'ok', 'node.server.cpu_s': 10 / x + 1 }));
  const c = sweepChart(rows, 'msgin5g.bulking.maxSize', 'node.server.cpu_s');
  assert.equal(c.numericX, true);
  assert.equal(c.logX, true);
  assert.deepEqual(c.points.map((p) => [p.t, p['node.server.cpu_s']]), [
    [1, 11],
    [10, 2],
    [100, 1.1],
    [1000, 1.01],
  ]);
  // A failed run leaves a gap, not a zero.
  const withFail = [...rows.slice(0, 3), { run: 4, 'msgin5g.bulking.maxSize': '1000', status: 'failed: E_RUN' }];
  assert.equal(sweepChart(withFail, 'msgin5g.bulking.maxSize', 'node.server.cpu_s').points[3]!['node.server.cpu_s'], undefined);
});

test('sweepChart: one line per value of the second parameter', () => {
  const rows = [
    { a: '1', b: 'x', status: 'ok', m: 1 },
    { a: '2', b: 'x', status: 'ok', m: 2 },
    { a: '1', b: 'y', status: 'ok', m: 3 },
    { a: '2', b: 'y', status: 'ok', m: 4 },
  ];
  const c = sweepChart(rows, 'a', 'm', 'b');
  assert.deepEqual(c.series, ['b=x', 'b=y']);
  assert.deepEqual(c.points.map((p) => [p['b=x'], p['b=y']]), [
    [1, 3],
    [2, 4],
  ]);
});

test('policySpread: mean, sd and the min–max range per policy from compare.csv rows', () => {
  const rows = [
    { policy: 'a', 'm.mean': 2, 'm.sd': 1, 'm.min': 1, 'm.max': 3 },
    { policy: 'b', 'm.mean': NaN, 'm.sd': NaN, 'm.min': NaN, 'm.max': NaN },
  ];
  assert.deepEqual(policySpread(rows, 'm'), [{ policy: 'a', mean: 2, sd: 1, min: 1, max: 3, range: [1, 1] }]);
});

test('meanSignal: a node signal or a probe, averaged over a policy’s seeds at each sample', () => {
  const mk = (v1: number, v2: number, probe: number) =>
    output([row(1, 'scscf', { signals: { 'binding.stale': v1 } }), row(2, 'scscf', { signals: { 'binding.stale': v2 } })], {}, { probes: [{ t: 1 * S, values: { 'ics.orphaned': probe } }] });
  const g = [{ label: 'keep', runs: [mk(0, 2, 4), mk(2, 4, 6)] }];
  assert.deepEqual(meanSignal(g, 'node.scscf.signal.binding.stale').points, [
    { t: 1, keep: 1 },
    { t: 2, keep: 3 },
  ]);
  assert.deepEqual(meanSignal(g, 'metric.ics.orphaned').points, [{ t: 1, keep: 5 }]);
});
