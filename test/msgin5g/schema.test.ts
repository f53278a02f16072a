import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioText, ScenarioError } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { scenarioYaml } from './harness.ts';

const base = (msgin5g: string, gateway = '') =>
  scenarioYaml({ population: 10, msgin5g, gateway, workload: '- { target: gateway, event: register, pattern: { kind: all-at-once } }' });

function problems(yaml: string): string[] {
  try {
    loadScenarioText(yaml, 'x.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.problems;
  }
  return [];
}

test('scenario errors name the field and what is allowed: bulk size 0, negative window, minSize above maxSize', () => {
  assert.deepEqual(problems(base('bulking: { maxSize: 0 }')), ['msgin5g.bulking.maxSize: 0 is too small — must be ≥ 1']);
  const w = problems(base('bulking: { window: -5ms }'));
  assert.equal(w.length, 1);
  assert.match(w[0], /^msgin5g\.bulking\.window: "-5ms" is not a duration — use a non-negative number with a unit/);
  const m = problems(base('bulking: { maxSize: 10, minSize: 20 }'));
  assert.deepEqual(m, ['msgin5g.bulking.minSize: 20 is larger than maxSize 10 — no batch could ever be sent as a bulk; lower minSize or raise maxSize']);
  assert.deepEqual(problems(base('bulking: { maxSize: 1, minSize: 20 }')), [], 'bulking off: minSize does not matter');
});

test('scenario errors: unknown policy, unknown cause, bad templates, unknown fields, missing servers', () => {
  assert.match(problems(base('entryFailure: { policy: retry-forever }'))[0], /^msgin5g\.entryFailure\.policy: "retry-forever" is not allowed — one of: "retry-individually", "retry-in-bulk", "give-up"/);
  assert.match(problems(base('entryFailure: { causes: [BAD_LUCK] }'))[0], /^msgin5g\.entryFailure\.causes/);
  assert.match(problems(base('authentication: per-device'))[0], /^msgin5g\.authentication: "per-device" is not allowed — one of: "trusted-gateway", "per-ue"/);
  assert.match(problems(base('ues: { serviceIdTemplate: "ue-{x}" }'))[0], /^msgin5g\.ues\.serviceIdTemplate: "ue-\{x\}" is not a template with exactly one \{n\}/);
  assert.match(problems(base('ues: { serviceIdTemplate: "ue {n}" }'))[0], /^msgin5g\.ues\.serviceIdTemplate: "ue \{n\}" renders "ue 12345", not a UE Service ID/);
  assert.match(problems(base('bulking: { maxsize: 5 }'))[0], /^msgin5g\.bulking: unknown field 'maxsize' — allowed: maxSize, minSize, window/);
  assert.match(problems(base('', 'connections: 0'))[0], /^nodes\[0\]\.params\.connections: 0 is too small/);
  const noParams = base('').replace('    params: { servers: [server] }\n', '');
  assert.deepEqual(problems(noParams), ['nodes[0].params.servers: required field is missing — expected array']);
  const noServer = base('').replace('params: { servers: [server] }', 'params: { servers: [nowhere] }');
  assert.match(problems(noServer)[0], /^nodes\[0\]\.params\.servers\[0\]: no node 'nowhere'/);
});

test('a gateway UE range beyond the population is refused before the run', async () => {
  const yaml = base('', 'ues: { from: 5, count: 10 }');
  await assert.rejects(runScenario(loadScenarioText(yaml, 'x.yaml')), (e: unknown) => e instanceof ScenarioError && /nodes\.gateway\.params\.ues: UEs 5 … 14 exceed the population/.test(e.problems[0]));
});

test('defaults: a scenario without a msgin5g section and without server params runs with the documented defaults', async () => {
  const yaml = `description: defaults
duration: 10s
nodes:
  - { id: gateway, type: message-gateway, params: { servers: [server] } }
  - { id: server, type: msgin5g-server }
population: { size: 3 }
workload:
  - { target: gateway, event: register, pattern: { kind: all-at-once } }
`;
  const r = await runScenario(loadScenarioText(yaml, 'x.yaml'));
  const p = r.summary.procedures['msgin5g-registration'];
  assert.equal(p.completed, 3);
  // Default bulking: one bulk of 3 after the 50 ms window.
  assert.equal(r.summary.nodes.server.kindsIn['bulk-registration'].msgs, 1);
  assert.ok(p.latencyMs.p50 >= 50);
});
