import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BYE_RELEASE_POLICIES } from '../../sim/policies/msc-bye-release.ts';
import { BINDING_MATCH_POLICIES } from '../../sim/policies/scscf-binding-match.ts';
import { DEREG_MATCH_POLICIES } from '../../sim/policies/ics-dereg-match.ts';
import { REG_EVENT_DURING_DEREG_POLICIES } from '../../sim/policies/reg-event-during-dereg.ts';
import type { ImsSip } from '../../sim/ims/sip-message.ts';
import { HOP, HOP_MSC, MS, S, cancelLocationRace, deregisters, proc, registers, runIcs, sig, sigSeconds } from '../ims/ffs-harness.ts';

// Issue 5, ICS: the other points TS 24.292 / TS 24.229 leave open around a deregistration — an
// unanswered BYE, a NOTIFY or an HSS RTR during the transaction, the Cancel Location race — each
// representable with triggers and faults, each decided by a named policy.

const DEREG = 'ics-deregistration';
const TIMER_F = 32 * S;
const PRE = '24.292:6.3.6.2/pre';
// onStream: discard — the 200 OK vanishes above a TCP connection that stays up (so Timer F, not a
// reset, tells the MSC): what these tests of the no-200-OK policies need.
const LOST_200 = '- { name: lost-200, kind: drop, onStream: discard, match: { kind: "200 REGISTER", procedure: ics-deregistration, to: msc } }';
/** The far end never gets the BYE (so nobody answers it). */
const SILENT_FAR_END = '- { name: silent, kind: drop, onStream: discard, match: { kind: BYE, to: far } }';
const WITH_CALL = { ims: 'sessions: { share: 1, perSubscriber: 1 }', msc: 'sessionSetupAfter: 1s' };

test('pure decisions: byeRelease waits, regEventDuringDereg finishes or not, deregMatch removes or not', () => {
  assert.equal(BYE_RELEASE_POLICIES.wait({ capNs: 2 * S }), Infinity);
  assert.equal(BYE_RELEASE_POLICIES['wait-capped']({ capNs: 2 * S }), 2 * S);
  assert.equal(BYE_RELEASE_POLICIES.proceed({ capNs: 2 * S }), 0);
  assert.equal(REG_EVENT_DURING_DEREG_POLICIES.ignore({ event: 'rejected', phase: 'releasing' }), 'continue');
  assert.equal(REG_EVENT_DURING_DEREG_POLICIES['trust-notify']({ event: 'unregistered', phase: 'retry-wait' }), 'finish');
  const other = { sameContact: false, sameCallId: false, sameInstance: true, ownMatch: false };
  assert.equal(DEREG_MATCH_POLICIES.contact(other), false, "another MSC's deregistration leaves the binding alone");
  assert.equal(DEREG_MATCH_POLICIES.instance(other), true, 'the same device: removed');
  const ownStale = { sameContact: true, sameCallId: false, sameInstance: true };
  assert.equal(BINDING_MATCH_POLICIES.contact(ownStale), true, 'matching_mode 0: the Contact alone');
  assert.equal(BINDING_MATCH_POLICIES['contact-call-id'](ownStale), false, 'matching_mode 1: the Call-ID too');
  assert.equal(BINDING_MATCH_POLICIES['contact-call-id']({ ...ownStale, sameCallId: true }), true);
  assert.equal(BINDING_MATCH_POLICIES.instance({ ...ownStale, sameContact: false }), true, 'RFC 5626: the instance');
  assert.equal(DEREG_MATCH_POLICIES.contact({ ...ownStale, ownMatch: false }), false);
  assert.equal(DEREG_MATCH_POLICIES.contact({ ...ownStale, ownMatch: true }), true);
});

