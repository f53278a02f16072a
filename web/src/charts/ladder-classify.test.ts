import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { diameterResult, failureClass, LadderIndex, statusOf } from './ladder-classify.ts';

function rec(seq: number, proto: string, kind: string, wire = '', extra: Partial<TraceRecord> = {}): TraceRecord {
  return { seq, t: seq * 1000, from: 'a', to: 'b', proto, kind, subscribers: [0], bytes: 1, wire, rules: [], event: 'delivered', ...extra };
}

test('failureClass: SIP 4xx/5xx/6xx, Diameter result ≠ 2001, MSGin5G FAILURE entries and HTTP errors, drops; successes are none', () => {
  assert.equal(failureClass(rec(0, 'sip', '403 REGISTER')), '4xx');
  assert.equal(failureClass(rec(0, 'sip', '503 REGISTER')), '5xx');
  assert.equal(failureClass(rec(0, 'sip', '603 INVITE')), '6xx');
  assert.equal(failureClass(rec(0, 'sip', '200 REGISTER')), undefined);
  assert.equal(failureClass(rec(0, 'sip', 'REGISTER')), undefined);
  assert.equal(failureClass(rec(0, 'cx', 'UAA', '  Experimental-Result-Code (298, M): 5003 DIAMETER_ERROR_IDENTITY_NOT_REGISTERED')), 'diameter-error');
  assert.equal(failureClass(rec(0, 'cx', 'SAA', '  Result-Code (268, M): 2001 DIAMETER_SUCCESS')), undefined);
  assert.equal(failureClass(rec(0, 'msgin5g', '200 bulk-registration', '{"responses":[{"registrationResult":"FAILURE"}]}')), 'msgin5g-failure');
  assert.equal(failureClass(rec(0, 'msgin5g', '200 bulk-registration', '{"responses":[{"registrationResult":"SUCCESS"}]}')), undefined);
  assert.equal(failureClass(rec(0, 'msgin5g', '429 bulk-registration')), '4xx');
  assert.equal(failureClass(rec(0, 'sip', 'REGISTER', '', { event: 'dropped', reason: 'loss' })), 'dropped');
  assert.equal(statusOf('180 INVITE'), 180);
  assert.equal(diameterResult('no result here'), undefined);
});

test('LadderIndex: a byte-identical message on the same hop is a retransmission of the first; the index grows with the trace and resets for a new one', () => {
  const t = [rec(0, 'sip', 'REGISTER', 'R1'), rec(1, 'sip', 'REGISTER', 'R1'), rec(2, 'sip', 'REGISTER', 'R2'), rec(3, 'sip', 'REGISTER', 'R1', { from: 'b', to: 'a' })];
  const ix = new LadderIndex();
  ix.update(t.slice(0, 2));
  assert.equal(ix.info[1]!.retransmitOf, 0);
  ix.update(t);
  assert.equal(ix.length, 4);
  assert.equal(ix.info[2]!.retransmitOf, undefined);
  assert.equal(ix.info[3]!.retransmitOf, undefined, 'another hop is another message');
  assert.deepEqual([...ix.nodes], ['a', 'b']);
  assert.equal(ix.indexAtTime(1500), 2);
  assert.equal(ix.indexAtTime(0), 0);
  assert.equal(ix.indexAtTime(1e9), 4);
  ix.update([rec(0, 'cx', 'UAR', 'X')]);
  assert.equal(ix.length, 1);
  assert.deepEqual([...ix.protos], ['cx']);
});
