import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUrlState, toSearch, type UrlState } from './url-state.ts';

test('a URL round-trips the view, scenario, seed, overrides and campaign choices', () => {
  const s: UrlState = {
    view: 'sweep',
    scenario: 'sizing/msgin5g-bulk-vs-individual.yaml',
    seed: 7,
    set: { 'population.size': '2000', 'network.defaults.loss': '5%' },
    vary: [{ path: 'msgin5g.bulking.maxSize', values: ['1', '10', '100'] }],
    metric: 'node.server.cpu_s',
    variants: ['bulk'],
    policy: 'nodes.msc.params.policies.deregFailure',
    values: ['clear-locally', 'retry-backoff'],
    seeds: 3,
  };
  const back = parseUrlState(toSearch(s));
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.state, s);
});

test('bad parts are named and skipped; the rest still reads', () => {
  const { state, problems } = parseUrlState('?view=graphs&scenario=ffs/a.yaml&seed=-3&set=noequals&vary=x&seeds=0');
  assert.equal(state.view, 'run');
  assert.equal(state.scenario, 'ffs/a.yaml');
  assert.equal(state.seed, undefined);
  assert.deepEqual(state.vary, []);
  assert.deepEqual(
    problems.map((p) => p.split(':')[0]),
    ['view', 'seed', 'set', 'vary', 'seeds'],
  );
});
