/** Runs campaigns over WS /api/campaign and exposes their state (campaign-state.ts) to a view. */
import { startTransition, useCallback, useReducer } from 'react';
import type { CampaignCommand } from '../../../sim/server/campaign-types.ts';
import { CAMPAIGN_ROUTE } from '../api/campaign-stream.ts';
import { campaignReducer, INITIAL_CAMPAIGN, type CampaignState } from './campaign-state.ts';
import { useCommandSocket } from './use-command-socket.ts';

export interface UseCampaign {
  state: CampaignState;
  start(cmd: Exclude<CampaignCommand, { type: 'cancel' }>): void;
  cancel(): void;
}

export function useCampaign(): UseCampaign {
  const [state, dispatch] = useReducer(campaignReducer, INITIAL_CAMPAIGN);
  // Results render as a transition: React yields to the browser between components, so a run's
  // charts arriving never freeze the page for a frame's worth of work at once.
  const send = useCommandSocket(CAMPAIGN_ROUTE, (event) => {
    const now = performance.now();
    startTransition(() => dispatch({ type: 'event', event, now }));
  });

  const start = useCallback(
    (cmd: Exclude<CampaignCommand, { type: 'cancel' }>) => {
      dispatch({ type: 'request' });
      send(cmd).then(
        (id) => id !== undefined && dispatch({ type: 'assigned', campaignId: id }),
        (e: unknown) => dispatch({ type: 'send-failed', message: (e as Error).message }),
      );
    },
    [send],
  );
  const cancel = useCallback(() => void send({ type: 'cancel' }).catch(() => {}), [send]);

  return { state, start, cancel };
}
