import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { evaluateRules } from '../../sim/observe/rules.ts';
import { IMS_RULES } from '../../sim/ims/rules.ts';
import { CxMessage, UserAuthorizationType } from '../../sim/ims/cx.ts';
import { ImsSip, Via } from '../../sim/ims/sip-message.ts';
import { HOP, HOP_MSC, MS, S, deregisters, proc, runIcs, sig } from '../ims/ffs-harness.ts';

// Issue 13 items 3 and 4: what a lost message means on each transport. On a reliable stream TCP never
// loses one silently: the loss is the connection failing, which the transaction layer reports at once
// (RFC 3261 §18, §17.1.4); on datagrams the transactions retransmit (§17.1.2.2 Timer E, §17.2.2), and
// the rules recognise a retransmission as the same request (same branch), not a new one.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const TIMER_F = 64 * 500 * MS;
const RETRY = 'policies: { deregFailure: retry-backoff }, deregRetry: { retries: 1, base: 2s, factor: 1, cap: 2s }';
const lost200 = (extra = '') => `- { name: lost-200, kind: drop${extra}, match: { kind: "200 REGISTER", procedure: ics-deregistration, to: msc } }`;
/** From the detach (10 s) to the I-CSCF sending the 200 OK: REGISTER 5, UAR/UAA 2+2, REGISTER on 2, SAR/SAA 2+2, 200 back 2. */
const OK_SENT_AFTER = HOP_MSC + 6 * HOP;

test('TCP: a lost 200 OK resets the connection; the MSC hears a transport error one hop later, not Timer F 32 s later', async () => {
  const r = await runIcs({ msc: RETRY, faults: [lost200()] });
  const d = deregisters(r, 0);
  assert.equal(d.length, 2, 'the first deregistration and the one retry');
  assert.equal(d[0].sentAt, 10 * S);
  // The reset reaches the MSC one MSC hop after the I-CSCF's write failed; the policy waits its 2 s.
  assert.equal(d[1].sentAt - d[0].sentAt, (OK_SENT_AFTER + HOP_MSC) * MS + 2 * S);
  assert.equal(sig(r, 'msc', 'sip.transport-error'), 1);
  assert.equal(sig(r, 'msc', 'dereg.failed-503'), 1, 'RFC 3261 §8.1.3.1: a transport error is handled as a 503');
  assert.equal(sig(r, 'msc', 'dereg.failed-408'), 0, 'no Timer F');
  assert.equal(sig(r, 'msc', 'sip.connection-reset'), 1);
  assert.equal(sig(r, 'icscf', 'sip.connection-reset'), 1, 'both ends learn it');
  const resets = r.trace.filter((x) => x.proto === 'fault' && x.kind === 'connection-reset');
  assert.equal(resets.length, 1, 'the reset shows in the trace');
  assert.equal(resets[0].t, 10 * S + OK_SENT_AFTER * MS);
  assert.deepEqual(r.rules.filter((x) => x.status === 'failed'), []);
});

test("TCP, onStream: discard — swallowed above a live connection: no reset, the MSC's Timer F tells it (the path the no-200-OK policies study)", async () => {
  const r = await runIcs({ msc: RETRY, faults: [lost200(', onStream: discard')] });
  const d = deregisters(r, 0);
  assert.equal(d[1].sentAt - d[0].sentAt, TIMER_F + 2 * S);
  assert.equal(sig(r, 'msc', 'dereg.failed-408'), 1);
  assert.equal(sig(r, 'msc', 'sip.connection-reset'), 0);
  assert.equal(sig(r, 'msc', 'sip.transport-error'), 0);
});

test('TCP: a reset fails every transaction in flight on that connection, not only the one whose message was lost', async () => {
  // Two subscribers detach 1 ms apart; the first one's 200 OK is lost while the second's REGISTER is in flight.
  const r = await runIcs({
    population: 2,
    msc: RETRY,
    workload: [
      '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      '- { target: msc, event: detach, subscribers: { from: 0, count: 1 }, pattern: { kind: all-at-once, at: 10s } }',
      '- { target: msc, event: detach, subscribers: { from: 1, count: 1 }, pattern: { kind: all-at-once, at: 10001ms } }',
    ],
    faults: [`- { name: lost-200, kind: drop, match: { kind: "200 REGISTER", procedure: ics-deregistration, to: msc, subscriber: 0 } }`],
  });
  assert.equal(sig(r, 'msc', 'sip.transport-error'), 2);
  assert.equal(deregisters(r, 1).length, 2, "subscriber 1's REGISTER failed with the connection and was retried");
});

