// The learn scenarios in the emulated world (sim/emulate/world.ts) against the simulation: the same
// rule verdicts and, per subscriber, the same message sequence (who sent what to whom). The IMS
// learn scenarios take 11–24 s of real time each and run in the full suite of test/worlds; here
// the MSGin5G ones (about a second each) and the request-response one, so that every transport
// family is compared on every test run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulationWorld } from '../../sim/emulate/world.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import type { RunResult } from '../../sim/scenario/run.ts';

const LEARN = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/learn');

function sequences(r: RunResult): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const rec of r.trace) for (const s of rec.subscribers.length ? rec.subscribers : [-1]) (by[s] ??= []).push(`${rec.from}→${rec.to} ${rec.kind}${rec.event === 'dropped' ? ` (dropped: ${rec.reason})` : ''}`);
  return by;
}

const world = emulationWorld();
for (const name of ['msgin5g-bulk', 'msgin5g-deregister', 'msgin5g-bulk-auth-failure', 'request-response']) {
  test(`${world.name}: learn/${name} — the simulation's verdicts and per-subscriber message sequences`, async () => {
    const file = join(LEARN, `${name}.yaml`);
    const sim = await runScenario(loadScenarioFile(file));
    const emu = await world.runScenario(file);
    assert.deepEqual(Object.fromEntries(emu.rules.map((x) => [x.id, x.status])), Object.fromEntries(sim.rules.map((x) => [x.id, x.status])));
    assert.deepEqual(sequences(emu), sequences(sim));
    assert.ok(emu.trace.length > 0);
  });
}

test(`${world.name}: bare ports on the real-time clock — timers fire in (time, sequence) order, no earlier than due`, async () => {
  const w = await world.open();
  const fired: string[] = [];
  const at: number[] = [];
  const clock = w.ports.clock;
  clock.schedule(30_000_000, () => (fired.push('b'), at.push(clock.now())));
  clock.schedule(10_000_000, () => (fired.push('a'), at.push(clock.now())));
  clock.schedule(30_000_000, () => (fired.push('c'), at.push(clock.now())));
  const gone = clock.schedule(20_000_000, () => fired.push('cancelled'));
  clock.cancel(gone);
  await w.run(60_000_000);
  await w.close();
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.deepEqual(at, [10_000_000, 30_000_000, 30_000_000], 'the kernel time of each event is its due time, exactly');
});
