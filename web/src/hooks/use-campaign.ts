/** Runs campaigns over WS /api/campaign and exposes their state (campaign-state.ts) to a view. */
import { startTransition, useCallback, useEffect, useReducer, useRef } from 'react';
import type { CampaignCommand } from '../../../sim/server/campaign-types.ts';
import { CampaignStream } from '../api/campaign-stream.ts';
import { campaignReducer, INITIAL_CAMPAIGN, type CampaignState } from './campaign-state.ts';

export interface UseCampaign {
  state: CampaignState;
  start(cmd: Exclude<CampaignCommand, { type: 'cancel' }>): void;
  cancel(): void;
}

export function useCampaign(): UseCampaign {
  const [state, dispatch] = useReducer(campaignReducer, INITIAL_CAMPAIGN);
  const streamRef = useRef<CampaignStream | undefined>(undefined);

  useEffect(() => {
    // Results render as a transition: React yields to the browser between components, so a run's
    // charts arriving never freeze the page for a frame's worth of work at once.
    const stream = new CampaignStream((event) => {
      const now = performance.now();
      startTransition(() => dispatch({ type: 'event', event, now }));
    });
    streamRef.current = stream;
    return () => {
      stream.close();
      streamRef.current = undefined;
    };
  }, []);

  const start = useCallback((cmd: Exclude<CampaignCommand, { type: 'cancel' }>) => {
    const stream = streamRef.current;
    if (!stream) return;
    dispatch({ type: 'request' });
    stream.send(cmd).then(
      (id) => id !== undefined && dispatch({ type: 'assigned', campaignId: id }),
      (e: unknown) => dispatch({ type: 'send-failed', message: (e as Error).message }),
    );
  }, []);

  const cancel = useCallback(() => {
    void streamRef.current?.send({ type: 'cancel' }).catch(() => {});
  }, []);

  return { state, start, cancel };
}
