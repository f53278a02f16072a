import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REATTACH_POLICIES } from '../../sim/policies/msc-reattach.ts';
import { BIND_AFTER_MS, HOP, HOP_MSC, deregisters, proc, registers, runIcs, sig, sigSeconds } from '../ims/ffs-harness.ts';
import { compareFfs } from './compare-harness.ts';

// Issue 13 item 11: an attach 20 ms after a detach, while the deregistration is under way, was
// dropped (`register.already`) and the subscriber stayed unreachable for the rest of the run. Now
// the MSC's reattach policy decides, and subscriber.unreachable measures what each choice costs.

const UNREACHABLE = 'subscriber.unreachable';
/** Attach at 0 s, detach at 10 s, attach again `gapMs` later. */
const flap = (gapMs: number) => [
  '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
  '- { target: msc, event: detach, pattern: { kind: all-at-once, at: 10s } }',
  `- { target: msc, event: attach, pattern: { kind: all-at-once, at: ${10_000 + gapMs}ms } }`,
];
/** From sending a deregistration REGISTER to the S-CSCF removing the binding: to the I-CSCF, UAR/UAA, forwarded. */
const UNBIND_AFTER_MS = HOP_MSC + 3 * HOP;
/** … and to its 200 OK at the MSC: SAR/SAA, back through the I-CSCF. */
const DEREG_RTT_MS = UNBIND_AFTER_MS + 2 * HOP + HOP + HOP_MSC;

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

test('pure decisions: cancel calls off what is not sent yet, supersede registers at once, drop and queue whatever the phase', () => {
  for (const phase of ['pending', 'releasing', 'deregistering', 'retry-wait'] as const) {
    assert.equal(REATTACH_POLICIES.drop(phase), 'drop');
    assert.equal(REATTACH_POLICIES.queue(phase), 'queue');
  }
  assert.equal(REATTACH_POLICIES.cancel('releasing'), 'resume');
  assert.equal(REATTACH_POLICIES.cancel('pending'), 'resume');
  assert.equal(REATTACH_POLICIES.cancel('deregistering'), 'queue', 'a REGISTER cannot be called back (RFC 3261 §9.1)');
  assert.equal(REATTACH_POLICIES.cancel('retry-wait'), 'register-now');
  assert.equal(REATTACH_POLICIES.supersede('deregistering'), 'register-now');
  assert.equal(REATTACH_POLICIES.supersede('pending'), 'resume');
});

test('attach 20 ms after a detach (the REGISTER with expiry 0 in flight): unreachable time per policy, computed from the link delays', async () => {
  const unreachable: Record<string, number> = {};
  for (const policy of ['drop', 'queue', 'cancel', 'supersede'] as const) {
    const r = await runIcs({ msc: `policies: { reattach: ${policy} }`, workload: flap(20) });
    assert.equal(sig(r, 'msc', 'reattach.during-dereg'), 1, policy);
    assert.equal(deregisters(r, 0).length, 1, `${policy}: the deregistration was sent before the attach`);
    unreachable[policy] = sigSeconds(r, 'msc', UNREACHABLE) - BIND_AFTER_MS / 1e3; // minus the first registration's wait
    const regs = registers(r, 0).length;
    if (policy === 'drop') {
      assert.equal(sig(r, 'msc', 'register.already'), 1);
      assert.equal(regs, 2, 'registration, deregistration: nothing after');
      assert.equal(r.summary.probes['ics.unreachable'].last, 1, 'still unreachable at the end of the run');
    } else {
      assert.equal(sig(r, 'msc', 'register.already'), 0);
      assert.equal(regs, 3, `${policy}: registration, deregistration, registration`);
      assert.equal(r.summary.probes['ics.unreachable'].last, 0, `${policy}: reachable at the end`);
      assert.equal(proc(r, 'ics-registration').completed, 2);
    }
    assert.equal(r.summary.rules.failed, 0, `${policy}: every rule holds`);
  }
  // drop: from the attach to the end of the run (200 s).
  close(unreachable.drop, 200 - 10.02, 'drop');
  // queue (and cancel, for which a REGISTER in flight cannot be called back): from the attach until
  // the deregistration's 200 OK, then a whole registration.
  close(unreachable.queue, (DEREG_RTT_MS - 20 + BIND_AFTER_MS) / 1e3, 'queue');
  close(unreachable.cancel, unreachable.queue, 'cancel');
  // supersede: the new REGISTER leaves with the attach.
  close(unreachable.supersede, BIND_AFTER_MS / 1e3, 'supersede');
  assert.ok(unreachable.supersede < unreachable.queue);
});

