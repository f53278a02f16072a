import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTORATION_POLICIES } from '../../sim/policies/scscf-restoration.ts';
import { CxCommand, CxMessage, ServerAssignmentType } from '../../sim/ims/cx.ts';
import type { RunResult } from '../../sim/scenario/run.ts';
import { runIcs, sig, sigSeconds } from '../ims/ffs-harness.ts';
import { compareFfs } from './compare-harness.ts';

// Issue 13 item 9: an S-CSCF restart that loses its bindings (volatile store) while the HSS still
// names it, and what it does with a REGISTER of a registration it no longer holds.

test('pure decisions: register-anew serves everything; reject-unknown refuses only a continuing refresh; hss-restoration restores', () => {
  const anew = RESTORATION_POLICIES['register-anew'];
  const reject = RESTORATION_POLICIES['reject-unknown'];
  const restore = RESTORATION_POLICIES['hss-restoration'];
  assert.equal(anew({ deregistration: false, continues: true }), 'serve');
  assert.equal(reject({ deregistration: false, continues: true }), 'reject');
  assert.equal(reject({ deregistration: false, continues: false }), 'serve', 'an initial registration (CSeq 1) is served');
  assert.equal(reject({ deregistration: true, continues: true }), 'serve');
  assert.equal(restore({ deregistration: true, continues: true }), 'restore');
});

/**
 * 20 subscribers attach at 0 s (expiry 60 s: refreshed at 30 s); the S-CSCF crashes at 10 s and
 * is back at 15 s; with `detachAt` they detach then (before their refresh).
 */
const restart = (scscf: string, detachAt?: string): Promise<RunResult> =>
  runIcs({
    population: 20,
    duration: '45s',
    msc: 'expires: 60',
    scscf,
    workload: [
      '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      ...(detachAt ? [`- { target: msc, event: detach, pattern: { kind: all-at-once, at: ${detachAt} } }`] : []),
    ],
    faults: ['- { kind: crash, node: scscf, at: 10s, restartAfter: 5s }'],
  });

/** Cx SARs the S-CSCF sent, by Server-Assignment-Type. */
function sars(r: RunResult, type: number): number {
  let n = 0;
  for (const e of r.entries) {
    const m = e.msg;
    if (m instanceof CxMessage && m.request && m.command === CxCommand.ServerAssignment && m.assignmentType === type && e.rec.from === 'scscf' && e.rec.event === 'delivered') n++;
  }
  return n;
}

test('a persistent store keeps the bindings across the crash; a volatile one loses all 20, each unreachable until its refresh at 30 s re-creates it (SAR REGISTRATION)', async () => {
  const p = await restart('registrationStore: persistent');
  assert.equal(sig(p, 'scscf', 'registration.lost'), 0);
  assert.equal(p.summary.probes['ics.unreachable'].max, 0);

  const v = await restart('registrationStore: volatile');
  assert.equal(sig(v, 'scscf', 'registration.lost'), 20);
  assert.equal(v.summary.probes['ics.unreachable'].max, 20, 'the HSS names the S-CSCF, the MSC is registered, no binding anywhere');
  const u = sigSeconds(v, 'msc', 'subscriber.unreachable');
  assert.ok(u >= 20 * 19.9 && u <= 20 * 20.1, `from the crash (10 s) to the refresh (30 s): ${u}`);
  assert.equal(sig(v, 'scscf', 'binding.created'), 40, 'the attach, then the refresh served as a new registration');
  assert.equal(sars(v, ServerAssignmentType.Registration), 40);
  assert.equal(v.summary.probes['ics.inconsistent'].last, 0, 'consistent again after the refreshes');
  assert.equal(v.summary.rules.failed, 0);
});

