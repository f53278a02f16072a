/**
 * The trace's marks (TraceRecord.marks): written by the code that renders each header or JSON field,
 * they must point at the text that realises the step — for every message of the learn scenarios.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function trace(name: string): Promise<TraceRecord[]> {
  return (await runScenario(loadScenarioFile(join(ROOT, 'scenarios/learn', name), { seed: 1 }))).trace;
}

function marked(r: TraceRecord, rule: string): string[] {
  return (r.marks ?? []).filter((m) => m.rule === rule).map((m) => r.wire.slice(m.start, m.end));
}

function wellFormed(t: TraceRecord[]): void {
  for (const r of t) {
    for (const m of r.marks ?? []) {
      assert.ok(r.rules.includes(m.rule), `#${r.seq} marks ${m.rule}, which it does not cite`);
      assert.ok(m.start >= 0 && m.start < m.end && m.end <= r.wire.length, `#${r.seq} ${m.rule}: [${m.start}, ${m.end}) outside the wire text`);
    }
  }
}

test('ics-detach-with-call: the deregistration REGISTER marks Request-URI, From, To, Contact with +sip.instance, Via, Expires: 0; the UAR its type', async () => {
  const t = await trace('ics-detach-with-call.yaml');
  wellFormed(t);
  const reg = t.find((r) => r.kind === 'REGISTER' && r.from === 'msc' && r.rules.includes('24.292:6.3.6.2/6'))!;
  assert.ok(reg, 'no deregistration REGISTER');
  assert.deepEqual(marked(reg, '24.292:6.3.6.2/6'), ['Expires: 0']);
  const contact = marked(reg, '24.292:6.3.6.2/4');
  assert.equal(contact.length, 1);
  assert.match(contact[0]!, /^Contact: <sip:[^>]+>.*\+sip\.instance="<urn:gsma:imei:/);
  assert.match(marked(reg, '24.292:6.3.6.2/1')[0]!, /^REGISTER sip:ics\.mnc\d{3}\.mcc\d{3}\.3gppnetwork\.org SIP\/2\.0$/);
  assert.match(marked(reg, '24.292:6.3.6.2/2')[0]!, /^From: <sip:\d+@ics\./);
  assert.match(marked(reg, '24.292:6.3.6.2/3')[0]!, /^To: <sip:\d+@ics\./);
  assert.match(marked(reg, '24.292:6.3.6.2/5')[0]!, /^Via: SIP\/2\.0\/(UDP|TCP) /);
  assert.deepEqual(marked(reg, '24.292:6.3.6.2/reg-event'), [], 'the reg-event step is no header: nothing to mark');
  const uar = t.find((r) => r.seq > reg.seq && r.kind === 'UAR')!;
  assert.deepEqual(marked(uar, '24.229:5.3.1.2/uar-type'), ['User-Authorization-Type (623, V 10415, M): 1 DE_REGISTRATION']);
  // A registration REGISTER cites no §6.3.6.2 step, so it marks none.
  const first = t.find((r) => r.kind === 'REGISTER')!;
  assert.equal(first.marks, undefined);
});

test('msgin5g-bulk and -deregister: the bulk IEs of Table 8.2.X-1/-2 and the UE Service ID of Table 8.2.4-1 are marked', async () => {
  const bulk = await trace('msgin5g-bulk.yaml');
  wellFormed(bulk);
  const req = bulk.find((r) => r.kind === 'bulk-registration')!;
  assert.deepEqual(
    marked(req, '23.554:8.2.X/2').map((s) => s.split(':')[0]),
    ['"bulkRegistrationIndicator"', '"numberOfRequests"', '"requests"'],
  );
  const list = marked(req, '23.554:8.2.X/2')[2]!;
  assert.doesNotThrow(() => JSON.parse(`{${list}}`), 'the list mark spans the whole list value');
  const one = await trace('msgin5g-deregister.yaml');
  wellFormed(one);
  const del = one.find((r) => r.kind === 'deregistration')!;
  assert.match(marked(del, '23.554:8.2.4/2')[0]!, /^ue\d+@/);
});
