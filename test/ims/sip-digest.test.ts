/**
 * Content digests in the trace hash (issue 13 item 7): a run whose messages differ only on the wire
 * gets another traceHash, and each message's digest changes whenever its wire text does — over every
 * message of the ICS learn scenarios, and field by field on each SIP message (a field the renderer
 * reads but digest() forgot would show here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { ImsSip } from '../../sim/ims/sip-message.ts';
import { CxMessage } from '../../sim/ims/cx.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LEARN = ['ics-detach-with-call', 'ics-cancel-location', 'ics-msc-maintenance'].map((n) => join(ROOT, 'scenarios/learn', `${n}.yaml`));
const DETACH = LEARN[0];

test('Expires as a header or as a Contact parameter: same kinds, times and ends, different traceHash', async () => {
  const header = await runScenario(loadScenarioFile(DETACH));
  const contact = await runScenario(loadScenarioFile(DETACH, { set: ['nodes.msc.params.expiresIn=contact'] }));
  const shape = (r: typeof header) => r.trace.map((x) => `${x.t} ${x.from} ${x.to} ${x.kind}`).join('\n');
  assert.equal(shape(contact), shape(header), 'the runs differ only in content');
  assert.notEqual(
    contact.trace.map((x) => x.wire).join(''),
    header.trace.map((x) => x.wire).join(''),
    'the wire differs',
  );
  assert.notEqual(contact.summary.traceHash, header.summary.traceHash);
  const again = await runScenario(loadScenarioFile(DETACH, { set: ['nodes.msc.params.expiresIn=contact'] }));
  assert.equal(again.summary.traceHash, contact.summary.traceHash, 'still deterministic');
});

test('over every SIP and Cx message of the ICS learn scenarios: different wire text, different digest; same text, same digest', async () => {
  let n = 0;
  for (const file of LEARN) {
    const r = await runScenario(loadScenarioFile(file, { set: ['observe.watch.first=1000'] }));
    const byWire = new Map<string, number>();
    const byDigest = new Map<number, string>();
    for (const { msg } of r.entries) {
      if (!(msg instanceof ImsSip) && !(msg instanceof CxMessage)) continue;
      const wire = msg.wire();
      const d = msg.digest();
      n++;
      const seen = byWire.get(wire);
      if (seen !== undefined) assert.equal(d, seen, `same wire, same digest:\n${wire}`);
      byWire.set(wire, d);
      const other = byDigest.get(d);
      if (other !== undefined) assert.equal(other, wire, 'two different messages share a digest');
      byDigest.set(d, wire);
    }
  }
  assert.ok(n > 500, `enough messages checked (${n})`);
});

test('field by field: changing any field that shows on the wire changes the SIP digest', async () => {
  const r = await runScenario(loadScenarioFile(DETACH));
  const msgs = r.entries.map((e) => e.msg).filter((m): m is ImsSip => m instanceof ImsSip);
  const kinds = new Set<string>();
  let checked = 0;
  for (const m of msgs) {
    if (kinds.has(m.kind)) continue;
    kinds.add(m.kind);
    const wire = m.wire();
    const d = m.digest();
    for (const key of Object.keys(m)) {
      const value = (m as unknown as Record<string, unknown>)[key];
      if (typeof value !== 'number') continue;
      for (const changed of [value + 1, value === -1 ? 0 : -1, value ^ 0x40000000]) {
        const c = m.copy();
        (c as unknown as Record<string, number>)[key] = changed;
        let w: string;
        try {
          w = c.wire();
        } catch {
          continue; // a value the renderer cannot show (e.g. a node index beyond the run)
        }
        if (w === wire) continue;
        checked++;
        assert.notEqual(c.digest(), d, `${m.kind}: ${key} ${value} → ${changed} changes the wire but not the digest`);
      }
    }
    // The Via chain: another branch on the top hop.
    if (m.via) {
      const c = m.copy();
      c.via = { ...m.via, branch: m.via.branch + 1 } as typeof m.via;
      assert.notEqual(c.wire(), wire);
      assert.notEqual(c.digest(), d, `${m.kind}: the Via branch`);
    }
    // The reason phrase of a response.
    if (m.status !== 0) {
      const c = m.copy();
      c.reason = m.reason + 'x';
      assert.notEqual(c.digest(), d, `${m.kind}: the reason phrase`);
    }
  }
  assert.ok(kinds.size >= 10, `kinds covered: ${[...kinds].join(', ')}`);
  assert.ok(checked > 100, `field changes checked (${checked})`);
});
