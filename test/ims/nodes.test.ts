import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, SECOND } from '../../sim/kernel/time.ts';
import { ImsSip } from '../../sim/ims/sip-message.ts';
import { CxMessage, ServerAssignmentType, UserAuthorizationType } from '../../sim/ims/cx.ts';
import { MscState, refreshAfter, callingIdentity } from '../../sim/ims/msc-ics.ts';
import { HssState } from '../../sim/ims/hss.ts';
import { Rig } from './harness.ts';

const sip = (m: unknown) => m as ImsSip;
const expiryOf = (m: ImsSip) => (m.expires >= 0 ? m.expires : m.contactExpires);
const deregs = (r: Rig) => r.kinds('REGISTER').filter((d) => expiryOf(sip(d.msg)) === 0 && sip(d.msg).via!.next === null);

function registered(opts: { msc?: Record<string, unknown>; scscf?: Record<string, unknown>; hss?: Record<string, unknown>; section?: Record<string, unknown>; population?: number } = {}) {
  const r = new Rig(opts.population ?? 2, opts.section ?? {});
  const n = r.core(opts.msc, opts.scscf, opts.hss);
  r.startAll();
  for (let s = 0; s < r.population; s++) r.trigger(n.msc, 'attach', s, 0);
  r.run(5 * SECOND);
  return { r, n };
}

test('registration (§6.3.3): UAR REGISTRATION, SAR REGISTRATION, binding stored, 200 OK, reg-event SUBSCRIBE and NOTIFY', () => {
  const { r, n } = registered();
  assert.equal(n.msc.st[0], MscState.Registered);
  assert.equal(n.msc.st[1], MscState.Registered);
  const uars = r.kinds('UAR').map((d) => (d.msg as CxMessage).authType);
  assert.deepEqual(uars, [UserAuthorizationType.Registration, UserAuthorizationType.Registration]);
  assert.deepEqual(r.kinds('SAR').map((d) => (d.msg as CxMessage).assignmentType), [ServerAssignmentType.Registration, ServerAssignmentType.Registration]);
  assert.equal(n.scscf.bindMsc[0], n.msc.index);
  assert.equal(n.scscf.bindToken[0], n.msc.regToken[0], 'the S-CSCF stored the Call-ID the MSC chose');
  assert.equal(n.hss.regState[0], HssState.Registered);
  assert.equal(n.hss.scscf[0], n.scscf.index);
  const ok = sip(r.kinds('200 REGISTER').find((d) => d.to === n.msc.index)!.msg);
  assert.ok(ok.associatedUris && ok.serviceRoute === n.scscf.index, 'P-Associated-URI and Service-Route');
  assert.match(ok.wire(), /P-Associated-URI: <sip:234150000000000@ics[^>]*>, <tel:\+447700900000>, <sip:\+447700900000@ims[^>]*;user=phone>\r\n/);
  assert.equal(r.kinds('SUBSCRIBE').length, 2);
  assert.equal(n.scscf.watcher[0], n.msc.index);
  const notify = sip(r.kinds('NOTIFY')[0].msg);
  assert.match(notify.wire(), /Subscription-State: active;expires=600000\r\n/);
  assert.match(notify.wire(), /<registration aor="sip:234150000000000@ics\.mnc015\.mcc234\.3gppnetwork\.org" id="a000000-0" state="active">/);
  assert.equal(r.signals.procedures.filter((p) => p.name === 'ics-registration' && p.outcome === 'completed').length, 2);
});

