import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEREG_FAILURE_POLICIES,
  DEFAULT_DEREG_RETRY,
  retryDelay,
  type DeregFailureDecision,
  type DeregRetry,
} from '../../sim/policies/msc-dereg-failure.ts';
import { CxMessage } from '../../sim/ims/cx.ts';
import type { ImsSip } from '../../sim/ims/sip-message.ts';
import { BIND_AFTER_MS, HOP, HOP_MSC, MS, S, deregisters, proc, runIcs, sig, sigSeconds } from '../ims/ffs-harness.ts';

// Issue 5, ICS: the MSC's deregistration failure policies (TS 24.292 §6.3.6.2, Editor's Note FFS)
// — each decision, each error answer's effect and the acceptance lines, with timings computed from
// the parameters (zero service costs, fixed link delays: test/ims/ffs-harness.ts).

const DEREG = 'ics-deregistration';
/** Timer F of a non-INVITE transaction on a reliable link with the default T1 (500 ms): 64·T1. */
const TIMER_F = 64 * 500 * MS;
// onStream: discard — the 200 OK vanishes above a TCP connection that stays up (so Timer F, not a
// reset, tells the MSC): what these tests of the no-200-OK policies need.
const LOST_200 = '- { name: lost-200, kind: drop, onStream: discard, match: { kind: "200 REGISTER", procedure: ics-deregistration, to: msc } }';
/** The first deregistration REGISTER (sent at 10 s) lost on its way to the I-CSCF. */
const LOST_REGISTER = '- { name: lost-register, kind: drop, onStream: discard, match: { kind: REGISTER, procedure: ics-deregistration, to: icscf }, window: { from: 10s, to: 11s } }';

test('policy decisions: each named policy on 408 / 403 / 404 / 480 / 500 with Retry-After / 503, attempt by attempt', () => {
  const r: DeregRetry = { retries: 2, base: 1 * S, factor: 3, cap: 5 * S };
  const act = (name: keyof typeof DEREG_FAILURE_POLICIES, status: number, attempt: number, retryAfterSeconds?: number): string => {
    const d: DeregFailureDecision = DEREG_FAILURE_POLICIES[name]({ status, attempt, retryAfterSeconds }, r);
    return d.action === 'retry' ? `retry ${d.delayNs / S}` : d.action;
  };
  // Back-off: 1 s, 3 s, then capped at 5 s; a longer Retry-After wins, a shorter one does not.
  assert.deepEqual([1, 2, 3, 4].map((k) => retryDelay(k, r) / S), [1, 3, 5, 5]);
  assert.equal(retryDelay(1, r, 7) / S, 7);
  assert.equal(retryDelay(2, r, 2) / S, 3);
  assert.deepEqual(DEFAULT_DEREG_RETRY, { retries: 2, base: 2 * S, factor: 2, cap: 60 * S });
  const table: [keyof typeof DEREG_FAILURE_POLICIES, number, number, number | undefined, string][] = [
    ['clear-locally', 408, 1, undefined, 'clear'],
    ['clear-locally', 503, 1, 5, 'clear'],
    ['keep-and-report', 408, 1, undefined, 'keep'],
    ['keep-until-expiry', 480, 1, undefined, 'hold'],
    ['retry-backoff', 403, 1, undefined, 'clear'],
    ['retry-backoff', 404, 1, undefined, 'clear'],
    ['retry-backoff', 408, 1, undefined, 'retry 1'],
    ['retry-backoff', 480, 2, undefined, 'retry 3'],
    ['retry-backoff', 500, 1, 7, 'retry 7'],
    ['retry-backoff', 408, 3, undefined, 'keep'],
    ['retry-then-clear', 408, 2, undefined, 'retry 3'],
    ['retry-then-clear', 503, 3, 5, 'clear'],
    ['by-status', 403, 1, undefined, 'clear'],
    ['by-status', 408, 1, 9, 'retry 1'], // a 408 carries no Retry-After worth honouring
    ['by-status', 408, 3, undefined, 'clear'],
    ['by-status', 480, 1, undefined, 'retry 1'],
    ['by-status', 480, 3, undefined, 'hold'],
    ['by-status', 500, 2, 4, 'retry 4'],
    ['by-status', 503, 3, 4, 'hold'],
    ['by-status', 486, 1, undefined, 'clear'],
  ];
  for (const [name, status, attempt, ra, want] of table) assert.equal(act(name, status, attempt, ra), want, `${name} on ${status}, attempt ${attempt}`);
});

