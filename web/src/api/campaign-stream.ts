/**
 * The WebSocket /api/campaign client (sim/server/campaign-types.ts): opens the socket on first
 * use (and again after it drops), sends CampaignCommands and hands each CampaignEvent to the
 * listener. Campaign ids are counted here as the server counts them (one per well-formed command
 * on the socket), so events of a replaced campaign are told apart without a round trip.
 */
import type { CampaignCommand, CampaignEvent } from '../../../sim/server/campaign-types.ts';

export type CampaignListener = (ev: CampaignEvent) => void;

const EVENT_TYPES = new Set(['planned', 'job-progress', 'job-done', 'job-failed', 'finished', 'error']);

/** A frame → CampaignEvent, or an error event naming what is wrong with it. */
export function parseCampaignEvent(text: string): CampaignEvent {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { type: 'error', code: 'E_BAD_FRAME', message: 'the server sent a frame that is not JSON' };
  }
  if (typeof o !== 'object' || o === null || !EVENT_TYPES.has((o as { type?: string }).type ?? '')) {
    return { type: 'error', code: 'E_BAD_FRAME', message: `the server sent an unknown campaign event ${JSON.stringify((o as { type?: unknown } | null)?.type)}` };
  }
  return o as CampaignEvent;
}

export class CampaignStream {
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private sent = 0;

  constructor(
    private readonly listener: CampaignListener,
    private readonly url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/campaign`,
  ) {}

  /** Sends a command; for a campaign, resolves with the id the server gives it. */
  async send(cmd: CampaignCommand): Promise<number | undefined> {
    const ws = await this.open();
    ws.send(JSON.stringify(cmd));
    if (cmd.type === 'cancel') return undefined;
    return ++this.sent;
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.opening = undefined;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  private open(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => {
        this.ws = ws;
        this.sent = 0;
        this.opening = undefined;
        resolve(ws);
      };
      ws.onclose = () => {
        const wasOpen = this.ws === ws;
        this.ws = undefined;
        this.opening = undefined;
        if (wasOpen) {
          this.listener({ type: 'error', code: 'E_CONNECTION', message: 'The connection to the RegLab server was lost (is `reglab serve` still running?). The runs already done stay on screen.' });
        } else reject(new Error(`Could not connect to ${this.url}. Is \`reglab serve\` running?`));
      };
      ws.onmessage = (m) => {
        if (typeof m.data === 'string') this.listener(parseCampaignEvent(m.data));
      };
    });
    return this.opening;
  }
}
