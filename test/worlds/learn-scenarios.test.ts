// The IMS and MSGin5G procedures on the learn scenarios, in every world (test/worlds/world.ts): the
// same rule verdicts and, per subscriber, the same message sequence (who sent what to whom) as in
// the simulation — the reference. The simulation world itself must pass every rule that applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../sim/scenario/run.ts';
import { REFERENCE, WORLDS, type ScenarioOptions } from './world.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LEARN = join(ROOT, 'scenarios/learn');

/** What the worlds must agree on: each rule's verdict, and each subscriber's messages in order. */
function verdicts(r: RunResult): Record<string, string> {
  return Object.fromEntries(r.rules.map((x) => [x.id, x.status]));
}

function sequences(r: RunResult): Map<number, string[]> {
  const by = new Map<number, string[]>();
  for (const rec of r.trace) {
    for (const s of rec.subscribers.length ? rec.subscribers : [-1]) {
      let l = by.get(s);
      if (!l) by.set(s, (l = []));
      l.push(`${rec.from}→${rec.to} ${rec.kind}${rec.event === 'dropped' ? ` (dropped: ${rec.reason})` : ''}`);
    }
  }
  return by;
}

const cases: { label: string; file: string; opts?: ScenarioOptions }[] = readdirSync(LEARN)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ label: f.replace(/\.yaml$/, ''), file: join(LEARN, f) }));
// Retransmissions: SUBSCRIBE, NOTIFY, INVITE and BYE over a lossy UDP link between the MSC and
// the S-CSCF, so server transactions absorb retransmitted requests and client transactions the
// repeated answers (RFC 3261 §17.1.2, §17.2.2) — matched by branch and sent-by, whatever object
// arrives. (Not the MSC–I-CSCF link: rule 24.292:6.3.6.2/7 counts a lost first copy of a REGISTER
// as a REGISTER that never reached an I-CSCF, even when its retransmission did.)
cases.push({
  label: 'ics-detach-with-call over lossy UDP (retransmissions)',
  file: join(LEARN, 'ics-detach-with-call.yaml'),
  opts: { set: ['network.links[1].loss=0.3'], seed: 3 },
});

const references = new Map<string, Promise<RunResult>>();
const reference = (c: (typeof cases)[number]) => {
  let p = references.get(c.label);
  if (!p) references.set(c.label, (p = REFERENCE.runScenario(c.file, c.opts)));
  return p;
};

for (const c of cases) {
  test(`${REFERENCE.name}: ${c.label} — no rule fails, and the run has messages to compare`, async () => {
    const r = await reference(c);
    const failed = r.rules.filter((x) => x.status === 'failed').map((x) => `${x.id}: ${x.detail}`);
    assert.deepEqual(failed, []);
    assert.ok(r.rules.some((x) => x.status === 'passed'), 'some rule applies');
    assert.ok(r.trace.length > 0, 'a watched trace');
  });
  for (const w of WORLDS) {
    if (w === REFERENCE) continue;
    test(`${w.name}: ${c.label} — the same verdicts and per-subscriber message sequences as ${REFERENCE.name}`, async () => {
      const [ref, got] = await Promise.all([reference(c), w.runScenario(c.file, c.opts)]);
      assert.deepEqual(verdicts(got), verdicts(ref));
      const a = sequences(ref);
      const b = sequences(got);
      assert.deepEqual([...b.keys()].sort((x, y) => x - y), [...a.keys()].sort((x, y) => x - y), 'the same subscribers');
      for (const [s, seq] of a) assert.deepEqual(b.get(s), seq, `subscriber ${s}`);
    });
  }
}

test('the lossy case really retransmits (else it would test nothing more than the plain one)', async () => {
  const lossy = await reference(cases[cases.length - 1]);
  const plain = await reference(cases.find((c) => c.label === 'ics-detach-with-call')!);
  assert.ok(lossy.summary.messages.dropped > 0, 'messages were lost');
  const msc = (r: RunResult) => r.trace.filter((x) => (x.from === 'msc' && x.to === 'scscf') || (x.from === 'scscf' && x.to === 'msc')).length;
  assert.ok(msc(lossy) > msc(plain), `retransmissions between the MSC and the S-CSCF (${msc(lossy)} vs ${msc(plain)} messages)`);
});