test('ACCEPTANCE: 100 % loss of the deregistration 200 OK with "retry 3 times": exactly 4 REGISTERs per subscriber, Timer F + back-off apart', async () => {
  const retry = { retries: 3, base: 2, factor: 3, cap: 10 };
  // The waits after failed attempts 1, 2, 3: 2 s, 6 s, then 18 s capped at 10 s.
  const waits = [2, 6, 10].map((x) => x * S);
  for (const policy of ['retry-then-clear', 'retry-backoff'] as const) {
    const r = await runIcs({
      population: 3,
      msc: `policies: { deregFailure: ${policy} }, deregRetry: { retries: ${retry.retries}, base: ${retry.base}s, factor: ${retry.factor}, cap: ${retry.cap}s }`,
      // The HSS keeps the S-CSCF's name after the first deregistration, so every retry reaches the
      // S-CSCF again and gets a 200 OK — which the rule drops as well.
      scscf: 'deregistrationSar: USER_DEREGISTRATION_STORE_SERVER_NAME',
      faults: [LOST_200],
    });
    for (let s = 0; s < 3; s++) {
      const d = deregisters(r, s);
      assert.equal(d.length, 4, `${policy}: subscriber ${s} sent ${d.length} deregistration REGISTERs`);
      assert.equal(d[0].sentAt, 10 * S, 'the first leaves at the detach');
      for (let k = 1; k < 4; k++) assert.equal(d[k].sentAt - d[k - 1].sentAt, TIMER_F + waits[k - 1], `${policy}: gap before attempt ${k + 1}`);
      assert.deepEqual(
        d.map((m) => m.cseq),
        [2, 3, 4, 5],
        'RFC 3261 §10.2: CSeq + 1 per attempt',
      );
      assert.ok(d.every((m) => m.callToken === d[0].callToken), 'the same Call-ID every time');
    }
    assert.equal(sig(r, 'msc', 'dereg.failed-408'), 12);
    assert.equal(sig(r, 'msc', 'dereg.retry'), 9);
    // Signalling overhead: the 9 retries and their exact bytes.
    const retried = [0, 1, 2].flatMap((s) => deregisters(r, s).slice(1));
    assert.equal(sig(r, 'msc', 'overhead.registers'), 9);
    assert.equal(sig(r, 'msc', 'overhead.bytes'), retried.reduce((a, m) => a + m.bytes, 0));
    assert.equal(r.summary.faults['lost-200'], 12);
    assert.equal(proc(r, DEREG).failed, 3);
    // After the 4th attempt's Timer F: cleared (retry-then-clear) or kept live and reported (retry-backoff).
    const end = 10 * S + 4 * TIMER_F + waits.reduce((a, b) => a + b, 0);
    if (policy === 'retry-then-clear') {
      assert.equal(sig(r, 'msc', 'dereg.cleared-locally'), 3);
      assert.equal(sig(r, 'msc', 'registration.orphaned'), 0);
    } else {
      assert.equal(sig(r, 'msc', 'dereg.kept'), 3);
      // Kept live for subscribers who left: orphaned from then to the end of the run.
      assert.equal(sig(r, 'msc', 'registration.orphaned'), 3);
      assertClose(sigSeconds(r, 'msc', 'registration.orphaned'), (3 * (r.summary.simulatedNs - end)) / S);
    }
  }
});

