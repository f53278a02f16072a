/** The selected scenario's details (GET /api/scenario) and live validation of the form's overrides. */
import { useEffect, useState } from 'react';
import type { ScenarioDetails, ValidateResult } from '../../../sim/server/campaign-types.ts';
import { fetchScenarioDetails, validateOverrides } from '../api/scenario-details.ts';

export type DetailsState = { status: 'none' } | { status: 'loading' } | { status: 'ready'; details: ScenarioDetails } | { status: 'error'; message: string };

export function useScenarioDetails(path: string | undefined): DetailsState {
  const [state, setState] = useState<DetailsState>({ status: 'none' });
  useEffect(() => {
    if (!path) return setState({ status: 'none' });
    const ctl = new AbortController();
    setState({ status: 'loading' });
    fetchScenarioDetails(path, ctl.signal).then(
      (details) => setState({ status: 'ready', details }),
      (e: unknown) => !ctl.signal.aborted && setState({ status: 'error', message: (e as Error).message }),
    );
    return () => ctl.abort();
  }, [path]);
  return state;
}

/** Validates `sets` against the scenario (debounced); undefined while checking or with nothing to check. */
export function useOverrideCheck(path: string | undefined, sets: readonly string[], delayMs = 250): ValidateResult | { ok: false; code: 'E_CONNECTION'; message: string; problems: string[] } | undefined {
  const [result, setResult] = useState<ReturnType<typeof useOverrideCheck>>(undefined);
  const key = sets.join('\n');
  useEffect(() => {
    setResult(undefined);
    if (!path) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      validateOverrides(path, sets, ctl.signal).then(
        (r) => setResult(r),
        (e: unknown) => !ctl.signal.aborted && setResult({ ok: false, code: 'E_CONNECTION', message: (e as Error).message, problems: [] }),
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, key, delayMs]);
  return result;
}
