import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { shortImsCore } from './lab.ts';

const FAULTS =
  'faults=[{"kind":"drop","name":"lose-first-register","match":{"kind":"REGISTER","from":"msc"},"window":{"from":"0s","to":"100ms"}},' +
  '{"kind":"delay","name":"slow-uaa","match":{"kind":"UAA"},"extra":"40ms"},' +
  '{"kind":"duplicate","name":"twice-saa","match":{"kind":"SAA"},"probability":1}]';

test('faults act on real traffic as in simulation: the same rules fire, the same trace marks, and the procedures recover the same way', async () => {
  const sc = shortImsCore([FAULTS]);
  const emu = await runEmulation(sc, { verify: true });
  const sim = await runScenario(shortImsCore([FAULTS]));
  for (const r of [emu, sim]) {
    // The first REGISTER died on its way (a trace mark of the rule), Timer E resent it, and it went through.
    assert.equal(r.summary.messages.byReason['fault:lose-first-register'], 1, JSON.stringify(r.summary.messages.byReason));
    assert.equal(r.summary.procedures['ics-registration'].completed, 1);
    assert.equal(r.summary.procedures['ics-deregistration'].completed, 1);
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
