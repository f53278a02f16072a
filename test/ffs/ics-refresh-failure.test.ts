import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFRESH_FAILURE_POLICIES } from '../../sim/policies/msc-refresh-failure.ts';
import { DEFAULT_DEREG_RETRY } from '../../sim/policies/msc-dereg-failure.ts';
import { registers, runIcs, sig, type IcsOpts } from '../ims/ffs-harness.ts';
import type { ImsSip } from '../../sim/ims/sip-message.ts';
import { compareFfs } from './compare-harness.ts';

// Issue 13 item 10: a refresh answered 423 (Min-Expires), 5xx with Retry-After, or not at all
// used to drop the registration with no retry. Now the refreshFailure policy decides.

const S = 1e9;
const R = DEFAULT_DEREG_RETRY; // 2 retries, 2 s, ×2, cap 60 s

test('pure decisions: retry honours Retry-After and adopts Min-Expires; 403 re-registers; retry-until-expiry stops at the expiry', () => {
  const f = { status: 500, attempt: 1, retryAfterSeconds: 10, remainingNs: 60 * S };
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-backoff'](f, R), { action: 'retry', delayNs: 10 * S });
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-backoff']({ ...f, retryAfterSeconds: undefined, attempt: 2 }, R), { action: 'retry', delayNs: 4 * S });
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-backoff']({ ...f, attempt: 3 }, R), { action: 'reregister', delayNs: 10 * S }, 'retries spent');
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-backoff']({ ...f, status: 423, minExpiresSeconds: 300 }, R), { action: 'retry', delayNs: 0, expires: 300 });
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-backoff']({ ...f, status: 403 }, R), { action: 'reregister', delayNs: 0 });
  assert.deepEqual(REFRESH_FAILURE_POLICIES['retry-until-expiry']({ ...f, remainingNs: 5 * S }, R), { action: 'hold' }, 'the retry would come after the expiry');
  assert.deepEqual(REFRESH_FAILURE_POLICIES.reregister({ ...f, status: 423, minExpiresSeconds: 300 }, R), { action: 'reregister', delayNs: 10 * S });
  assert.deepEqual(REFRESH_FAILURE_POLICIES.drop(f, R), { action: 'drop' });
  assert.deepEqual(REFRESH_FAILURE_POLICIES['give-up-and-report'](f, R), { action: 'hold' });
});

/** One subscriber registered for 120 s at 0 s (refresh at ≈ 60 s); the S-CSCF refuses REGISTERs from 55 s to 80 s. */
const refused = (policy: string, fault?: string): IcsOpts => ({
  duration: '170s',
  msc: `expires: 120, policies: { refreshFailure: ${policy} }`,
  workload: ['- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }'],
  faults: fault ? [fault] : [],
});
const ERR_503 = '- { kind: error, node: scscf, match: { kind: REGISTER }, answer: { status: 503, retryAfter: 10s }, window: { from: 55s, to: 80s } }';

test('503 + Retry-After 10 s on the refresh: retry-backoff refreshes at 70 s (refused again) and 80 s (accepted); drop and give-up lose the subscriber at the expiry', async () => {
  const r = await runIcs(refused('retry-backoff', ERR_503));
  const sent = registers(r, 0).map((m: ImsSip) => Math.round(m.sentAt / S));
  assert.deepEqual(sent, [0, 60, 70, 80, 140], 'registration, refused refresh, retry after Retry-After (twice), then the usual refresh 60 s on');
  assert.equal(sig(r, 'msc', 'refresh.retry'), 2);
  assert.equal(sig(r, 'scscf', 'binding.expired'), 0);
  assert.equal(r.summary.probes['ics.unreachable'].last, 0);
  assert.equal(r.summary.rules.failed, 0);

  for (const policy of ['drop', 'give-up-and-report'] as const) {
    const d = await runIcs(refused(policy, ERR_503));
    assert.equal(registers(d, 0).length, 2, `${policy}: no retry`);
    assert.equal(sig(d, 'scscf', 'binding.expired'), 1, `${policy}: the binding runs out at 120 s`);
    assert.equal(d.summary.probes['ics.unreachable'].last, 1, `${policy}: the subscriber, still here, is unreachable`);
    // drop forgets at the refusal (the views disagree until the expiry); give-up keeps the details until then.
    const mismatch = d.summary.probes['ics.mismatched-views'].seconds;
    if (policy === 'drop') assert.ok(mismatch >= 59, `drop: ${mismatch}`);
    else assert.ok(mismatch <= 1, `give-up-and-report: ${mismatch}`);
    if (policy === 'give-up-and-report') assert.equal(sig(d, 'msc', 'refresh.held-expired'), 1);
  }
});

