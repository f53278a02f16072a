import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SECOND } from '../../sim/kernel/time.ts';
import { ImsSip, Via } from '../../sim/ims/sip-message.ts';
import { parseSip } from '../../sim/sip/parser.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { Rig } from './harness.ts';

// Issue 13 item 6: P-Asserted-Identity (RFC 3325) on what the MSC Server enhanced for ICS sends into
// IMS as the served user — the reg-event SUBSCRIBE, INVITE and BYE (TS 24.229, TS 24.292) — and the
// S-CSCF refusing a reg-event SUBSCRIBE without it, as Kamailio's ims_registrar_scscf does
// (can_subscribe_to_reg: "P-Asserted-Identity empty").

const ROOT = join(import.meta.dirname, '..', '..');

test("the MSC's SUBSCRIBE, INVITE and BYE carry P-Asserted-Identity = the From identity; its REGISTER and the answers do not", async () => {
  const r = await runScenario(loadScenarioFile(join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml')));
  const fromMsc = r.entries.filter((e) => e.msg instanceof ImsSip && e.rec.from === 'msc');
  const seen = new Set<string>();
  for (const e of fromMsc) {
    const p = parseSip(e.rec.wire);
    assert.ok(p.ok, e.rec.kind);
    const pai = p.msg.header('p-asserted-identity');
    const m = e.msg as ImsSip;
    if (m.status === 0 && ['SUBSCRIBE', 'INVITE', 'BYE'].includes(m.method)) {
      seen.add(m.method);
      assert.equal(pai, `<${p.fields.from.uriText}>`, `${m.kind}: the asserted identity is the one From names`);
    } else assert.equal(pai, undefined, `${m.kind} has none`);
  }
  assert.deepEqual([...seen].sort(), ['BYE', 'INVITE', 'SUBSCRIBE']);
  // The INVITE from the second dialog slot asserts the implicitly registered tel-style SIP URI.
  assert.ok(fromMsc.some((e) => /^P-Asserted-Identity: <sip:\+447700900123@ims[^>]*;user=phone>$/m.test(e.rec.wire.replace(/\r/g, ''))));
  assert.deepEqual(r.rules.filter((x) => x.status === 'failed'), []);
});

test('the S-CSCF answers a reg-event SUBSCRIBE without P-Asserted-Identity 403, and accepts the same one with it', () => {
  const r = new Rig(1);
  const n = r.core();
  const probe = r.probe('peer');
  r.startAll();
  r.trigger(n.msc, 'attach', 0, 0);
  r.run(2 * SECOND);
  const original = r.kinds('SUBSCRIBE')[0].msg as ImsSip;
  assert.ok(original.assertedIdentity);
  const send = (withPai: boolean, branch: number, at: number) => {
    const m = original.copy();
    m.via = new Via(probe.index, branch, false, null);
    m.assertedIdentity = withPai;
    m.seal(original.procedure, undefined);
    r.sim.post(at, () => probe.sendTo(n.scscf.index, m));
  };
  send(false, 101, 3 * SECOND);
  send(true, 102, 4 * SECOND);
  r.run(6 * SECOND);
  const answers = probe.received.map((x) => x.msg as ImsSip).filter((m) => m.method === 'SUBSCRIBE');
  assert.deepEqual(
    answers.map((m) => [m.via!.branch, m.status]),
    [
      [101, 403],
      [102, 200],
    ],
  );
  assert.equal(r.signals.count('scscf.subscribe-no-asserted-identity'), 1);
});
