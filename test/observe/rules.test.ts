import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perMessageRule, evaluateRules, type Rule } from '../../sim/observe/rules.ts';
import type { TraceEntry, ObservedMessage } from '../../sim/observe/recorder.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';

interface Msg extends ObservedMessage {
  expires?: number;
}

function entry(seq: number, kind: string, from: string, to: string, msg: Partial<Msg> = {}, event: TraceRecord['event'] = 'delivered'): TraceEntry {
  const m: Msg = { proto: 'sip', kind, bytes: 100, sub: 0, ...msg };
  return {
    rec: { seq, t: seq * 1000, from, to, proto: m.proto, kind, subscribers: [0], bytes: m.bytes, wire: '', rules: [], event },
    msg: m,
  };
}

/** "A de-REGISTER carries Expires: 0" over a small trace. */
const EXPIRES_ZERO = perMessageRule({
  id: 'test:expires-0',
  title: 'A de-registration has Expires 0',
  applies: (e) => e.rec.kind === 'REGISTER' && e.rec.event === 'delivered' && (e.msg as Msg).expires !== undefined,
  violation: (e) => ((e.msg as Msg).expires === 0 ? undefined : `Expires is ${(e.msg as Msg).expires}`),
});

test('passed: cites the first five messages checked and says how many', () => {
  const trace = Array.from({ length: 8 }, (_, i) => entry(i, 'REGISTER', 'msc', 'icscf', { expires: 0 }));
  trace.push(entry(8, '200 REGISTER', 'icscf', 'msc'));
  assert.deepEqual(EXPIRES_ZERO.check(trace), { status: 'passed', detail: '8 message(s) checked', evidence: [0, 1, 2, 3, 4] });
});

test('failed: cites every violation and describes the first, with kind and endpoints', () => {
  const trace = [
    entry(0, 'REGISTER', 'msc', 'icscf', { expires: 0 }),
    entry(1, 'REGISTER', 'msc', 'icscf', { expires: 600000 }),
    entry(2, '200 REGISTER', 'icscf', 'msc'),
    entry(3, 'REGISTER', 'icscf', 'scscf', { expires: 0 }),
    entry(4, 'REGISTER', 'icscf', 'scscf', { expires: 3600 }),
  ];
  assert.deepEqual(EXPIRES_ZERO.check(trace), {
    status: 'failed',
    detail: '2 of 4 violate it; first: record 1 (REGISTER msc→icscf): Expires is 600000',
    evidence: [1, 4],
  });
});

test('not applicable: nothing it concerns (a dropped message does not count), with the default or own reason', () => {
  const trace = [entry(0, '200 REGISTER', 'icscf', 'msc'), entry(1, 'REGISTER', 'msc', 'icscf', { expires: 5 }, 'dropped')];
  assert.deepEqual(EXPIRES_ZERO.check(trace), { status: 'not-applicable', detail: 'no message in the watched trace to which it applies', evidence: [] });
  assert.deepEqual(EXPIRES_ZERO.check([]).status, 'not-applicable');
  const own = perMessageRule({ id: 'x', title: 'x', applies: () => false, violation: () => undefined, notApplicable: 'the model does not implement re-registration' });
  assert.deepEqual(own.check(trace), { status: 'not-applicable', detail: 'the model does not implement re-registration', evidence: [] });
});

test('applies and violation see the whole trace (a rule may look back at the request)', () => {
  const answered = perMessageRule({
    id: 'test:answer',
    title: 'A 200 answers an earlier REGISTER',
    applies: (e) => e.rec.kind === '200 REGISTER',
    violation: (e, trace) => (trace.some((x) => x.rec.seq < e.rec.seq && x.rec.kind === 'REGISTER') ? undefined : 'no earlier REGISTER'),
  });
  assert.equal(answered.check([entry(0, 'REGISTER', 'a', 'b'), entry(1, '200 REGISTER', 'b', 'a')]).status, 'passed');
  const v = answered.check([entry(0, '200 REGISTER', 'b', 'a'), entry(1, 'REGISTER', 'a', 'b')]);
  assert.equal(v.status, 'failed');
  assert.deepEqual(v.evidence, [0]);
});

test('evaluateRules: results in rule order with id, title, status, detail, evidence', () => {
  const trace = [entry(0, 'REGISTER', 'msc', 'icscf', { expires: 0 })];
  const never: Rule = { id: 'b', title: 'never applies', check: () => ({ status: 'not-applicable', detail: 'n/a', evidence: [] }) };
  assert.deepEqual(evaluateRules([EXPIRES_ZERO, never], trace), [
    { id: 'test:expires-0', title: 'A de-registration has Expires 0', status: 'passed', detail: '1 message(s) checked', evidence: [0] },
    { id: 'b', title: 'never applies', status: 'not-applicable', detail: 'n/a', evidence: [] },
  ]);
});

test('evaluateRules: a checker that throws is a failed rule with the error, and the others still run', () => {
  const broken: Rule = {
    id: 'broken',
    title: 'a rule with a bug',
    check: () => {
      throw new TypeError("cannot read properties of undefined (reading 'expires')");
    },
  };
  const brokenPerMessage = perMessageRule({
    id: 'broken-2',
    title: 'violation throws',
    applies: () => true,
    violation: () => {
      throw new Error('boom');
    },
  });
  const trace = [entry(0, 'REGISTER', 'msc', 'icscf', { expires: 0 })];
  const out = evaluateRules([broken, EXPIRES_ZERO, brokenPerMessage], trace);
  assert.deepEqual(out.map((r) => [r.id, r.status]), [
    ['broken', 'failed'],
    ['test:expires-0', 'passed'],
    ['broken-2', 'failed'],
  ]);
  assert.equal(out[0].detail, "checker error: cannot read properties of undefined (reading 'expires')");
  assert.deepEqual(out[0].evidence, []);
  assert.equal(out[2].detail, 'checker error: boom');
});

test('evaluateRules: a rule listed twice (two node types sharing it) is evaluated once', () => {
  let calls = 0;
  const r: Rule = { id: 'dup', title: 't', check: () => (calls++, { status: 'passed', detail: 'ok', evidence: [] }) };
  const out = evaluateRules([r, r, { ...r, title: 'other title, same id' }], []);
  assert.equal(out.length, 1);
  assert.equal(out[0].title, 't');
  assert.equal(calls, 1);
});
