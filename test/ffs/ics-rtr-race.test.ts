import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFfs } from './compare-harness.ts';

// Issue 13 item 12: the HSS's RTR racing the MSC's own deregistration, as an ffs scenario whose
// policy choice (regEventDuringDereg) `reglab compare` weighs.

test('reglab compare ffs/ics-rtr-race: trust-notify ends the early-RTR deregistrations without a REGISTER (no 403s, fewer messages), the bindings go at the same times; same numbers twice', () => {
  const PATH = 'nodes.msc.params.policies.regEventDuringDereg';
  const a = compareFfs('ics-rtr-race.yaml', PATH, ['ignore', 'trust-notify'], 1, ['--set', 'population.size=150']);
  const v = a.v;
  const sig = (p: string, n: string) => v(p, `node.msc.signal.${n}`);
  assert.ok(sig('ignore', 'dereg.failed-403') > 10, 'RTRs during the release: the REGISTER meets an HSS that forgot the registration');
  assert.ok(Number.isNaN(sig('trust-notify', 'dereg.failed-403')) || sig('trust-notify', 'dereg.failed-403') === 0);
  assert.ok(sig('trust-notify', 'dereg.finished-by-notify') >= sig('ignore', 'dereg.failed-403'));
  assert.ok(sig('ignore', 'dereg.not-registered') > 30, 'RTR before the detach: nothing left to do');
  assert.equal(sig('ignore', 'dereg.not-registered'), sig('trust-notify', 'dereg.not-registered'), 'the same races either way');
  const stale = 'node.scscf.signal.binding.stale.seconds';
  assert.equal(v('ignore', stale), v('trust-notify', stale), 'the S-CSCF loses each binding at the same time');
  assert.equal(v('ignore', 'node.scscf.signal.binding.removed-by-hss'), v('trust-notify', 'node.scscf.signal.binding.removed-by-hss'));
  assert.ok(v('ignore', 'messages') - v('trust-notify', 'messages') >= 4 * sig('ignore', 'dereg.failed-403') - 1, 'REGISTER, UAR, UAA, 403 saved per early RTR');
  assert.ok(v('trust-notify', 'proc.ics-deregistration.completed') > v('ignore', 'proc.ics-deregistration.completed'));
  for (const p of ['ignore', 'trust-notify']) {
    assert.equal(v(p, 'metric.ics.inconsistent.last'), 0, `${p}: consistent at the end`);
    assert.equal(v(p, 'rules_failed'), 0, p);
  }
  const b = compareFfs('ics-rtr-race.yaml', PATH, ['trust-notify', 'ignore'], 1, ['--set', 'population.size=150']);
  for (const p of ['ignore', 'trust-notify']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