test('unanswered BYE before the deregistration: wait (until its Timer F), wait-capped (2 s), proceed (at once) — delay, stale binding-seconds and the /pre rule', async () => {
  const sent: Record<string, number> = {};
  const stale: Record<string, number> = {};
  for (const policy of ['wait', 'wait-capped', 'proceed'] as const) {
    const r = await runIcs({ ims: WITH_CALL.ims, msc: `${WITH_CALL.msc}, byeWaitCap: 2s, policies: { byeRelease: ${policy} }`, faults: [SILENT_FAR_END] });
    const byes = r.entries.filter((e) => e.rec.kind === 'BYE' && e.rec.from === 'msc').map((e) => (e.msg as ImsSip).sentAt);
    assert.deepEqual(byes, [10 * S], `${policy}: one BYE at the detach`);
    const d = deregisters(r, 0);
    assert.equal(d.length, 1);
    sent[policy] = d[0].sentAt - 10 * S;
    stale[policy] = sigSeconds(r, 'scscf', 'binding.stale');
    assert.equal(proc(r, DEREG).completed, 1, `${policy}: the deregistration itself succeeds`);
    const pre = r.rules.find((x) => x.id === PRE)!;
    // Released = answered, or unanswered for Timer F (RFC 3261 §15.1.1); the other two go early.
    assert.equal(pre.status, policy === 'wait' ? 'passed' : 'failed', `${policy}: ${pre.detail}`);
    if (policy === 'wait-capped') assert.equal(sig(r, 'msc', 'dereg.bye-wait-capped'), 1);
    if (policy !== 'wait') assert.equal(sig(r, 'scscf', 'scscf.dialogs-at-deregistration'), 1, 'the S-CSCF still proxies the dialog');
  }
  assert.deepEqual(sent, { wait: TIMER_F, 'wait-capped': 2 * S, proceed: 0 });
  // Stale from the detach until the S-CSCF removes the binding, 11 ms after the REGISTER leaves.
  const removal = (HOP_MSC + 3 * HOP) * MS;
  for (const p of ['wait', 'wait-capped', 'proceed'] as const) assertClose(stale[p], (sent[p] + removal) / S);
});

test('a lost 200 OK with regEventDuringDereg trust-notify: the S-CSCF\'s NOTIFY (sent before it) finishes the deregistration — no Timer F wait, no retry', async () => {
  const run = (during: string) => runIcs({ msc: `policies: { deregFailure: retry-backoff, regEventDuringDereg: ${during} }, deregRetry: { base: 1s }`, faults: [LOST_200] });
  const t = await run('trust-notify');
  assert.equal(deregisters(t, 0).length, 1);
  assert.equal(sig(t, 'msc', 'dereg.finished-by-notify'), 1);
  assert.equal(sig(t, 'msc', 'dereg.retry'), 0);
  assert.equal(sig(t, 'msc', 'sip.timeout'), 1, "the REGISTER's own Timer F still fires, and changes nothing");
  const p = t.summary.procedures[DEREG];
  assert.equal(p.completed, 1);
  // The NOTIFY reaches the MSC when the SAA came back (15 ms) plus the S-CSCF → MSC hop (5 ms).
  assert.equal(p.latencyMs.max, 20);
  assert.equal(t.summary.probes['ics.mismatched-views'].seconds, 0, 'the MSC forgot as the S-CSCF answered');

  const i = await run('ignore');
  assert.equal(deregisters(i, 0).length, 2, 'ignore: Timer F, one retry (answered 403: nothing left)');
  assert.equal(sig(i, 'msc', 'dereg.finished-by-notify'), 0);
  assert.ok(i.summary.probes['ics.mismatched-views'].seconds >= 32, 'the views disagree for Timer F and the back-off');
});

