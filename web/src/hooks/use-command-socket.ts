/**
 * A CommandSocket (api/command-socket.ts) for the life of a component: every event goes to the
 * latest `onEvent`; the returned `send` is stable and rejects once the component is gone.
 */
import { useCallback, useEffect, useRef } from 'react';
import { CommandSocket, type SocketRoute } from '../api/command-socket.ts';

export function useCommandSocket<Cmd, Ev>(route: SocketRoute<Cmd, Ev>, onEvent: (ev: Ev) => void): (cmd: Cmd) => Promise<number | undefined> {
  const socket = useRef<CommandSocket<Cmd, Ev> | undefined>(undefined);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    const s = new CommandSocket(route, (ev) => handler.current(ev));
    socket.current = s;
    return () => {
      s.close();
      socket.current = undefined;
    };
  }, [route]);

  return useCallback((cmd: Cmd) => socket.current?.send(cmd) ?? Promise.reject(new Error('the page closed its connection to the server')), []);
}
