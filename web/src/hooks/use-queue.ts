/**
 * Polls GET /api/queue while the Queue view is open (queue-state.ts says why polling): one request
 * at a time, the next POLL_MS after the last answer; paused while the tab is hidden, at once again
 * when it is shown. Ages are taken against the server's clock (the reply's `now`).
 */
import { useEffect, useReducer, useState } from 'react';
import { fetchQueueStatus } from '../api/queue.ts';
import { INITIAL_QUEUE, POLL_MS, queuePanel, queueReducer, type QueuePanel } from './queue-state.ts';

export function useQueue(): QueuePanel {
  const [state, dispatch] = useReducer(queueReducer, INITIAL_QUEUE);
  const [now, setNow] = useState(() => performance.now());

  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    const poll = async () => {
      timer = undefined;
      if (inFlight || ctl.signal.aborted) return;
      if (document.hidden) return; // visibilitychange polls again
      inFlight = true;
      try {
        const reply = await fetchQueueStatus(ctl.signal);
        dispatch({ type: 'reply', reply, at: performance.now() });
      } catch (e) {
        if (ctl.signal.aborted) return;
        dispatch({ type: 'failed', message: (e as Error).message, at: performance.now() });
      } finally {
        inFlight = false;
        setNow(performance.now());
        if (!ctl.signal.aborted) timer = setTimeout(() => void poll(), POLL_MS);
      }
    };
    const onVisible = () => {
      if (document.hidden || timer !== undefined || inFlight) return;
      void poll();
    };
    document.addEventListener('visibilitychange', onVisible);
    void poll();
    return () => {
      ctl.abort();
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  return queuePanel(state, now);
}