test('423 Interval Too Brief (the S-CSCF raises Min-Expires to 300 s at 50 s): retry-backoff adopts it at once and asks for it from then on', async () => {
  const o = refused('retry-backoff');
  const r = await runIcs({ ...o, duration: '400s', scscf: 'minExpires: 300, minExpiresFrom: 50s' });
  const regs = registers(r, 0);
  const asked = regs.map((m: ImsSip) => (m.expires >= 0 ? m.expires : m.contactExpires));
  assert.deepEqual(asked.slice(0, 3), [120, 120, 300], 'registration, refused refresh, the same refresh asking for Min-Expires');
  assert.equal(Math.round(regs[2].sentAt / S), 60, 'at once (RFC 3261 §10.2.8)');
  assert.equal(sig(r, 'scscf', 'scscf.interval-too-brief'), 1);
  assert.equal(Math.round(regs[3].sentAt / S), 60 + 150, 'the next refresh after half of the 300 s granted');
  const answer = r.entries.find((e) => (e.msg as ImsSip).status === 423 && e.rec.to === 'msc');
  assert.ok(answer, 'the 423 reaches the MSC');
  assert.match(answer.rec.wire ?? '', /^Min-Expires: 300\r$/m, 'carrying Min-Expires (RFC 3261 §10.3 step 7)');
  const d = await runIcs({ ...refused('reregister'), duration: '400s', scscf: 'minExpires: 300, minExpiresFrom: 50s' });
  assert.equal(d.summary.probes['ics.unreachable'].last, 1, 'reregister asks for 120 s again: refused, unregistered once the binding runs out');
});

test('reglab compare ffs/ics-refresh-failure: retrying keeps everyone reachable at ≈ 2 extra REGISTERs each; drop and give-up lose everyone; drop alone leaves the views disagreeing', () => {
  const PATH = 'nodes.msc.params.policies.refreshFailure';
  const U = 'node.msc.signal.subscriber.unreachable.seconds';
  const M = 'metric.ics.mismatched-views.seconds';
  const a = compareFfs('ics-refresh-failure.yaml', PATH, ['drop', 'give-up-and-report', 'retry-backoff'], 1, ['--set', 'population.size=100']);
  const v = a.v;
  assert.match(a.stdout, /refreshFailure: 3 policies × 1 seeds/);
  assert.equal(v('retry-backoff', 'metric.ics.unreachable.last'), 0);
  assert.equal(v('drop', 'metric.ics.unreachable.last'), 100);
  assert.equal(v('give-up-and-report', 'metric.ics.unreachable.last'), 100);
  assert.ok(v('drop', U) > 100 * v('retry-backoff', U));
  assert.equal(v('drop', U), v('give-up-and-report', U), 'the same expiry ends both');
  assert.ok(v('drop', M) > 50 * 100, 'drop: a minute of disagreement each');
  assert.ok(v('give-up-and-report', M) < v('drop', M) / 100);
  assert.equal(v('retry-backoff', 'node.msc.signal.refresh.retry'), 200);
  assert.ok(v('retry-backoff', 'messages') > v('drop', 'messages'));
  for (const p of ['drop', 'give-up-and-report', 'retry-backoff']) assert.equal(v(p, 'rules_failed'), 0, p);
  const b = compareFfs('ics-refresh-failure.yaml', PATH, ['retry-backoff', 'drop'], 1, ['--set', 'population.size=100']);
  for (const p of ['drop', 'retry-backoff']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