test('with USER_DEREGISTRATION the HSS forgets the S-CSCF: the retry after a lost 200 OK gets 403 and clears (2 REGISTERs)', async () => {
  const r = await runIcs({ msc: 'policies: { deregFailure: retry-backoff }, deregRetry: { retries: 3, base: 1s }', faults: [LOST_200] });
  const d = deregisters(r, 0);
  assert.equal(d.length, 2);
  assert.equal(d[1].sentAt - d[0].sentAt, TIMER_F + 1 * S);
  assert.equal(sig(r, 'msc', 'dereg.failed-408'), 1);
  assert.equal(sig(r, 'msc', 'dereg.failed-403'), 1);
  assert.equal(sig(r, 'msc', 'dereg.cleared-locally'), 1);
  // The UAA that said so: Experimental-Result 5003 IDENTITY_NOT_REGISTERED.
  const uaa = r.entries.filter((e) => e.rec.kind === 'UAA').map((e) => e.msg as CxMessage);
  assert.equal(uaa[uaa.length - 1].experimentalCode, 5003);
});

test('ACCEPTANCE: clear-locally leaves a stale binding at the S-CSCF until it expires — the stale-binding gauge and its binding-seconds, analytically', async () => {
  const N = 3;
  const E = 60; // granted expiry, s
  const run = (policy: string) =>
    runIcs({ population: N, msc: `expires: ${E}, policies: { deregFailure: ${policy} }, deregRetry: { retries: 2, base: 1s }`, faults: [LOST_REGISTER] });
  const r = await run('clear-locally');
  // Bound at 15 ms (the registration's path), expiring E later; the subscribers left at 10 s.
  const boundAt = BIND_AFTER_MS * MS;
  const expiresAt = boundAt + E * S;
  assert.equal(r.summary.faults['lost-register'], N);
  assert.equal(sig(r, 'msc', 'dereg.failed-408'), N, 'Timer F: no answer to a lost REGISTER');
  assert.equal(sig(r, 'msc', 'dereg.cleared-locally'), N);
  assert.equal(r.summary.nodes.scscf.signalMax['binding.stale'], N, 'all N stale at once');
  assert.equal(sig(r, 'scscf', 'binding.stale'), 0, 'none left at the end: they expired');
  assert.equal(sig(r, 'scscf', 'binding.expired'), N);
  assertClose(sigSeconds(r, 'scscf', 'binding.stale'), (N * (expiresAt - 10 * S)) / S);
  // The expiry told the HSS (SAR TIMEOUT_DEREGISTRATION = 4) at the expiry instant.
  const sars = r.entries.filter((e) => e.rec.kind === 'SAR' && (e.msg as CxMessage).assignmentType === 4);
  assert.equal(sars.length, N);
  assert.ok(sars.every((e) => e.rec.t === expiresAt + HOP * MS));
  // The views: the MSC forgot at Timer F (10 s + 32 s) while the S-CSCF held on until expiry.
  const mm = r.summary.probes['ics.mismatched-views'];
  assert.equal(mm.max, N);
  assert.equal(mm.last, 0);
  assert.ok(mm.consistentSinceS !== null && mm.consistentSinceS >= expiresAt / S && mm.consistentSinceS <= expiresAt / S + 1, `consistent since ${mm.consistentSinceS} s`);
  assert.equal(r.summary.probes['ics.stale-bindings'].max, N);

  // retry-backoff: one more REGISTER each (1 s after Timer F) removes the binding 11 ms later.
  const q = await run('retry-backoff');
  const removedAt = 10 * S + TIMER_F + 1 * S + (HOP_MSC + 3 * HOP) * MS;
  assertClose(sigSeconds(q, 'scscf', 'binding.stale'), (N * (removedAt - 10 * S)) / S);
  assert.equal(sig(q, 'scscf', 'binding.expired'), 0);
  assert.equal(sig(q, 'msc', 'overhead.registers'), N);
  assert.equal(proc(q, DEREG).completed, N);
  assert.ok(sigSeconds(r, 'scscf', 'binding.stale') > sigSeconds(q, 'scscf', 'binding.stale'));
});

