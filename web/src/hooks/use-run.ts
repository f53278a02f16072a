/** Runs scenarios over WS /api/stream and exposes the run's state (run-state.ts) to the views. */
import { useCallback, useReducer } from 'react';
import { RUN_ROUTE } from '../api/run-stream.ts';
import { INITIAL_RUN_STATE, runReducer, type RunState } from './run-state.ts';
import { useCommandSocket } from './use-command-socket.ts';

export interface UseRun {
  state: RunState;
  run(scenario: string, seed?: number): void;
  cancel(): void;
}

export function useRun(): UseRun {
  const [state, dispatch] = useReducer(runReducer, INITIAL_RUN_STATE);
  const send = useCommandSocket(RUN_ROUTE, (event) => dispatch({ type: 'event', event }));

  const run = useCallback(
    (scenario: string, seed?: number) => {
      dispatch({ type: 'request', scenario, seed });
      send({ type: 'run', scenario, ...(seed === undefined ? {} : { seed }) }).then(
        (runId) => runId !== undefined && dispatch({ type: 'assigned', runId }),
        (e: unknown) => dispatch({ type: 'send-failed', message: (e as Error).message }),
      );
    },
    [send],
  );
  const cancel = useCallback(() => void send({ type: 'cancel' }).catch(() => {}), [send]);

  return { state, run, cancel };
}
