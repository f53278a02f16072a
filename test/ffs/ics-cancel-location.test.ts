import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CxMessage } from '../../sim/ims/cx.ts';
import type { ImsSip } from '../../sim/ims/sip-message.ts';
import { cancelLocationRace, sig } from '../ims/ffs-harness.ts';

// Issue 13 item 2: the Cancel Location race as Kamailio's IMS S-CSCF plays it — ims_usrloc_scscf
// keys contacts by URI, so the new MSC's REGISTER adds a contact beside the old one, and the old
// MSC's late deregistration removes only its own ('coexist') — beside 'contact' and 'instance'.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

const race = cancelLocationRace;

test("deregMatch coexist: msc-b's contact is added beside msc's; msc's late deregistration removes its own only — no SAR, msc-b stays registered", async () => {
  const r = await race('coexist');
  assert.equal(sig(r, 'scscf', 'binding.coexisting'), 1, 'two contacts for the identity');
  assert.equal(sig(r, 'scscf', 'binding.removed-coexisting'), 1, "msc's contact removed");
  assert.equal(sig(r, 'scscf', 'binding.removed'), 0, 'the registration was not removed');
  assert.equal(sig(r, 'scscf', 'scscf.dereg-binding-not-matched'), 0);
  const sars = r.entries.filter((e) => e.msg instanceof CxMessage && e.msg.kind === 'SAR');
  assert.equal(sars.length, 1, "only the first registration's SAR: a contact remains, so none for the deregistration");
  const ok = r.entries.find((e) => e.rec.kind === '200 REGISTER' && e.rec.to === 'msc' && (e.msg as ImsSip).cseq === 2)!.msg as ImsSip;
  assert.equal(ok.contactNode, 1, "its 200 OK lists msc-b's remaining contact");
  assert.equal(r.summary.probes['ics.unreachable'].last, 0, 'reachable at msc-b');
  assert.equal(r.summary.probes['ics.mismatched-views'].last, 0);
  assert.deepEqual(r.rules.filter((x) => x.status === 'failed'), []);
  // The other two, for contrast: 'contact' matches nothing, 'instance' removes msc-b's registration.
  const c = await race('contact');
  assert.equal(sig(c, 'scscf', 'binding.coexisting'), 0);
  assert.equal(sig(c, 'scscf', 'scscf.dereg-binding-not-matched'), 1);
  const i = await race('instance');
  assert.equal(i.summary.probes['ics.unreachable'].last, 1);
});

test('reglab compare ffs/ics-cancel-location-race: instance leaves subscribers unreachable; contact and coexist none, coexist by removing the old contacts', () => {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/reglab.mjs'), 'compare', join(ROOT, 'scenarios/ffs/ics-cancel-location-race.yaml'), '--seeds', '2', '--set', 'population.size=200', '--quiet'],
    { encoding: 'utf8', cwd: ROOT },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 policies × 2 seeds/);
  const row = (metric: string) => {
    const line = r.stdout.split('\n').find((l) => l.trim().startsWith(metric + ' ') || l.trim().split(/\s{2,}/)[0] === metric);
    assert.ok(line, `${metric} row in:\n${r.stdout}`);
    return line.trim().split(/\s{2,}/).slice(1).map((c) => Number(c.split(' ')[0]));
  };
  const [contact, instance, coexist] = row('metric.ics.unreachable.last');
  assert.ok(instance > 0, `instance: ${instance} unreachable`);
  assert.equal(contact, 0);
  assert.equal(coexist, 0);
  const removed = row('node.scscf.signal.binding.removed-coexisting');
  assert.ok(removed[2] > 0 && !(removed[0] > 0) && !(removed[1] > 0), `only coexist removes a coexisting contact: ${removed}`);
});