test('keep-until-expiry keeps the details unrefreshed until the registration would have expired; keep-and-report refreshes and re-creates the binding', async () => {
  const E = 60;
  const k = await runIcs({ msc: `expires: ${E}, policies: { deregFailure: keep-until-expiry }`, faults: [LOST_REGISTER] });
  // Registered when the 200 OK came back (22 ms), so the registration would expire E later.
  const regOk = (BIND_AFTER_MS + HOP + HOP_MSC) * MS;
  const heldFrom = 10 * S + TIMER_F;
  assert.equal(sig(k, 'msc', 'dereg.kept-until-expiry'), 1);
  assert.equal(sig(k, 'msc', 'dereg.kept-expired'), 1);
  assertClose(sigSeconds(k, 'msc', 'registration.orphaned'), (regOk + E * S - heldFrom) / S);
  assert.equal(sig(k, 'msc', 'overhead.registers'), 0, 'nothing sent while held');
  assert.equal(k.summary.probes['ics.inconsistent'].last, 0);

  const a = await runIcs({ duration: '200s', msc: `expires: ${E}, policies: { deregFailure: keep-and-report }`, faults: [LOST_REGISTER] });
  assert.equal(sig(a, 'msc', 'dereg.kept'), 1);
  // Refreshes every E/2 after the failure: 72 s, 102 s, … each one an overhead REGISTER.
  const refreshes = Math.floor((a.summary.simulatedNs - heldFrom) / ((E / 2) * S));
  assert.equal(sig(a, 'msc', 'overhead.registers'), refreshes);
  assert.ok(refreshes >= 4);
  // The binding expired at 60.015 s; the first refresh (72 s) made a new one for the departed subscriber.
  assert.equal(sig(a, 'scscf', 'binding.expired'), 1);
  assert.equal(sig(a, 'scscf', 'binding.created'), 2);
  assert.equal(a.summary.probes['ics.stale-bindings'].last, 1);
  assert.equal(sig(a, 'msc', 'registration.orphaned'), 1);
  assert.equal(a.summary.probes['ics.inconsistent'].consistentSinceS, null, 'never consistent again');
});