test('deregistration (§6.3.6.2): dialogs released first, then REGISTER expiry 0 with the same Call-ID and CSeq + 1', () => {
  const { r, n } = registered({ section: { sessions: { share: 1, perSubscriber: 2 } }, msc: { sessionSetupAfter: '100ms' } });
  assert.equal(n.msc.calls[0], 0b11, 'two dialogs up');
  assert.equal(n.scscf.dialogs[0], 0b11);
  assert.equal(n.far.dialogs[0], 0b11);
  const regCallToken = n.msc.regToken[0];
  r.trigger(n.msc, 'detach', 0, 10 * SECOND);
  r.run(20 * SECOND);
  const byes = r.kinds('BYE').filter((d) => d.from === n.msc.index && d.msg.sub === 0);
  const byeOks = r.kinds('200 BYE').filter((d) => d.to === n.msc.index && d.msg.sub === 0);
  const dereg = deregs(r).filter((d) => d.msg.sub === 0);
  assert.equal(byes.length, 2);
  assert.equal(byeOks.length, 2);
  assert.equal(dereg.length, 1);
  const reg = sip(dereg[0].msg);
  assert.ok(reg.sentAt >= Math.max(...byeOks.map((d) => d.t)), 'the REGISTER leaves after both BYEs are answered');
  assert.equal(reg.callToken, regCallToken, 'same Call-ID as the registration');
  assert.equal(reg.cseq, 2, 'CSeq + 1');
  assert.equal(reg.contactInstance, 0, '+sip.instance of the registration');
  assert.equal(sip(byes[1].msg).fromK, callingIdentity(1, 3), 'the second dialog was from another identity of the implicit set');
  assert.equal(n.msc.st[0], MscState.Idle, 'all registration details removed');
  assert.equal(n.msc.regToken[0], 0);
  assert.equal(n.msc.st[1], MscState.Registered, 'the other subscriber untouched');
  assert.equal(n.scscf.bindMsc[0], -1);
  assert.equal(n.scscf.bindMsc[1], n.msc.index);
  assert.equal(n.scscf.dialogs[0], 0, 'no dialog left at the S-CSCF');
  assert.equal(n.hss.regState[0], HssState.NotRegistered);
  assert.deepEqual(r.kinds('UAR').slice(-1).map((d) => (d.msg as CxMessage).authType), [UserAuthorizationType.DeRegistration]);
  assert.deepEqual(r.kinds('SAR').slice(-1).map((d) => (d.msg as CxMessage).assignmentType), [ServerAssignmentType.UserDeregistration]);
  const note = sip(r.kinds('NOTIFY').slice(-1)[0].msg);
  assert.ok(note.subTerminated && note.regTerminated);
  const answer = sip(r.kinds('200 NOTIFY').slice(-1)[0].msg);
  assert.deepEqual(answer.rules, ['24.292:6.3.6.2/reg-event'], 'answered by the after-cancel policy');
  assert.equal(r.kinds('SUBSCRIBE').filter((d) => expiryOf(sip(d.msg)) === 0).length, 0, 'no unsubscribe was sent');
  const p = r.signals.procedures.find((x) => x.name === 'ics-deregistration')!;
  assert.equal(p.outcome, 'completed');
});

