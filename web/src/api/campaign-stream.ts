/**
 * WS /api/campaign (sim/server/campaign-types.ts): CampaignCommands out, CampaignEvents back; every
 * command but `cancel` is numbered (campaignId), so events of a replaced campaign are told apart.
 */
import type { CampaignCommand, CampaignEvent } from '../../../sim/server/campaign-types.ts';
import { STREAM_ERRORS, type SocketRoute } from './command-socket.ts';

const EVENT_TYPES = new Set(['planned', 'job-progress', 'job-done', 'job-failed', 'finished', 'error']);

/** A frame → CampaignEvent, or an error event naming what is wrong with it. */
export function parseCampaignEvent(text: string): CampaignEvent {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { type: 'error', code: STREAM_ERRORS.E_BAD_FRAME, message: 'the server sent a frame that is not JSON' };
  }
  if (typeof o !== 'object' || o === null || !EVENT_TYPES.has((o as { type?: string }).type ?? '')) {
    return { type: 'error', code: STREAM_ERRORS.E_BAD_FRAME, message: `the server sent an unknown campaign event ${JSON.stringify((o as { type?: unknown } | null)?.type)}` };
  }
  return o as CampaignEvent;
}

export const CAMPAIGN_ROUTE: SocketRoute<CampaignCommand, CampaignEvent> = {
  path: '/api/campaign',
  parse: parseCampaignEvent,
  error: (code, message) => ({ type: 'error', code, message }),
  numbered: (cmd) => cmd.type !== 'cancel',
  lost: 'The connection to the RegLab server was lost (is `reglab serve` still running?). The runs already done stay on screen.',
};