test('each error answer through the policies: 403 (HSS 5003), 480 (I-CSCF), 500 with the S-CSCF\'s Retry-After, 503 with the I-CSCF\'s, 408 (timeout)', async () => {
  const w = 'window: { from: 10s, to: 10500ms }';
  const cases = {
    '403': `- { name: f, kind: error, node: hss, match: { kind: UAR }, answer: { result: 5003 }, window: { from: 10s } }`,
    '480': `- { name: f, kind: error, node: icscf, match: { kind: REGISTER }, answer: { status: 480 }, ${w} }`,
    '500': `- { name: f, kind: error, node: scscf, match: { kind: REGISTER }, answer: { status: 503, retryAfter: 7s }, ${w} }`,
    '503': `- { name: f, kind: error, node: icscf, match: { kind: REGISTER }, answer: { status: 503, retryAfter: 4s }, ${w} }`,
    '408': LOST_REGISTER,
  } as const;
  // When the failure reaches the MSC, and the wait a retrying policy then takes (base 1 s).
  const arrives = {
    '403': (HOP_MSC + 2 * HOP + HOP_MSC) * MS,
    '480': 2 * HOP_MSC * MS,
    '500': (HOP_MSC + 4 * HOP + HOP_MSC) * MS,
    '503': 2 * HOP_MSC * MS,
    '408': TIMER_F,
  } as const;
  const retryAfter = { '500': 7 * S, '503': 4 * S } as Record<string, number>;
  // What each policy does, per failure: the number of deregistration REGISTERs and the end.
  const expect: Record<string, Record<keyof typeof cases, [number, string]>> = {
    'clear-locally': { '403': [1, 'cleared-locally'], '480': [1, 'cleared-locally'], '500': [1, 'cleared-locally'], '503': [1, 'cleared-locally'], '408': [1, 'cleared-locally'] },
    'retry-backoff': { '403': [1, 'cleared-locally'], '480': [2, 'completed'], '500': [2, 'completed'], '503': [2, 'completed'], '408': [2, 'completed'] },
    'by-status': { '403': [1, 'cleared-locally'], '480': [2, 'completed'], '500': [2, 'completed'], '503': [2, 'completed'], '408': [2, 'completed'] },
    'keep-until-expiry': { '403': [1, 'kept-until-expiry'], '480': [1, 'kept-until-expiry'], '500': [1, 'kept-until-expiry'], '503': [1, 'kept-until-expiry'], '408': [1, 'kept-until-expiry'] },
  };
  for (const [policy, byFailure] of Object.entries(expect)) {
    for (const [failure, [count, end]] of Object.entries(byFailure) as [keyof typeof cases, [number, string]][]) {
      const r = await runIcs({ msc: `policies: { deregFailure: ${policy} }, deregRetry: { retries: 2, base: 1s }`, faults: [cases[failure]] });
      const what = `${policy} on ${failure}`;
      assert.equal(sig(r, 'msc', `dereg.failed-${failure}`), 1, `${what}: the MSC saw ${failure}`);
      const d = deregisters(r, 0);
      assert.equal(d.length, count, `${what}: REGISTERs`);
      if (count === 2) assert.equal(d[1].sentAt - d[0].sentAt, arrives[failure] + Math.max(1 * S, retryAfter[failure] ?? 0), `${what}: retry after the back-off or Retry-After`);
      if (end === 'completed') assert.equal(proc(r, DEREG).completed, 1, what);
      else assert.equal(sig(r, 'msc', `dereg.${end}`), 1, what);
    }
  }
});

test('the injected answers on the wire: the S-CSCF\'s 503 with Retry-After becomes the I-CSCF\'s 500 keeping it; the HSS\'s result code is an Experimental-Result', async () => {
  const r = await runIcs({
    population: 2,
    msc: 'policies: { deregFailure: clear-locally }',
    faults: [
      '- { name: busy, kind: error, node: scscf, match: { kind: REGISTER }, answer: { status: 503, retryAfter: 6500ms }, window: { from: 10s } }',
      '- { name: hss, kind: error, node: hss, match: { kind: SAR, subscriber: 1 }, answer: { result: 5012 }, window: { from: 0s, to: 1s } }',
    ],
  });
  const text = (kind: string, to: string) => {
    const e = r.entries.find((x) => x.rec.kind === kind && x.rec.to === to)!;
    const m = e.msg as ImsSip;
    assert.equal(Buffer.byteLength(m.wire()), m.bytes, `${kind}: exact size`);
    return m.wire();
  };
  assert.match(text('503 REGISTER', 'icscf'), /^SIP\/2\.0 503 Service Unavailable\r\n[\s\S]*\r\nRetry-After: 7\r\n/);
  assert.match(text('500 REGISTER', 'msc'), /^SIP\/2\.0 500 Server Internal Error\r\n[\s\S]*\r\nRetry-After: 7\r\n/);
  assert.equal(sig(r, 'scscf', 'fault.answered-503'), 1);
  // Subscriber 1's registration SAR got 5012 as a Result-Code: the S-CSCF refused the registration (403).
  const saa = r.entries.find((e) => e.rec.kind === 'SAA' && e.msg.sub === 1)!.msg as CxMessage;
  assert.equal(saa.resultCode, 5012);
  assert.equal(saa.experimentalCode, -1);
  assert.equal(sig(r, 'hss', 'fault.answered-5012'), 1);
  assert.equal(proc(r, 'ics-registration').failed, 1);
  assert.equal(r.summary.faults.hss, 1);
});

function assertClose(got: number, want: number, tol = 1e-6): void {
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `got ${got}, want ${want}`);
}
