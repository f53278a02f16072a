/** Runs scenarios over the stream and exposes the run's state to the views. */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { RunStream } from '../api/run-stream.ts';
import { INITIAL_RUN_STATE, runReducer, type RunState } from './run-state.ts';

export interface UseRun {
  state: RunState;
  run(scenario: string, seed?: number): void;
  cancel(): void;
}

export function useRun(): UseRun {
  const [state, dispatch] = useReducer(runReducer, INITIAL_RUN_STATE);
  const streamRef = useRef<RunStream | undefined>(undefined);

  useEffect(() => {
    const stream = new RunStream((event) => dispatch({ type: 'event', event }));
    streamRef.current = stream;
    return () => {
      stream.close();
      streamRef.current = undefined;
    };
  }, []);

  const run = useCallback((scenario: string, seed?: number) => {
    const stream = streamRef.current;
    if (!stream) return;
    dispatch({ type: 'request', scenario, seed });
    stream.send({ type: 'run', scenario, ...(seed === undefined ? {} : { seed }) }).then(
      (runId) => {
        if (runId !== undefined) dispatch({ type: 'assigned', runId });
      },
      (e: unknown) => dispatch({ type: 'send-failed', message: (e as Error).message }),
    );
  }, []);

  const cancel = useCallback(() => {
    void streamRef.current?.send({ type: 'cancel' }).catch(() => {});
  }, []);

  return { state, run, cancel };
}
