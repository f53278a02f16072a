import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVENTS_PER_PROCEDURE,
  LINK_DELAY,
  SERVICE,
  TRIGGER_SPAN,
  formatTriggersCsv,
  generateTriggers,
  parseTriggersCsv,
  runBareLoop,
  runDeregChain,
} from '../../bench/dereg-chain.ts';
import { runDirect } from '../../bench/dereg-chain-direct.ts';
import { EventQueue } from '../../sim/kernel/event-queue.ts';
import { RandomStream } from '../../sim/kernel/random.ts';
import { MS } from '../../sim/kernel/time.ts';

/** Latencies of a run, by subscriber. */
function latencies(triggers: number[]): number[] {
  const t = Float64Array.from(triggers);
  const out = new Array<number>(t.length).fill(NaN);
  runDeregChain(t, { onComplete: (sub, at) => (out[sub] = at - t[sub]) });
  return out;
}

test('dereg-chain: N = 200 processes exactly 22·N events and completes every procedure', () => {
  const n = 200;
  const r = runDeregChain(generateTriggers(n));
  assert.equal(r.events, EVENTS_PER_PROCEDURE * n);
  assert.equal(r.completed, n);
  // Nobody can be faster than an unloaded chain (41.5 ms, below).
  assert.ok(r.meanLatency >= 41.5 * MS && r.p99Latency >= 41.5 * MS);
  assert.ok(r.utilisation.SCSCF > 0 && r.utilisation.SCSCF < 1);
});

test('dereg-chain: N = 1 latency is the analytic critical path, 41.5 ms', () => {
  // The spec's service times and link delay, restated here rather than imported (an independent check).
  const msc = 0.05 * MS, icscf = 0.2 * MS, hss = 0.1 * MS, scscf = 0.3 * MS, link = 5 * MS;
  assert.deepEqual(SERVICE, { MSC: msc, ICSCF: icscf, HSS: hss, SCSCF: scscf });
  assert.equal(LINK_DELAY, link);
  // Alone in the network, nobody queues except possibly the MSC, which serves m9 and m8:
  //   trigger served at MSC: msc; then m1..m6 each cross a link and are served at the receiver:
  //   icscf (m1) + hss (m2) + icscf (m3) + scscf (m4) + hss (m5) + scscf (m6) → at 30 ms + 1.15 ms
  //   = 31.25 ms the S-CSCF sends m7 and m9 together.
  //   m9 reaches the MSC at 36.25 ms and is served until 36.30 ms (m10 then leaves: off the path).
  //   m7 reaches the I-CSCF at 36.25 ms, served until 36.45; m8 reaches the MSC at 41.45 ms. The MSC
  //   has been idle since 36.30, so m8 does not wait behind m9: served until 41.50 ms.
  // Critical path: 8 links (m1..m8) + services of trigger, m1..m7 at their receivers, and m8.
  const expected = 8 * link + (msc + icscf + hss + icscf + scscf + hss + scscf + icscf + msc);
  assert.equal(expected, 41.5 * MS);
  for (const at of [0, 123_456_789, TRIGGER_SPAN - 1]) assert.deepEqual(latencies([at]), [expected]);
  const r = runDeregChain(Float64Array.of(0));
  assert.equal(r.events, EVENTS_PER_PROCEDURE);
  // The run ends when the S-CSCF has served m10 (sent at 36.30, arrives 41.30): 41.60 ms.
  assert.equal(r.endTime, 41.6 * MS);
  assert.equal(r.utilisation.MSC, (3 * msc) / (41.6 * MS));
});

test('dereg-chain: two triggers at one instant are served in subscriber order (worked by hand)', () => {
  // Both posted at 0, subscriber 0 first: the MSC serves trigger 0 then trigger 1 (0.05 ms later),
  // and subscriber 1 queues behind 0 at each node it meets while 0 is served there:
  // I-CSCF m1 (+0.15: 1 arrives 5.10, starts 5.25), S-CSCF m4 (arrives 20.75, starts 20.85),
  // S-CSCF m6 (arrives 31.25 as m6 of 0 ends: the arrival, posted first, queues; then 0's end starts
  // it). Subscriber 1 leaves the S-CSCF 0.30 ms after subscriber 0 and finishes at 41.80 ms.
  assert.deepEqual(latencies([0, 0]), [41.5 * MS, 41.8 * MS]);
  // The same two far apart do not interact.
  assert.deepEqual(latencies([0, 1000 * MS]), [41.5 * MS, 41.5 * MS]);
});