test('attach 5 ms after a detach of a subscriber with a call (BYE out, no REGISTER yet): cancel keeps the registration untouched', async () => {
  const base = { ims: 'sessions: { share: 1, perSubscriber: 1 }', workload: flap(5) };
  const c = await runIcs({ ...base, msc: 'sessionSetupAfter: 1s, policies: { reattach: cancel }' });
  assert.equal(sig(c, 'msc', 'reattach.resumed'), 1);
  assert.equal(deregisters(c, 0).length, 0, 'no REGISTER with expiry 0 ever leaves');
  assert.equal(proc(c, 'ics-deregistration').abandoned, 1);
  close(sigSeconds(c, 'msc', UNREACHABLE), BIND_AFTER_MS / 1e3, 'cancel: unreachable only while first registering');
  assert.equal(sig(c, 'scscf', 'binding.removed'), 0);
  const q = await runIcs({ ...base, msc: 'sessionSetupAfter: 1s, policies: { reattach: queue }' });
  assert.equal(deregisters(q, 0).length, 1);
  assert.equal(sig(q, 'msc', 'reattach.registered-after-dereg'), 1);
  // queue: unreachable from the binding's removal (the BYE's round trip, then the REGISTER to the
  // S-CSCF) until the registration that follows the deregistration's 200 OK is bound.
  const byeRtt = 2 * (HOP_MSC + HOP);
  close(sigSeconds(q, 'msc', UNREACHABLE) - BIND_AFTER_MS / 1e3, (byeRtt + DEREG_RTT_MS + BIND_AFTER_MS - (byeRtt + UNBIND_AFTER_MS)) / 1e3, 'queue');
  assert.equal(q.summary.rules.failed, 0);
  assert.equal(c.summary.rules.failed, 0);
});

test('reglab compare ffs/ics-reattach-during-dereg: unreachable drop ≫ queue > cancel > supersede; messages drop < cancel < supersede < queue; same numbers twice', () => {
  const PATH = 'nodes.msc.params.policies.reattach';
  const U = `node.msc.signal.${UNREACHABLE}.seconds`;
  const a = compareFfs('ics-reattach-during-dereg.yaml', PATH, ['drop', 'queue', 'cancel', 'supersede'], 1);
  assert.match(a.stdout, /^compare nodes\.msc\.params\.policies\.reattach: 4 policies × 1 seeds \(mean ± sd\)$/m);
  const v = a.v;
  for (const p of ['drop', 'queue', 'cancel', 'supersede']) assert.equal(v(p, 'node.msc.signal.reattach.during-dereg'), 100, `${p}: every re-attach met a deregistration`);
  assert.ok(v('drop', U) > 100 * v('queue', U), 'drop: unreachable to the end of the run');
  assert.equal(v('drop', 'metric.ics.unreachable.last'), 100);
  assert.ok(v('queue', U) > v('cancel', U));
  assert.ok(v('cancel', U) > v('supersede', U));
  for (const p of ['queue', 'cancel', 'supersede']) assert.equal(v(p, 'metric.ics.unreachable.last'), 0, p);
  assert.ok(v('drop', 'messages') < v('cancel', 'messages'));
  assert.ok(v('cancel', 'messages') < v('supersede', 'messages'));
  assert.ok(v('supersede', 'messages') < v('queue', 'messages'));
  for (const p of ['drop', 'queue', 'cancel', 'supersede']) assert.equal(v(p, 'rules_failed'), 0, p);
  const b = compareFfs('ics-reattach-during-dereg.yaml', PATH, ['supersede', 'cancel'], 1);
  for (const p of ['cancel', 'supersede']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
