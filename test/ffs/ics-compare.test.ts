import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFfs, type Row } from './compare-harness.ts';

// Issue 5, ICS acceptance: `reglab compare scenarios/ffs/ics-restart-lost-200.yaml --policy …` prints
// a table in which the policies differ in the directions the model implies, reproducibly.

const PATH = 'nodes.msc.params.policies.deregFailure';

// 600 subscribers instead of 2000 (≈ 30 lost answers per run): the same directions, faster.
const compare = (policies: string[], extra: string[] = []) =>
  compareFfs('ics-restart-lost-200.yaml', PATH, policies, 2, ['--set', 'population.size=600', ...extra]);

const num = (rows: Map<string, Row>, policy: string, metric: string): number => {
  const v = rows.get(policy)?.[`${metric}.mean`];
  assert.ok(v !== undefined, `${policy}: no ${metric} column`);
  return v === '' ? NaN : Number(v);
};

const STALE = 'node.scscf.signal.binding.stale.seconds';
const ORPHANED = 'metric.ics.orphaned.seconds';
const OVERHEAD = 'node.msc.signal.overhead.registers';
const CONSISTENT = 'metric.ics.inconsistent.consistent_since_s';

test('compare ics-restart-lost-200 (200 OKs lost): retrying costs REGISTERs for nothing, keeping leaves orphaned state, keep-and-report re-creates stale bindings; same numbers twice', () => {
  const policies = ['clear-locally', 'retry-backoff', 'keep-until-expiry', 'keep-and-report'];
  const a = compare(policies);
  assert.match(a.stdout, /^compare nodes\.msc\.params\.policies\.deregFailure: 4 policies × 2 seeds \(mean ± sd\)$/m);
  for (const p of policies) assert.match(a.stdout, new RegExp(p));
  assert.match(a.stdout, /node\.scscf\.signal\.binding\.stale\.seconds/);
  const r = a.rows;
  const v = (p: string, m: string) => num(r, p, m);
  // The S-CSCF removed each binding before its 200 OK was lost: clearing leaves nothing stale, and
  // retrying (answered 403: nothing to remove) changes nothing there — at one more REGISTER per loss.
  assert.equal(v('clear-locally', STALE), v('retry-backoff', STALE));
  assert.equal(v('clear-locally', OVERHEAD), 0);
  assert.ok(v('retry-backoff', OVERHEAD) > 0);
  assert.ok(v('retry-backoff', 'messages') > v('clear-locally', 'messages'));
  // keep-and-report refreshes for subscribers who left: new bindings, stale to the end, orphaned state.
  assert.ok(v('keep-and-report', STALE) > 100 * v('clear-locally', STALE));
  assert.ok(v('keep-and-report', 'metric.ics.stale-bindings.last') > 0);
  assert.ok(v('keep-and-report', OVERHEAD) > 0);
  // keep-until-expiry: orphaned state (not stale bindings) until the registrations would have expired.
  assert.equal(v('keep-until-expiry', STALE), v('clear-locally', STALE));
  assert.ok(v('keep-until-expiry', ORPHANED) > 0);
  assert.equal(v('clear-locally', ORPHANED), 0);
  assert.equal(v('retry-backoff', ORPHANED), 0);
  // Time to consistency: the reset (clear) < the reset + back-off (retry) < the expiries (keep); never (keep-and-report).
  assert.ok(v('clear-locally', CONSISTENT) < v('retry-backoff', CONSISTENT));
  assert.ok(v('retry-backoff', CONSISTENT) < v('keep-until-expiry', CONSISTENT));
  assert.ok(v('keep-until-expiry', CONSISTENT) >= 600);
  assert.ok(Number.isNaN(v('keep-and-report', CONSISTENT)), 'keep-and-report is never consistent again');
  // Every policy saw the same faults (the same deregistrations failed).
  for (const p of policies) assert.equal(v(p, 'proc.ics-deregistration.failed'), v('clear-locally', 'proc.ics-deregistration.failed'));
  assert.ok(v('clear-locally', 'proc.ics-deregistration.failed') > 15, 'about 5 % of 600');

  // Reproducible: the same seeds give the same numbers and the same trace hashes (two of the
  // policies again, in another order: each run depends on its policy and seed only).
  const b = compare(['keep-and-report', 'clear-locally']);
  for (const p of ['clear-locally', 'keep-and-report']) assert.deepEqual(b.rows.get(p), r.get(p), p);
});

test('compare ics-restart-lost-200 over UDP: Timer E retransmissions recover every lost 200 OK, so no policy is asked and all give the same numbers', () => {
  const policies = ['clear-locally', 'retry-backoff', 'keep-and-report'];
  const { rows } = compare(policies, ['--set', 'network.defaults.transport=datagram']);
  const v = (p: string, m: string) => num(rows, p, m);
  const lost = v('clear-locally', 'node.msc.signal.sip.retransmissions');
  assert.ok(lost > 15, `about 5 % of 600 lost and retransmitted (${lost})`);
  for (const p of policies) {
    assert.equal(v(p, 'proc.ics-deregistration.failed'), 0, `${p}: nothing failed`);
    assert.equal(v(p, OVERHEAD), 0, `${p}: no REGISTER added`);
    assert.ok(!(v(p, 'node.msc.signal.sip.transport-error') > 0), `${p}: no transport error (a signal never raised has no value)`);
    for (const m of [STALE, ORPHANED, 'messages', 'bytes', 'node.msc.signal.sip.retransmissions']) assert.equal(v(p, m), v('clear-locally', m), `${p}: ${m}`);
  }
});

test('compare ics-restart-lost-200 with the REGISTER lost instead: clear-locally has more stale binding-seconds and fewer REGISTERs than retry-backoff', () => {
  const { rows } = compare(['clear-locally', 'retry-backoff'], ['--set', 'faults[1].match.kind=REGISTER', '--set', 'faults[1].match.to=icscf']);
  const v = (p: string, m: string) => num(rows, p, m);
  assert.ok(v('clear-locally', STALE) > 10 * v('retry-backoff', STALE), `${v('clear-locally', STALE)} vs ${v('retry-backoff', STALE)}`);
  assert.ok(v('clear-locally', OVERHEAD) < v('retry-backoff', OVERHEAD));
  assert.ok(v('clear-locally', 'messages') < v('retry-backoff', 'messages'));
  assert.ok(v('clear-locally', 'proc.ics-deregistration.failed') > 15);
  // Over TCP each loss resets the connection and fails what else was in flight on it: a REGISTER
  // that had already reached the I-CSCF is retried too, and that retry meets 403 (already gone).
  assert.ok(v('retry-backoff', 'proc.ics-deregistration.failed') < v('clear-locally', 'proc.ics-deregistration.failed') / 3, 'almost every failed REGISTER was retried successfully');
  assert.ok(v('clear-locally', CONSISTENT) > v('retry-backoff', CONSISTENT), 'consistent only once the stale bindings expire');
});