test('deregistrations after the restart: register-anew answers 200 removing nothing and tells the HSS nothing; hss-restoration fetches the stored registration and removes it with SAR USER_DEREGISTRATION', async () => {
  const anew = await restart('registrationStore: volatile, restoration: register-anew', '20s');
  assert.equal(sig(anew, 'scscf', 'scscf.dereg-not-registered'), 20);
  assert.equal(sars(anew, ServerAssignmentType.UserDeregistration), 0, 'the HSS keeps all 20 registered at scscf');
  assert.equal(anew.summary.procedures['ics-deregistration'].completed, 20, 'the MSC sees a 200 OK either way');

  const hss = await restart('registrationStore: volatile, restoration: hss-restoration', '20s');
  assert.equal(sig(hss, 'scscf', 'restoration.fetch'), 20);
  assert.equal(sig(hss, 'scscf', 'binding.restored'), 20);
  assert.equal(sig(hss, 'scscf', 'binding.removed'), 20);
  assert.equal(sig(hss, 'scscf', 'scscf.dereg-not-registered'), 0);
  assert.equal(sars(hss, ServerAssignmentType.NoAssignment), 20, 'the fetch');
  assert.equal(sars(hss, ServerAssignmentType.UserDeregistration), 20, 'the HSS ends the registration');
  assert.equal(hss.summary.procedures['ics-deregistration'].completed, 20);
  assert.equal(hss.summary.rules.failed, 0);
});

test('reject-unknown: the refresh of a lost registration gets 403 and the MSC registers anew with a fresh Call-ID', async () => {
  const r = await restart('registrationStore: volatile, restoration: reject-unknown');
  assert.equal(sig(r, 'scscf', 'scscf.unknown-refresh-rejected'), 20);
  assert.equal(sig(r, 'msc', 'refresh.reregister'), 20, 'refreshFailure retry-backoff: 403 → register anew at once');
  assert.equal(sig(r, 'scscf', 'binding.created'), 40);
  assert.equal(r.summary.probes['ics.inconsistent'].last, 0);
  assert.equal(r.summary.rules.failed, 0);
});

test('reglab compare ffs/ics-scscf-restart: the same unreachable time under every policy; reject-unknown costs a REGISTER round trip per subscriber; only hss-restoration leaves no detached subscriber registered in the HSS; same rows and trace hashes twice', () => {
  const PATH = 'nodes.scscf.params.restoration';
  const ALL = ['register-anew', 'reject-unknown', 'hss-restoration'];
  const small = ['--set', 'population.size=200', '--set', 'workload[0].pattern.count=40'];
  const a = compareFfs('ics-scscf-restart.yaml', PATH, ALL, 1, small);
  const v = a.v;
  const U = 'node.msc.signal.subscriber.unreachable.seconds';
  const LEFT = 'node.scscf.signal.scscf.dereg-not-registered';
  for (const p of ALL) {
    assert.equal(v(p, 'node.scscf.signal.registration.lost'), 200, p);
    assert.equal(v(p, 'rules_failed'), 0, p);
    assert.ok(v(p, U) > 160 * 100, `${p}: minutes each, until the refresh`);
  }
  assert.ok(Math.abs(v('hss-restoration', U) - v('register-anew', U)) < 1, 'restoring from the HSS does not bring a binding back sooner: the refresh does');
  assert.ok(v('reject-unknown', U) > v('register-anew', U), 'the 403 round trip comes on top');
  assert.ok(v('reject-unknown', U) - v('register-anew', U) < 160 * 0.1, 'by milliseconds per subscriber');
  assert.equal(v('register-anew', LEFT), 40, 'every detach met the empty S-CSCF');
  assert.equal(v('reject-unknown', LEFT), 40);
  assert.equal(v('hss-restoration', LEFT), 0);
  assert.equal(v('hss-restoration', 'node.scscf.signal.binding.removed'), 40);
  assert.equal(v('reject-unknown', 'node.scscf.signal.scscf.unknown-refresh-rejected'), 160);
  const m = (p: string) => v(p, 'messages');
  assert.equal(m('reject-unknown') - m('register-anew'), 160 * 6, 'REGISTER, UAR, UAA, REGISTER, 403, 403 per refresh');
  assert.equal(m('hss-restoration') - m('register-anew'), 40 * 4, 'SAR/SAA to fetch, SAR/SAA to deregister per detach');
  const b = compareFfs('ics-scscf-restart.yaml', PATH, ['hss-restoration', 'reject-unknown', 'register-anew'], 1, small);
  for (const p of ALL) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
