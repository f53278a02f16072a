import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { shortImsCore } from './lab.ts';

const FAULTS =
  'faults=[{"kind":"drop","name":"lose-first-register","match":{"kind":"REGISTER","from":"msc"},"window":{"from":"0s","to":"100ms"}},' +
  '{"kind":"delay","name":"slow-uaa","match":{"kind":"UAA"},"extra":"40ms"},' +
  '{"kind":"duplicate","name":"twice-saa","match":{"kind":"SAA"},"probability":1}]';

/** How long the trace stays quiet after the deregistration's 200 OK before the emulation is stopped (a duplicated SAA, the last NOTIFY's answer). */
const QUIET_MS = 1000;

/**
 * The emulation of the short IMS core, run until the deregistration is answered and the trace has
 * then been quiet for QUIET_MS — waiting for the event, not for the scenario's 3 s, which leave the
 * deregistration (detach at 2.5 s) only 500 ms of wall time: on a loaded host its eight hops took
 * longer. Capped at 20 s. Resolves with the wall time the deregistration's answer came, measured.
 */
async function emulateUntilDeregistered(extra: string[]) {
  const abort = new AbortController();
  let t0 = 0;
  let doneAt = -1;
  let lastAt = 0;
  const poll = setInterval(() => {
    if (doneAt >= 0 && performance.now() - lastAt > QUIET_MS) abort.abort();
  }, 50);
  try {
    const r = await runEmulation(shortImsCore([...extra, 'duration=20s']), {
      verify: true,
      signal: abort.signal,
      onStarted: () => (t0 = performance.now()),
      onTrace: (t) => {
        lastAt = performance.now();
        if (doneAt < 0 && t.event === 'delivered' && t.kind === '200 REGISTER' && t.to === 'msc' && t.procedure === 'ics-deregistration') doneAt = lastAt - t0;
      },
    });
    return { r, deregisteredMs: doneAt };
  } finally {
    clearInterval(poll);
  }
}

test('faults act on real traffic as in simulation: the same rules fire, the same trace marks, and the procedures recover the same way', async () => {
  const { r: emu, deregisteredMs } = await emulateUntilDeregistered([FAULTS]);
  assert.ok(deregisteredMs >= 0, `the emulated deregistration was answered within 20 s (ended: ${emu.ended})`);
  const sim = await runScenario(shortImsCore([FAULTS]));
  for (const r of [emu, sim]) {
    // The first REGISTER died on its way (a trace mark of the rule), Timer E resent it, and it went through.
    assert.equal(r.summary.messages.byReason['fault:lose-first-register'], 1, JSON.stringify(r.summary.messages.byReason));
    assert.equal(r.summary.procedures['ics-registration'].completed, 1);
    assert.equal(r.summary.procedures['ics-deregistration'].completed, 1, `deregistration answered at ${deregisteredMs.toFixed(0)} ms of the emulation (2500 ms in simulation)`);
  }
  assert.deepEqual(emu.summary.faults, sim.summary.faults, 'each fault acted as often in both worlds');
  assert.ok(emu.summary.faults['slow-uaa'] >= 2 && emu.summary.faults['twice-saa'] >= 2);
  // The duplicated SAA really crossed the wire twice; the S-CSCF took the second as a late answer.
  const saa = emu.trace.filter((t) => t.event === 'delivered' && t.kind === 'SAA').length;
  assert.equal(saa, 2 * emu.summary.faults['twice-saa']);
  assert.deepEqual(
    emu.rules.map((x) => `${x.id}:${x.status}`),
    sim.rules.map((x) => `${x.id}:${x.status}`),
    'the same verdicts in both worlds',
  );
  assert.equal(emu.wire.decodeMismatch, 0);
});
