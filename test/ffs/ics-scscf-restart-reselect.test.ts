import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICSCF_RESTORATION_POLICIES } from '../../sim/policies/icscf-restoration.ts';
import { CxCommand, CxMessage, UserAuthorizationType } from '../../sim/ims/cx.ts';
import { loadScenarioText } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { sig } from '../ims/ffs-harness.ts';
import { compareFfs, ROOT } from './compare-harness.ts';

// Issue 13 item 9, second half: the I-CSCF re-selecting another S-CSCF when the one the HSS names
// does not answer (TS 29.228 §6.1.1 REGISTRATION_AND_CAPABILITIES, Kamailio ims_icscf I_scscf_select).

test('pure decisions: reselect on no answer or a 5xx while an untried S-CSCF is left; answer-failure never', () => {
  const r = ICSCF_RESTORATION_POLICIES.reselect;
  assert.equal(r({ status: 408, tried: 1, known: 2 }), 'reselect');
  assert.equal(r({ status: 503, tried: 1, known: 2 }), 'reselect');
  assert.equal(r({ status: 408, tried: 2, known: 2 }), 'answer', 'every S-CSCF tried');
  assert.equal(r({ status: 403, tried: 1, known: 2 }), 'answer', 'a refusal is an answer');
  assert.equal(ICSCF_RESTORATION_POLICIES['answer-failure']({ status: 408, tried: 1, known: 2 }), 'answer');
});

const FILE = join(ROOT, 'scenarios/ffs/ics-scscf-restart-reselect.yaml');

test('reselect: a refresh the failed S-CSCF does not answer within scscfTimeout goes to scscf-b after UAR REGISTRATION_AND_CAPABILITIES; the MSC follows the new Service-Route', async () => {
  const sc = loadScenarioText(readFileSync(FILE, 'utf8'), FILE, {
    set: ['population.size=40', 'nodes[1].params.restoration=reselect', 'observe.watch.first=40'],
  });
  const r = await runScenario(sc);
  const moved = sig(r, 'icscf', 'icscf.scscf-reselect');
  assert.ok(moved > 10, `refreshes in the outage (10 s … 310 s of 600 s): ${moved}`);
  assert.equal(sig(r, 'icscf', 'icscf.scscf-no-answer'), moved, 'each after the 2 s branch timer');
  assert.equal(sig(r, 'scscf-b', 'binding.created'), moved);
  let capabilities = 0;
  for (const e of r.entries) {
    const m = e.msg;
    if (m instanceof CxMessage && m.request && m.command === CxCommand.UserAuthorization && m.authType === UserAuthorizationType.RegistrationAndCapabilities && e.rec.event === 'delivered') capabilities++;
  }
  assert.equal(capabilities, moved);
  assert.equal(sig(r, 'msc', 'sip.timeout'), 0, "the MSC's SUBSCRIBE refreshes follow the registration to scscf-b");
  assert.equal(r.summary.probes['ics.unreachable'].last, 0);
  assert.equal(r.summary.rules.failed, 0);
});

test('reglab compare ffs/ics-scscf-restart-reselect: reselect ends the outage 2 s after each refresh; answer-failure leaves subscribers unreachable to the end; same rows and trace hashes twice', () => {
  const PATH = 'nodes.icscf.params.restoration';
  const small = ['--set', 'population.size=200'];
  const a = compareFfs('ics-scscf-restart-reselect.yaml', PATH, ['answer-failure', 'reselect'], 1, small);
  const v = a.v;
  const z = (p: string, m: string) => (Number.isNaN(v(p, m)) ? 0 : v(p, m));
  const U = 'node.msc.signal.subscriber.unreachable.seconds';
  assert.ok(v('reselect', U) < 0.8 * v('answer-failure', U), `${v('reselect', U)} vs ${v('answer-failure', U)}`);
  assert.equal(v('reselect', 'metric.ics.unreachable.last'), 0);
  assert.ok(v('answer-failure', 'metric.ics.unreachable.last') > 0, 'registrations given up against the dead S-CSCF');
  assert.ok(z('answer-failure', 'proc.ics-registration.failed') > 0);
  assert.equal(z('reselect', 'proc.ics-registration.failed'), 0);
  assert.equal(z('answer-failure', 'node.scscf-b.signal.binding.created'), 0);
  assert.ok(v('reselect', 'node.scscf-b.signal.binding.created') > 0);
  assert.equal(v('reselect', 'node.scscf-b.signal.binding.created'), v('reselect', 'node.icscf.signal.icscf.scscf-reselect'));
  for (const p of ['answer-failure', 'reselect']) assert.equal(v(p, 'rules_failed'), 0, p);
  const b = compareFfs('ics-scscf-restart-reselect.yaml', PATH, ['reselect', 'answer-failure'], 1, small);
  for (const p of ['answer-failure', 'reselect']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
