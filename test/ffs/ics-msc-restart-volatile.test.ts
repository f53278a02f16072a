import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTART_RECOVERY_POLICIES } from '../../sim/policies/msc-restart-recovery.ts';
import { runIcs, sig } from '../ims/ffs-harness.ts';
import { compareFfs } from './compare-harness.ts';

// Issue 13 item 8: an MSC restart that loses its registrations (volatile store) and the recovery
// policies; a persistent store (the default) loses nothing.

test('pure decisions: nothing lost, nothing to do', () => {
  assert.equal(RESTART_RECOVERY_POLICIES['reregister-all']({ registrations: 0 }), 'wait');
  assert.equal(RESTART_RECOVERY_POLICIES['reregister-all']({ registrations: 3 }), 'reregister');
  assert.equal(RESTART_RECOVERY_POLICIES['deregister-all']({ registrations: 3 }), 'deregister');
  assert.equal(RESTART_RECOVERY_POLICIES['wait-for-activity']({ registrations: 3 }), 'wait');
});

const restart = (store: string, policy = 'wait-for-activity') =>
  runIcs({
    population: 20,
    duration: '100s',
    ims: 'preRegistered: { msc: msc, scscf: scscf }',
    msc: `expires: 1200, sweepSpread: 2s, registrationStore: ${store}, policies: { restartRecovery: ${policy} }`,
    workload: ['- { target: msc, event: location-update, pattern: { kind: all-at-once, at: 60s } }'],
    faults: ['- { kind: crash, node: msc, at: 10s, restartAfter: 5s }'],
  });

test('a crash with a persistent store loses nothing; a volatile one forgets every registration while the S-CSCF keeps its bindings, until the location updates at 60 s', async () => {
  const p = await restart('persistent');
  assert.equal(sig(p, 'msc', 'registration.lost'), 0);
  assert.equal(p.summary.probes['ics.mismatched-views'].max, 0);
  assert.equal(sig(p, 'msc', 'register.already'), 20, 'still registered: the location updates change nothing');

  const v = await restart('volatile');
  assert.equal(sig(v, 'msc', 'registration.lost'), 20);
  assert.equal(v.summary.probes['ics.mismatched-views'].max, 20, 'the S-CSCF binds 20 subscribers the MSC no longer knows');
  const mm = v.summary.probes['ics.mismatched-views'].seconds;
  assert.ok(mm >= 20 * 49 && mm <= 20 * 51, `from the crash (10 s) to the location updates (60 s): ${mm}`);
  assert.equal(sig(v, 'scscf', 'binding.replaced'), 20, 'each registered anew (fresh Call-ID), replacing the old binding');
  assert.equal(v.summary.probes['ics.unreachable'].max, 0, 'the bindings still route to this MSC');
  assert.equal(v.summary.rules.failed, 0);

  const d = await restart('volatile', 'deregister-all');
  assert.equal(sig(d, 'scscf', 'binding.removed'), 20, 'removed by the Contact alone (ims_usrloc_scscf matching_mode 0)');
  assert.ok(sig(d, 'msc', 'subscriber.unreachable') === 0 && d.summary.probes['ics.unreachable'].max === 20, 'unreachable from the deregistration to the location update');
  const dc = await runIcs({
    population: 20,
    duration: '100s',
    ims: 'preRegistered: { msc: msc, scscf: scscf }',
    scscf: 'bindingMatch: contact-call-id',
    msc: 'expires: 1200, sweepSpread: 2s, registrationStore: volatile, policies: { restartRecovery: deregister-all }',
    workload: ['- { target: msc, event: location-update, pattern: { kind: all-at-once, at: 60s } }'],
    faults: ['- { kind: crash, node: msc, at: 10s, restartAfter: 5s }'],
  });
  assert.equal(sig(dc, 'scscf', 'binding.removed'), 0, 'matching_mode 1: the fresh Call-ID matches nothing');
});

test('reglab compare ffs/ics-msc-restart-volatile: wait-for-activity disagrees longest but sends least; reregister-all repairs in seconds; deregister-all leaves everyone unreachable until their activity', () => {
  const PATH = 'nodes.msc.params.policies.restartRecovery';
  const a = compareFfs('ics-msc-restart-volatile.yaml', PATH, ['wait-for-activity', 'reregister-all', 'deregister-all'], 1, ['--set', 'population.size=100']);
  const v = a.v;
  const M = 'metric.ics.mismatched-views.seconds';
  const U = 'node.msc.signal.subscriber.unreachable.seconds';
  for (const p of ['wait-for-activity', 'reregister-all', 'deregister-all']) assert.equal(v(p, 'node.msc.signal.registration.lost'), 100, p);
  assert.ok(v('wait-for-activity', M) > 10 * v('reregister-all', M), `${v('wait-for-activity', M)} vs ${v('reregister-all', M)}`);
  assert.ok(v('deregister-all', M) < v('wait-for-activity', M) / 10);
  assert.equal(v('wait-for-activity', U), 0);
  assert.equal(v('reregister-all', U), 0);
  assert.ok(v('deregister-all', U) > 100 * 100, 'minutes each, until the location update');
  assert.ok(v('wait-for-activity', 'messages') < v('reregister-all', 'messages'));
  assert.ok(v('wait-for-activity', 'messages') < v('deregister-all', 'messages'));
  assert.ok(v('reregister-all', 'metric.ics.inconsistent.consistent_since_s') < 60);
  assert.ok(v('wait-for-activity', 'metric.ics.inconsistent.consistent_since_s') > 500);
  const b = compareFfs('ics-msc-restart-volatile.yaml', PATH, ['deregister-all', 'reregister-all'], 1, ['--set', 'population.size=100']);
  for (const p of ['deregister-all', 'reregister-all']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