test('UDP: a lost 200 OK is recovered by Timer E and the I-CSCF re-sending its 200; rule 7 takes the retransmission for the same request', async () => {
  const r = await runIcs({ transport: 'datagram', msc: RETRY, faults: [`- { name: lost-200, kind: drop, window: { from: 10s, to: 10100ms }, match: { kind: "200 REGISTER", procedure: ics-deregistration, to: msc } }`] });
  assert.equal(proc(r, 'ics-deregistration').completed, 1);
  assert.equal(sig(r, 'msc', 'sip.retransmissions'), 1, 'Timer E: the REGISTER once more, after T1');
  assert.equal(sig(r, 'icscf', 'sip.retransmissions'), 1, 'the server transaction answers it with its 200 OK again');
  assert.equal(sig(r, 'msc', 'dereg.retry'), 0, 'no policy asked');
  const copies = r.entries.filter((e) => e.rec.to === 'icscf' && e.msg instanceof ImsSip && e.msg.method === 'REGISTER' && e.msg.status === 0 && e.msg.expires === 0);
  assert.equal(copies.length, 2);
  assert.equal(copies[1].msg, copies[0].msg, 'the same request object: a retransmission');
  assert.equal(copies[1].rec.t - copies[0].rec.t, 500 * MS, 'T1 apart');
  const uars = r.entries.filter((e) => e.msg instanceof CxMessage && e.msg.kind === 'UAR' && e.msg.authType === UserAuthorizationType.DeRegistration);
  assert.equal(uars.length, 1, 'the I-CSCF absorbed the retransmission: one UAR');
  const results = evaluateRules(IMS_RULES, r.entries);
  assert.deepEqual(results.filter((x) => x.status === 'failed'), [], 'rule 24.292:6.3.6.2/7 passes');
  assert.match(results.find((x) => x.id === '24.292:6.3.6.2/7')!.detail, /2 deregistration REGISTER/);

  // The rule still fails a REGISTER that is NOT a retransmission (a new branch: a new transaction) and reached no I-CSCF.
  const second = copies[1];
  const fresh = (second.msg as ImsSip).copy();
  fresh.via = new Via(fresh.via!.node, fresh.via!.branch + 1000, fresh.via!.tcp, null);
  fresh.sentAt = second.rec.t;
  fresh.seal(second.msg.procedure, second.msg.rules);
  const mutated = r.entries.map((e) => (e === second ? { rec: { ...e.rec, wire: fresh.wire() }, msg: fresh } : e));
  const r7 = evaluateRules(IMS_RULES, mutated).find((x) => x.id === '24.292:6.3.6.2/7')!;
  assert.equal(r7.status, 'failed');
  assert.match(r7.detail, /sent no UAR for it/);
});

test('ffs/ics-restart-lost-200 over UDP (the issue 13 reproduction, scaled down): every rule passes', async () => {
  const file = join(ROOT, 'scenarios/ffs/ics-restart-lost-200.yaml');
  const r = await runScenario(loadScenarioFile(file, { set: ['network.defaults.transport=datagram', 'population.size=400', 'observe.watch.first=400'] }));
  assert.ok(r.summary.nodes.msc.signals['sip.retransmissions'] > 5, 'lost 200 OKs were retransmitted for');
  assert.deepEqual(r.rules.filter((x) => x.status === 'failed'), []);
});

test('every learn scenario passes every rule over datagram and over stream transports', async () => {
  const dir = join(ROOT, 'scenarios/learn');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 7);
  for (const f of files) {
    for (const transport of ['datagram', 'stream']) {
      const r = await runScenario(loadScenarioFile(join(dir, f), { set: [`network.defaults.transport=${transport}`] }));
      assert.deepEqual(r.rules.filter((x) => x.status === 'failed').map((x) => `${x.id}: ${x.detail}`), [], `${f} over ${transport}`);
      assert.ok(r.summary.rules.passed > 0, `${f} over ${transport}: rules were checked`);
    }
  }
});

test('RFC 3261 §18.1.1: a request above 1300 bytes goes over TCP even on a UDP path (the ~1.6 kB NOTIFY), counted; smaller ones stay on UDP', async () => {
  const r = await runScenario(loadScenarioFile(join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml'), { set: ['network.defaults.transport=datagram'] }));
  const sip = r.entries.filter((e) => e.msg instanceof ImsSip && e.rec.event === 'delivered');
  const big = sip.filter((e) => (e.msg as ImsSip).status === 0 && e.msg.bytes > 1300);
  assert.ok(big.length >= 2 && big.every((e) => (e.msg as ImsSip).method === 'NOTIFY'), 'the reginfo NOTIFYs are the large ones');
  for (const e of sip) {
    const m = e.msg as ImsSip;
    const via = e.rec.wire.split('\r\n').find((l) => l.startsWith('Via: '))!;
    // A response travels as its request did (§18.2.2): the NOTIFYs' 200s over TCP as well.
    const tcp = m.status === 0 ? m.bytes > 1300 : big.some((b) => (b.msg as ImsSip).via!.branch === m.via!.branch && (b.msg as ImsSip).via!.node === m.via!.node);
    assert.equal(via.startsWith('Via: SIP/2.0/TCP'), tcp, `${m.kind} ${e.rec.from}→${e.rec.to}, ${m.bytes} bytes: ${via}`);
  }
  assert.equal(r.summary.nodes.scscf.signals['sip.tcp-for-size'], big.length);
  assert.deepEqual(r.rules.filter((x) => x.status === 'failed'), []);
  // Over TCP, a loss on the UDP path does not touch it: half the datagrams lost, no NOTIFY among them.
  const lossy = await runScenario(
    loadScenarioFile(join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml'), { set: ['network.defaults.transport=datagram', 'network.defaults.loss=0.5', 'seed=3'] }),
  );
  assert.ok(lossy.summary.messages.dropped > 0, 'datagrams were lost');
  assert.equal(lossy.trace.filter((x) => x.event === 'dropped' && x.kind === 'NOTIFY').length, 0);
});
