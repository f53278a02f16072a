import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECOND } from '../../sim/kernel/time.ts';
import { ImsSip } from '../../sim/ims/sip-message.ts';
import { MscState } from '../../sim/ims/msc-ics.ts';
import { EXTERNAL_CLIENT_POLICIES } from '../../sim/policies/scscf-external-clients.ts';
import { Rig } from './harness.ts';
import { readFileSync } from 'node:fs';
import { loadScenarioText } from '../../sim/scenario/load.ts';

test('external-clients policies: the whole decision table', () => {
  const table = [];
  for (const [name, admit] of Object.entries(EXTERNAL_CLIENT_POLICIES))
    for (const authDone of [false, true]) for (const trusted of [false, true]) table.push(`${name} authDone=${authDone} trusted=${trusted}: ${admit({ authDone, trusted })}`);
  assert.deepEqual(table, [
    'auth-done authDone=false trusted=false: false',
    'auth-done authDone=false trusted=true: false',
    'auth-done authDone=true trusted=false: true',
    'auth-done authDone=true trusted=true: true',
    'trusted authDone=false trusted=false: false',
    'trusted authDone=false trusted=true: true',
    'trusted authDone=true trusted=false: false',
    'trusted authDone=true trusted=true: true',
    'accept-unauthenticated authDone=false trusted=false: true',
    'accept-unauthenticated authDone=false trusted=true: true',
    'accept-unauthenticated authDone=true trusted=false: true',
    'accept-unauthenticated authDone=true trusted=true: true',
  ]);
});

/**
 * The MSC registers straight with the S-CSCF (no I-CSCF, so the S-CSCF's sender is the MSC), its
 * REGISTERs optionally stripped of auth-done on the way (a client that brings no IMS AKA).
 */
function attempt(scscf: Record<string, unknown>, stripAuth: boolean) {
  const r = new Rig(1);
  const n = r.core({ icscf: 'scscf' }, scscf);
  if (stripAuth) {
    r.net.interceptor = {
      onSend(_from, _to, msg) {
        if (msg instanceof ImsSip && msg.method === 'REGISTER') msg.authDone = false;
        return undefined;
      },
    } as typeof r.net.interceptor;
  }
  r.startAll();
  r.trigger(n.msc, 'attach', 0, 0);
  r.run(5 * SECOND);
  const answers = r.kinds('403 REGISTER').length;
  return { registered: n.scscf.bindMsc[0] === n.msc.index && n.msc.st[0] === MscState.Registered, forbidden: answers > 0, sars: r.kinds('SAR').length };
}

test('S-CSCF externalClients: auth-done (default) admits the claim from anyone and refuses a REGISTER without it', () => {
  assert.deepEqual(attempt({}, false), { registered: true, forbidden: false, sars: 1 });
  assert.deepEqual(attempt({}, true), { registered: false, forbidden: true, sars: 0 });
});

test('S-CSCF externalClients: trusted admits only the listed senders, with or without auth-done', () => {
  assert.deepEqual(attempt({ externalClients: 'trusted' }, false), { registered: false, forbidden: true, sars: 0 }, 'auth-done from an untrusted sender is refused');
  assert.deepEqual(attempt({ externalClients: 'trusted', trusted: ['msc'] }, true), { registered: true, forbidden: false, sars: 1 });
});

test('S-CSCF externalClients: accept-unauthenticated admits a REGISTER without Authorization', () => {
  assert.deepEqual(attempt({ externalClients: 'accept-unauthenticated' }, true), { registered: true, forbidden: false, sars: 1 });
});

test('S-CSCF externalClients: a trusted sender that is no node of the scenario is refused at load, naming the field', () => {
  const yaml = (trusted: string) =>
    readFileSync(new URL('../../scenarios/emulate/ims-core-external-clients.yaml', import.meta.url), 'utf8').replace(
      'params: { hss: hss, farEnd: far }',
      `params: { hss: hss, farEnd: far, externalClients: trusted, trusted: [${trusted}] }`,
    );
  assert.doesNotThrow(() => loadScenarioText(yaml('msc'), 'x.yaml'));
  assert.throws(() => loadScenarioText(yaml('nobody'), 'x.yaml'), /trusted\[0\][^\n]*nobody/);
});