test('dereg-chain: the bare loop processes the same 22·N events, with either spacing', () => {
  assert.equal(runBareLoop(generateTriggers(500)).events, EVENTS_PER_PROCEDURE * 500);
  assert.equal(runBareLoop(generateTriggers(500), 'model').events, EVENTS_PER_PROCEDURE * 500);
});

/** A result without its timings. */
function outcome(r: ReturnType<typeof runDeregChain>): object {
  const { wallMs: _w, cpuMs: _c, eventsPerSec: _e, ...rest } = r;
  return rest;
}

test('dereg-chain: the hand-written model (no Node, no network) agrees with the RegLab model to the ns', () => {
  // Two independent implementations of the same rules: an error in the framework's service queue,
  // its send-then-next order or the network's in-flight reuse would make them differ.
  for (const n of [1, 2, 500, 20_000]) {
    const t = generateTriggers(n, 3);
    assert.deepEqual(outcome(runDirect(t)), outcome(runDeregChain(t)), `N=${n}`);
  }
  // Ties and the worked example: per-subscriber completion times, in completion order.
  for (const t of [[0, 0], [0, 0, 0, 5 * MS], [0, 1000 * MS]]) {
    const a: [number, number][] = [];
    const b: [number, number][] = [];
    runDirect(Float64Array.from(t), (sub, at) => a.push([sub, at]));
    runDeregChain(Float64Array.from(t), { onComplete: (sub, at) => b.push([sub, at]) });
    assert.deepEqual(a, b);
  }
  // At N = 20 000 the S-CSCF queues (peak > 0): the queueing path is compared too, not only idle nodes.
  assert.ok(runDirect(generateTriggers(20_000, 3)).peakQueue.SCSCF > 0);
});

test('dereg-chain: triggers are integer ns in [0, 60 s), a prefix for smaller N, and survive a CSV round trip', () => {
  const big = generateTriggers(1000, 7);
  const small = generateTriggers(100, 7);
  assert.deepEqual(small, big.subarray(0, 100));
  for (const t of big) assert.ok(Number.isSafeInteger(t) && t >= 0 && t < TRIGGER_SPAN);
  assert.notDeepEqual(generateTriggers(100, 8), small);
  assert.deepEqual(parseTriggersCsv(formatTriggersCsv(big)), big);
  assert.deepEqual(parseTriggersCsv('# ns\n5\r\n\n7\n'), Float64Array.of(5, 7));
  assert.throws(() => parseTriggersCsv('5\n1.5\n', 't.csv'), /t\.csv:2: expected an integer number of ns >= 0, got '1\.5'/);
  assert.throws(() => parseTriggersCsv('-3\n'), /got '-3'/);
});

test('dereg-chain: the event queue keeps the exact (time, scheduling order) under the bench pattern', () => {
  // The reference model's exactness rests on it: a bulk of pending triggers (with ties), then chains
  // whose follow-ups land among them, at times equal to others' often. Checked against a sort.
  for (const seed of [1, 2, 3]) {
    const r = new RandomStream(seed, 'bench-order');
    const q = new EventQueue(8);
    const pending: { t: number; id: number }[] = [];
    let id = 0;
    for (let i = 0; i < 3000; i++) {
      const t = r.int(2000) * 1000;
      q.push(t, () => {}, id);
      pending.push({ t, id: id++ });
    }
    const popped: number[] = [];
    const expected: number[] = [];
    let left = 20000;
    while (q.pop()) {
      popped.push(q.arg as number);
      if (left-- > 0) {
        const steps = [0, 1000, 5000, 50_000, 10_000_000];
        const t = q.time + steps[r.int(steps.length)];
        q.push(t, () => {}, id);
        pending.push({ t, id: id++ });
      }
    }
    // The order a correct queue must produce: by time, then by push order. Every push happened
    // no earlier than the pop it followed, so a global sort is the reference.
    pending.sort((a, b) => a.t - b.t || a.id - b.id);
    for (const p of pending) expected.push(p.id);
    assert.deepEqual(popped, expected);
  }
});
