/**
 * The Emulate view's connection to the server's lab (WS /api/emulate): opened the first time the
 * view is shown and kept while the page lives, so an emulation keeps running (and its ladder keeps
 * growing) while another tab is open. Closing the page stops it (the server ends an emulation
 * whose socket closes, writing its outputs).
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { EmulationClient } from '../api/emulation-client.ts';
import type { TraceRecord } from '../../../sim/server/emulate-types.ts';
import { emulationReducer, INITIAL_EMULATION, type EmulationRequest, type EmulationState } from './emulation-state.ts';

export interface UseEmulation {
  state: EmulationState;
  start(request: EmulationRequest): void;
  stop(): void;
  /** Opens a new connection after a lost one. */
  reconnect(): void;
  /** Adds the page's own user agent's messages to the ladder. */
  addLocal(records: Omit<TraceRecord, 'seq'>[]): void;
}

export function useEmulation(active: boolean): UseEmulation {
  const [state, dispatch] = useReducer(emulationReducer, INITIAL_EMULATION);
  const client = useRef<EmulationClient | undefined>(undefined);

  useEffect(() => {
    if (!active || client.current) return;
    client.current = new EmulationClient((event) => dispatch({ type: 'event', event, nowMs: performance.now() }));
  }, [active]);
  useEffect(
    () => () => {
      client.current?.close();
      client.current = undefined;
    },
    [],
  );

  const start = useCallback((request: EmulationRequest) => {
    dispatch({ type: 'request', request });
    const sent = client.current?.send({ type: 'start', scenario: request.scenario, host: request.host, timeScale: request.timeScale, ...(request.duration ? { duration: request.duration } : {}) });
    if (!sent) dispatch({ type: 'event', nowMs: performance.now(), event: { type: 'error', code: 'E_CONNECTION', message: 'Not connected to the RegLab server: reconnect and try again.' } });
  }, []);
  const stop = useCallback(() => {
    dispatch({ type: 'stop' });
    client.current?.send({ type: 'stop' });
  }, []);
  const reconnect = useCallback(() => client.current?.reconnect(), []);
  const addLocal = useCallback((records: Omit<TraceRecord, 'seq'>[]) => dispatch({ type: 'local', records }), []);
  return { state, start, stop, reconnect, addLocal };
}
