/** Loads the scenario list once; `retry` loads it again after an error. */
import { useCallback, useEffect, useState } from 'react';
import type { ScenarioInfo } from '../../../sim/server/api-types.ts';
import { fetchScenarios } from '../api/scenarios.ts';

export type ScenariosState =
  | { status: 'loading' }
  | { status: 'ready'; scenarios: ScenarioInfo[] }
  | { status: 'error'; message: string };

export function useScenarios(): { state: ScenariosState; retry(): void } {
  const [state, setState] = useState<ScenariosState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setState({ status: 'loading' });
    fetchScenarios(ctl.signal).then(
      (scenarios) => setState({ status: 'ready', scenarios }),
      (e: unknown) => {
        if (!ctl.signal.aborted) setState({ status: 'error', message: (e as Error).message });
      },
    );
    return () => ctl.abort();
  }, [attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