test('an HSS RTR during the deregistration (BYE unanswered): NOTIFY rejected — trust-notify finishes without a REGISTER, ignore carries on into a 403', async () => {
  const run = (during: string, reason = 'PERMANENT_TERMINATION') =>
    runIcs({
      ims: WITH_CALL.ims,
      msc: `${WITH_CALL.msc}, policies: { regEventDuringDereg: ${during} }`,
      hss: `rtrReason: ${reason}`,
      faults: [SILENT_FAR_END],
      workload: [
        '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
        '- { target: msc, event: detach, pattern: { kind: all-at-once, at: 10s } }',
        '- { target: hss, event: administrative-deregistration, pattern: { kind: all-at-once, at: 15s } }',
      ],
    });
  const t = await run('trust-notify');
  const notify = t.entries.find((e) => e.rec.kind === 'NOTIFY' && e.rec.to === 'msc' && /event="rejected"/.test((e.msg as ImsSip).wire()));
  assert.ok(notify, 'NOTIFY with the contact rejected (RTR PERMANENT_TERMINATION)');
  assert.equal(notify.rec.procedure, 'network-deregistration');
  assert.equal(deregisters(t, 0).length, 0, 'no REGISTER at all: the network already deregistered');
  assert.equal(sig(t, 'msc', 'dereg.finished-by-notify'), 1);
  assert.equal(proc(t, DEREG).completed, 1);
  assert.equal(t.summary.procedures[DEREG].latencyMs.max, 5000 + 2 + 5, 'RTR at 15 s, NOTIFY via the S-CSCF');

  const i = await run('ignore');
  assert.equal(deregisters(i, 0).length, 1, 'ignore: the REGISTER goes after the BYE timed out');
  assert.equal(deregisters(i, 0)[0].sentAt, 10 * S + TIMER_F);
  assert.equal(sig(i, 'msc', 'dereg.failed-403'), 1, 'the HSS has nothing left: 5003 → 403');
  assert.equal(sig(i, 'msc', 'dereg.cleared-locally'), 1);

  // deactivated (the HSS moves the user): outside a deregistration the MSC would re-register —
  // here the subscriber has left, so it does not.
  const d = await run('ignore', 'SERVER_CHANGE');
  assert.equal(registers(d, 0).filter((m) => (m.expires >= 0 ? m.expires : m.contactExpires) > 0).length, 1, 'no re-registration for a departed subscriber');
});

test('Cancel Location race: the new MSC registers first; deregMatch contact keeps its binding, instance removes it (unreachable)', async () => {
  const race = cancelLocationRace;
  const c = await race('contact');
  assert.equal(sig(c, 'scscf', 'binding.replaced'), 1, "msc-b's REGISTER (same +sip.instance) took over the binding");
  assert.equal(sig(c, 'scscf', 'scscf.dereg-binding-not-matched'), 1, "the old MSC's late deregistration matched nothing");
  const ok = c.entries.find((e) => e.rec.kind === '200 REGISTER' && e.rec.to === 'msc' && (e.msg as ImsSip).cseq === 2)!.msg as ImsSip;
  assert.equal(ok.contactNode, 1, "its 200 OK lists msc-b's contact");
  assert.equal(c.summary.probes['ics.unreachable'].last, 0);
  assert.equal(c.summary.probes['ics.inconsistent'].last, 0);
  assert.equal(proc(c, DEREG).completed, 1);

  const i = await race('instance');
  assert.equal(sig(i, 'scscf', 'binding.removed'), 1, "the old MSC's deregistration removed msc-b's binding");
  assert.equal(sig(i, 'msc-b', 'registration.removed-by-network'), 1, 'msc-b learnt it from its own reg-event NOTIFY');
  assert.equal(i.summary.probes['ics.unreachable'].last, 1, 'the subscriber is at msc-b, and IMS does not know it');
  assert.equal(i.summary.probes['ics.mismatched-views'].last, 0, 'both sides agree it is not registered');
});

test('the same race without a reg-event subscription at the new MSC: it keeps believing (mismatched views) — and the stale/orphan gauges stay clean', async () => {
  const r = await runIcs({
    duration: '30s',
    mscB: 'subscribeRegEvent: false',
    scscf: 'deregMatch: instance',
    workload: [
      '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      '- { target: msc-b, event: location-update, pattern: { kind: all-at-once, at: 10s } }',
      '- { target: msc, event: cancel-location, pattern: { kind: all-at-once, at: 10020ms } }',
    ],
  });
  assert.equal(r.summary.probes['ics.mismatched-views'].last, 1);
  assert.equal(r.summary.probes['ics.unreachable'].last, 1);
  assert.equal(r.summary.probes['ics.stale-bindings'].last, 0);
  assert.equal(r.summary.probes['ics.orphaned'].last, 0);
  // Between msc-b's location update and its REGISTER taking over, msc's binding was stale.
  assertClose(sigSeconds(r, 'scscf', 'binding.stale'), (HOP_MSC + 3 * HOP) / 1000);
});

function assertClose(got: number, want: number, tol = 1e-6): void {
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `got ${got}, want ${want}`);
}