test('the S-CSCF SAR type on deregistration is configurable (USER_DEREGISTRATION_STORE_SERVER_NAME); the HSS keeps or drops the name', () => {
  for (const store of [true, false]) {
    const { r, n } = registered({ scscf: { deregistrationSar: 'USER_DEREGISTRATION_STORE_SERVER_NAME' }, hss: { storeServerName: store } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    const sar = r.kinds('SAR').slice(-1)[0].msg as CxMessage;
    assert.equal(sar.assignmentType, ServerAssignmentType.UserDeregistrationStoreServerName);
    const saa = r.kinds('SAA').slice(-1)[0].msg as CxMessage;
    assert.equal(saa.resultName, store ? 'DIAMETER_SUCCESS' : 'DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED');
    assert.equal(n.hss.regState[0], store ? HssState.Unregistered : HssState.NotRegistered);
    assert.equal(n.hss.scscf[0], store ? n.scscf.index : -1);
    assert.equal(n.msc.st[0], MscState.Idle);
  }
});

test('the expiry 0 goes in the Expires header or in the Contact parameter, as configured', () => {
  for (const where of ['header', 'contact'] as const) {
    const { r, n } = registered({ msc: { expiresIn: where } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    const w = sip(deregs(r)[0].msg).wire();
    if (where === 'header') {
      assert.match(w, /\r\nExpires: 0\r\n/);
      assert.doesNotMatch(w, /;expires=0/);
    } else {
      assert.match(w, /Contact: <sip:[0-9.]+:5060>;expires=0;\+sip\.instance=/);
      assert.doesNotMatch(w, /\r\nExpires:/);
    }
    assert.equal(n.msc.st[0], MscState.Idle);
  }
});

test('FFS policy, default clear-locally: an HSS that never answers → I-CSCF 480 → registration details removed anyway', () => {
  const { r, n } = registered();
  r.sim.post(5 * SECOND + 1, () => n.hss.crash());
  r.trigger(n.msc, 'detach', 0, 6 * SECOND);
  r.run(30 * SECOND);
  const fin = r.kinds('480 REGISTER').filter((d) => d.to === n.msc.index);
  assert.equal(fin.length, 1, 'the I-CSCF answered 480 after its Cx timeout');
  assert.ok(fin[0].t >= 6 * SECOND + 5 * SECOND, 'after the 5 s Cx timeout');
  assert.equal(n.msc.st[0], MscState.Idle);
  assert.equal(r.signals.count('dereg.cleared-locally'), 1);
  assert.equal(r.signals.procedures.find((p) => p.name === 'ics-deregistration')!.outcome, 'failed');
});

test('FFS policy retry-then-clear: two more attempts (same Call-ID, CSeq + 1 each), then clear; keep-and-report keeps live, keep-until-expiry holds', () => {
  {
    const { r, n } = registered({ msc: { policies: { deregFailure: 'retry-then-clear' } } });
    r.sim.post(5 * SECOND + 1, () => n.hss.crash());
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(120 * SECOND);
    // Distinct requests (each attempt is also retransmitted by Timer E while the 480 is awaited).
    const d = [...new Set(deregs(r).map((x) => sip(x.msg)))];
    assert.equal(d.length, 3);
    assert.deepEqual(d.map((m) => m.cseq), [2, 3, 4]);
    assert.ok(d.every((m) => m.callToken === d[0].callToken));
    assert.equal(n.msc.st[0], MscState.Idle);
    assert.equal(r.signals.count('dereg.retry'), 2);
  }
  for (const [policy, state, signal, what] of [
    ['keep-and-report', MscState.Registered, 'dereg.kept', 'registration details kept, live'],
    ['keep-until-expiry', MscState.Kept, 'dereg.kept-until-expiry', 'registration details kept, not acted on'],
  ] as const) {
    const { r, n } = registered({ msc: { policies: { deregFailure: policy } } });
    r.sim.post(5 * SECOND + 1, () => n.hss.crash());
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(30 * SECOND);
    assert.equal(n.msc.st[0], state, what);
    assert.equal(r.signals.count(signal), 1, policy);
  }
});

test('RFC 3261 §17: no answer at all → Timer E retransmissions on UDP, Timer F after 64·T1 reported as 408 → policy', () => {
  const { r, n } = registered({ section: { timers: { T1: '100ms', T2: '400ms' } } });
  r.sim.post(5 * SECOND + 1, () => n.icscf.crash());
  r.trigger(n.msc, 'detach', 0, 6 * SECOND);
  r.run(30 * SECOND);
  const lost = r.signals.drops.filter((d) => d.reason === 'node-down' && d.msg.kind === 'REGISTER');
  // Sent at 0, then T1, 2T1, 4T1, then every T2 until 64·T1 = 6.4 s: 0.1 0.3 0.7 1.1 … 6.3 → 1 + 3 + 14 = 18.
  assert.equal(lost.length, 18, `original + retransmissions, got ${lost.length}`);
  assert.ok(lost.every((d) => d.msg === lost[0].msg), 'retransmissions resend the very same request (same branch)');
  assert.equal(r.signals.count('dereg.failed-408'), 1);
  const p = r.signals.procedures.find((x) => x.name === 'ics-deregistration')!;
  assert.equal(p.t - p.started, 6400 * MS + 0, 'Timer F = 64·T1 after the REGISTER left');
  assert.equal(n.msc.st[0], MscState.Idle, 'default policy: cleared locally');
});

test('a NOTIFY for the subscription the MSC considers cancelled: answered 200 (accept-final) or 481 (reject-all)', () => {
  for (const [policy, status] of [
    ['accept-final', 200],
    ['reject-all', 481],
  ] as const) {
    const { r, n } = registered({ msc: { policies: { regEventAfterCancel: policy } } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    const ans = r.signals.deliveries.filter((d) => d.msg.kind.endsWith(' NOTIFY') && d.from === n.msc.index).slice(-1)[0];
    assert.equal(sip(ans.msg).status, status);
    assert.equal(r.signals.count('notify.after-cancel'), 1);
  }
});

test('a deregistration with a fresh Call-ID removes the binding under the default (ims_usrloc_scscf matching_mode 0), not under contact + Call-ID (matching_mode 1)', () => {
  {
    const { r, n } = registered({ msc: { testMutation: 'fresh-call-id' } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    assert.equal(r.signals.count('scscf.dereg-binding-not-matched'), 0);
    assert.equal(n.scscf.bindMsc[0], -1, 'the default (contact-only) removes the binding');
  }
  {
    const { r, n } = registered({ msc: { testMutation: 'fresh-call-id' }, scscf: { bindingMatch: 'contact-call-id' } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    assert.equal(r.signals.count('scscf.dereg-binding-not-matched'), 1);
    assert.equal(n.scscf.bindMsc[0], n.msc.index, 'the stale binding stays in IMS');
    assert.equal(r.kinds('SAR').length, 2, 'no SAR for the deregistration');
    assert.equal(n.msc.st[0], MscState.Idle, 'the MSC believes it is done (200 OK)');
  }
  {
    const { r, n } = registered({ msc: { testMutation: 'fresh-call-id' }, scscf: { bindingMatch: 'instance' } });
    r.trigger(n.msc, 'detach', 0, 6 * SECOND);
    r.run(10 * SECOND);
    assert.equal(n.scscf.bindMsc[0], -1);
  }
});

test('re-registration refresh: 600 s before expiry above 1200 s, at half below; same Call-ID, CSeq + 1', () => {
  assert.equal(refreshAfter(600000), 599400);
  assert.equal(refreshAfter(1200), 600);
  assert.equal(refreshAfter(600), 300);
  const { r, n } = registered({ msc: { expires: 600 }, population: 1 });
  r.run(700 * SECOND);
  const regs = r.kinds('REGISTER').filter((d) => d.from === n.msc.index).map((d) => ({ t: d.t, m: sip(d.msg) }));
  assert.equal(regs.length, 3, 'initial + refreshes at ~300 s and ~600 s');
  assert.ok(Math.abs(regs[1].t - regs[0].t - 300 * SECOND) < 100 * MS, `first refresh at ${regs[1].t / 1e9} s`);
  assert.deepEqual(regs.map((x) => x.m.cseq), [1, 2, 3]);
  assert.ok(regs.every((x) => x.m.callToken === regs[0].m.callToken));
  assert.equal(n.msc.st[0], MscState.Registered);
  assert.equal(r.kinds('SUBSCRIBE').length, 3, 'the subscription is refreshed with the registration');
});

test('MSC maintenance: every registered subscriber deregistered, evenly over the configured spread', () => {
  const { r, n } = registered({ msc: { sweepSpread: '4s' }, population: 4 });
  r.trigger(n.msc, 'maintenance', 0, 10 * SECOND);
  r.run(30 * SECOND);
  const d = deregs(r);
  assert.equal(d.length, 4);
  const sent = d.map((x) => sip(x.msg).sentAt - 10 * SECOND).sort((a, b) => a - b);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(sent[i] - i * SECOND) < 5 * MS, `subscriber ${i} at ${sent[i] / 1e6} ms`);
  assert.equal(n.msc.registeredCount, 0);
  assert.equal(r.signals.count('dereg.trigger.maintenance'), 4);
});

test('a trigger for an unregistered subscriber does nothing; a detach during registration waits for it', () => {
  const r = new Rig(2);
  const n = r.core();
  r.startAll();
  r.trigger(n.msc, 'detach', 1, 0);
  r.trigger(n.msc, 'attach', 0, 0);
  r.trigger(n.msc, 'detach', 0, 1 * MS);
  r.run(10 * SECOND);
  assert.equal(r.signals.count('dereg.not-registered'), 1);
  assert.equal(deregs(r).length, 1, 'the detach during registration deregistered once registered');
  assert.equal(n.msc.st[0], MscState.Idle);
});

test('HSS-initiated deregistration (RTR): the S-CSCF NOTIFYs rejected/deactivated; the MSC drops or re-registers', () => {
  for (const [reason, again] of [
    ['PERMANENT_TERMINATION', false],
    ['SERVER_CHANGE', true],
  ] as const) {
    const { r, n } = registered({ hss: { rtrReason: reason }, population: 1 });
    r.trigger(n.hss, 'administrative-deregistration', 0, 6 * SECOND);
    r.run(10 * SECOND);
    assert.equal(r.kinds('RTR').length, 1);
    assert.equal(r.kinds('RTA').length, 1);
    assert.equal(r.signals.count('registration.removed-by-network'), 1);
    assert.equal(n.msc.st[0], again ? MscState.Registered : MscState.Idle);
    assert.equal(r.kinds('REGISTER').filter((d) => d.from === n.msc.index).length, again ? 2 : 1);
  }
});

test('far end: INVITE → 180 at once, 200 after answerAfter; BYE for an unknown dialog → 481', () => {
  const { r, n } = registered({ section: { sessions: { share: 1, perSubscriber: 1 } }, msc: { sessionSetupAfter: '1s' }, population: 1 });
  const inv = r.kinds('INVITE').filter((d) => d.to === n.far.index)[0];
  const ring = r.kinds('180 INVITE').filter((d) => d.from === n.far.index)[0];
  const ok = r.kinds('200 INVITE').filter((d) => d.from === n.far.index)[0];
  assert.ok(ring && ok && inv);
  assert.ok(ok.t - inv.t >= 100 * MS, '200 after answerAfter (100 ms in the rig)');
  assert.equal(r.kinds('ACK').filter((d) => d.to === n.far.index).length, 1, 'the ACK reached the far end through the S-CSCF');
  assert.equal(sip(r.kinds('INVITE').filter((d) => d.to === n.far.index)[0].msg).recordRoute, n.scscf.index);
  n.far.dialogs[0] = 0; // the far end forgot the call: the MSC's BYE now finds nothing
  r.trigger(n.msc, 'detach', 0, 6 * SECOND);
  r.run(10 * SECOND);
  assert.equal(r.kinds('481 BYE').length, 2, '481 back through the S-CSCF');
  assert.equal(n.msc.st[0], MscState.Idle, 'the dialog counts as released; the deregistration goes on');
});

test('overload: a full queue answers 503 with Retry-After, and the MSC policy (retry-then-clear) waits that long', () => {
  const r = new Rig(2);
  const n = r.core({ policies: { deregFailure: 'retry-then-clear' } });
  r.startAll();
  r.trigger(n.msc, 'attach', 0, 0);
  r.trigger(n.msc, 'attach', 1, 0);
  r.run(3 * SECOND);
  n.icscf.queueLimit = 0;
  n.icscf.costs.set(undefined, { perMessage: 50 * MS, perEntry: 0, perByte: 0 });
  r.trigger(n.msc, 'detach', 0, 4 * SECOND);
  r.trigger(n.msc, 'detach', 1, 4 * SECOND);
  r.run(30 * SECOND);
  const busy = r.kinds('503 REGISTER');
  assert.equal(busy.length, 1, 'the second REGISTER found the I-CSCF busy');
  assert.match(sip(busy[0].msg).wire(), /\r\nRetry-After: 5\r\n/);
  assert.equal(Buffer.byteLength(sip(busy[0].msg).wire()), busy[0].msg.bytes);
  assert.equal(r.signals.count('overload.503'), 1);
  assert.equal(r.signals.count('dereg.failed-503'), 1);
  const retried = [...new Set(deregs(r).filter((d) => d.msg.sub === busy[0].msg.sub).map((d) => d.msg))].map((m) => sip(m));
  assert.equal(retried.length, 2);
  assert.ok(retried[1].sentAt - busy[0].t >= 5 * SECOND, 'retried after Retry-After');
  assert.equal(n.msc.st[0], MscState.Idle);
  assert.equal(n.msc.st[1], MscState.Idle);
  assert.equal(r.signals.procedures.filter((p) => p.name === 'ics-deregistration' && p.outcome === 'completed').length, 2);
});
