import assert from 'node:assert/strict';
import { loadScenarioText, ScenarioError } from '../../sim/scenario/load.ts';

/** The smallest valid scenario: a generic client and server, four subscribers, no workload. */
export const MINIMAL = `description: minimal
duration: 1s
nodes:
  - { id: client, type: gen-client, params: { via: server } }
  - { id: server, type: gen-server, params: {} }
population: { size: 4 }
`;

/** The problems a ScenarioError lists for scenario text read as if from `path`; fails the test when the text loads. */
export function scenarioProblems(text: string, path: string, opts: Parameters<typeof loadScenarioText>[2] = {}): string[] {
  try {
    loadScenarioText(text, path, opts);
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `not a ScenarioError: ${(err as Error)?.stack ?? err}`);
    assert.equal(err.code, 'E_SCENARIO');
    return err.problems;
  }
  assert.fail('expected a ScenarioError');
}
