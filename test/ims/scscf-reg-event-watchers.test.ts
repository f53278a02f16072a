/**
 * Several reg-event watchers per registration at the S-CSCF (issue 13 item 13): an MSC change
 * (msc-b registers the subscriber msc registered, and subscribes too) must not silently end msc's
 * subscription unless the S-CSCF's regEventWatchers policy says so; when the registration ends,
 * every watcher still subscribed gets the final NOTIFY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImsSip } from '../../sim/ims/sip-message.ts';
import { REG_EVENT_WATCHERS_POLICIES } from '../../sim/policies/scscf-reg-event-watchers.ts';
import { REG_EVENT_AUTHORIZATION_POLICIES } from '../../sim/policies/scscf-reg-event-authorization.ts';
import { runIcs, sig } from './ffs-harness.ts';
import { compareFfs } from '../ffs/compare-harness.ts';

test('regEventWatchers and regEventAuthorization: the whole decision tables', () => {
  const rows: string[] = [];
  for (const [name, p] of Object.entries(REG_EVENT_WATCHERS_POLICIES)) for (const sameWatcher of [false, true]) rows.push(`${name} sameWatcher=${sameWatcher}: ${p({ sameWatcher })}`);
  for (const [name, p] of Object.entries(REG_EVENT_AUTHORIZATION_POLICIES))
    for (const assertedOwn of [false, true]) for (const externalClient of [false, true]) rows.push(`${name} assertedOwn=${assertedOwn} externalClient=${externalClient}: ${p({ assertedOwn, externalClient })}`);
  assert.deepEqual(rows, [
    'keep-all sameWatcher=false: keep',
    'keep-all sameWatcher=true: end',
    'replace sameWatcher=false: end',
    'replace sameWatcher=true: end',
    'asserted-own assertedOwn=false externalClient=false: false',
    'asserted-own assertedOwn=false externalClient=true: false',
    'asserted-own assertedOwn=true externalClient=false: true',
    'asserted-own assertedOwn=true externalClient=true: true',
    'external-clients assertedOwn=false externalClient=false: false',
    'external-clients assertedOwn=false externalClient=true: true',
    'external-clients assertedOwn=true externalClient=false: true',
    'external-clients assertedOwn=true externalClient=true: true',
  ]);
});

/** msc registers subscriber 0 at 0 s and subscribes; msc-b registers it at 10 s (an MSC change) and subscribes; msc-b detaches at 20 s. */
const mscChange = (policy?: string) =>
  runIcs({
    duration: '30s',
    mscB: '',
    scscf: policy ? `regEventWatchers: ${policy}` : undefined,
    workload: [
      '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      '- { target: msc-b, event: location-update, pattern: { kind: all-at-once, at: 10s } }',
      '- { target: msc-b, event: detach, pattern: { kind: all-at-once, at: 20s } }',
    ],
  });

/** The NOTIFYs the S-CSCF sent to `to`, in order: t (s), Subscription-State and registration state. */
function notifies(r: Awaited<ReturnType<typeof runIcs>>, to: string): string[] {
  return r.entries
    .filter((e) => e.rec.kind === 'NOTIFY' && e.rec.from === 'scscf' && e.rec.to === to && e.rec.event === 'delivered')
    .map((e) => {
      const m = e.msg as ImsSip;
      return `${Math.floor(e.rec.t / 1e9)}s sub=${m.subTerminated ? 'terminated' : 'active'} reg=${m.regTerminated ? 'terminated' : 'active'}`;
    });
}

test('an MSC change under keep-all (the default, Kamailio ims_registrar_scscf): both watchers kept, and both get the terminated NOTIFY when the registration ends', async () => {
  const r = await mscChange();
  assert.equal(sig(r, 'scscf', 'scscf.watcher-replaced'), 0, "msc-b's SUBSCRIBE ends no other subscription");
  // msc: the NOTIFY after its SUBSCRIBE, the one telling of msc-b's new contact (10 s; msc, still
  // believing it registered, accepts it), then the final one at the deregistration.
  assert.deepEqual(notifies(r, 'msc'), ['0s sub=active reg=active', '10s sub=active reg=active', '20s sub=terminated reg=terminated']);
  assert.deepEqual(notifies(r, 'msc-b'), ['10s sub=active reg=active', '20s sub=terminated reg=terminated']);
  const final = r.entries.filter((e) => e.rec.kind === 'NOTIFY' && e.rec.t >= 20e9).map((e) => (e.msg as ImsSip).wire());
  assert.equal(final.length, 2);
  for (const w of final) {
    assert.match(w, /Subscription-State: terminated/);
    assert.match(w, /<registration aor="[^"]+" id="[^"]+" state="terminated">/);
  }
  // Each in its own dialog: its own Call-ID and tags.
  assert.notEqual(/Call-ID: (\S+)/.exec(final[0]!)![1], /Call-ID: (\S+)/.exec(final[1]!)![1]);
});

test('an MSC change under replace (one watcher, the model before): msc-b ends msc\'s subscription at once, and only msc-b hears of the deregistration', async () => {
  const r = await mscChange('replace');
  assert.equal(sig(r, 'scscf', 'scscf.watcher-replaced'), 1);
  // msc hears of msc-b's contact (its REGISTER), then its subscription ends when msc-b's SUBSCRIBE arrives.
  assert.deepEqual(notifies(r, 'msc'), ['0s sub=active reg=active', '10s sub=active reg=active', '10s sub=terminated reg=active']);
  assert.deepEqual(notifies(r, 'msc-b'), ['10s sub=active reg=active', '20s sub=terminated reg=terminated']);
});

test('reglab compare ffs/ics-reg-event-watchers: keep-all leaves the old MSC a watcher (NOTIFYs for its cancelled subscription, second-watcher seconds), replace ends it when msc-b subscribes; reachability and message count the same; same rows twice', () => {
  const PATH = 'nodes.scscf.params.regEventWatchers';
  const opts = ['--set', 'population.size=60'];
  const a = compareFfs('ics-reg-event-watchers.yaml', PATH, ['keep-all', 'replace'], 1, opts);
  const v = (p: string, m: string) => a.v(p, m) || 0; // an absent signal is 0
  assert.equal(v('keep-all', 'node.scscf.signal.scscf.watcher-replaced'), 0);
  assert.ok(v('replace', 'node.scscf.signal.scscf.watcher-replaced') > 15, 'msc-b won the race for part of the subscribers: their msc subscription ended at once');
  assert.ok(v('keep-all', 'node.scscf.signal.reg-event.second-watchers.seconds') > 100, 'keep-all: the S-CSCF holds msc beside msc-b until the detach');
  assert.equal(v('replace', 'node.scscf.signal.reg-event.second-watchers.seconds'), 0);
  assert.ok(v('keep-all', 'node.msc.signal.notify.after-cancel') > v('replace', 'node.msc.signal.notify.after-cancel'), 'keep-all: msc hears the final deregistration of a subscription it considers cancelled');
  assert.equal(v('keep-all', 'metric.ics.unreachable.last'), v('replace', 'metric.ics.unreachable.last'));
  assert.equal(v('keep-all', 'messages'), v('replace', 'messages'), 'one NOTIFY to msc either way: the final one (keep-all) or the replacing one (replace)');
  const b = compareFfs('ics-reg-event-watchers.yaml', PATH, ['replace', 'keep-all'], 1, opts);
  for (const p of ['keep-all', 'replace']) assert.deepEqual(b.rows.get(p), a.rows.get(p), `${p}: the same numbers and trace hash again`);
});
