// One file, one process (node --test): the domain modules' load state starts fresh here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NODE_TYPE_BY_NAME } from '../../sim/scenario/node-types.ts';
import { lazyImplementation } from '../../sim/scenario/node-type.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const rulesOf = (type: string) => NODE_TYPE_BY_NAME.get(type)!.rules;

test('a run loads only the domains its scenario names; a type read before its load says so', async () => {
  assert.throws(() => rulesOf('scscf'), /IMS node types used before their load\(\)/);
  assert.throws(() => rulesOf('msgin5g-server'), /MSGin5G node types used before their load\(\)/);

  const m = await runScenario(loadScenarioFile('scenarios/learn/msgin5g-bulk.yaml'));
  assert.ok(m.rules.length > 0 && m.rules.every((r) => r.status === 'passed'), 'the MSGin5G run is whole');
  assert.ok(rulesOf('msgin5g-server')!.length > 0);
  assert.throws(() => rulesOf('scscf'), /IMS node types used before their load\(\)/, 'an MSGin5G run does not load IMS');

  const i = await runScenario(loadScenarioFile('scenarios/learn/ics-detach-with-call.yaml'));
  assert.ok(i.rules.length > 0 && i.rules.every((r) => r.status === 'passed'), 'the IMS run is whole');
  assert.ok(rulesOf('scscf')!.length > 0);
});

test('lazyImplementation imports once, however often it is loaded', async () => {
  let imports = 0;
  const lazy = lazyImplementation('Test', async () => ({ n: ++imports }));
  assert.throws(() => lazy.get(), /Test node types used before their load\(\)/);
  await Promise.all([lazy.load(), lazy.load()]);
  await lazy.load();
  assert.equal(imports, 1);
  assert.equal(lazy.get().n, 1);
});
