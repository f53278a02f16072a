/** A test client for WS /api/campaign: sends commands, collects CampaignEvents, waits for one. */
import WebSocket from 'ws';
import type { CampaignCommand, CampaignEvent } from '../../sim/server/campaign-types.ts';

export class CampaignClient {
  readonly events: CampaignEvent[] = [];
  private wake: (() => void) | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.events.push(JSON.parse(d.toString()) as CampaignEvent);
      this.wake?.();
    });
  }
  static open(url: string): Promise<CampaignClient> {
    const ws = new WebSocket(new URL('api/campaign', url).href.replace(/^http/, 'ws'));
    return new Promise((res, rej) => {
      ws.once('open', () => res(new CampaignClient(ws)));
      ws.once('error', rej);
    });
  }
  send(cmd: CampaignCommand | string): void {
    this.ws.send(typeof cmd === 'string' ? cmd : JSON.stringify(cmd));
  }
  async until(pred: (e: CampaignEvent) => boolean, timeoutMs = 60_000): Promise<CampaignEvent> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out; events: ${this.events.map((e) => e.type).join(',')}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
  }
  close(): void {
    this.ws.close();
  }
}

/** A campaign's last event: finished or error. */
export const campaignEnd = (e: CampaignEvent) => e.type === 'finished' || e.type === 'error';
