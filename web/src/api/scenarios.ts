/** GET /api/scenarios, validated. */
import type { ScenarioInfo } from '../../../sim/server/api-types.ts';
import { parseScenarioList } from './validate.ts';

export async function fetchScenarios(signal?: AbortSignal): Promise<ScenarioInfo[]> {
  const res = await fetch('/api/scenarios', { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/scenarios answered ${res.status} ${res.statusText}`);
  return parseScenarioList(await res.json());
}
