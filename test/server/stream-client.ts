/** A test client for WS /api/stream: sends commands, collects RunEvents, waits for conditions. */
import WebSocket from 'ws';
import type { ClientCommand, RunEvent } from '../../sim/server/api-types.ts';

export class StreamClient {
  readonly events: RunEvent[] = [];
  private waiters: { pred: (evs: RunEvent[]) => boolean; done: () => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.events.push(JSON.parse(data.toString()) as RunEvent);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(this.events)) return true;
        w.done();
        return false;
      });
    });
  }

  static open(httpUrl: string, headers?: Record<string, string>): Promise<StreamClient> {
    const ws = new WebSocket(new URL('api/stream', httpUrl).href.replace(/^http/, 'ws'), { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new StreamClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(cmd: ClientCommand | string): void {
    this.ws.send(typeof cmd === 'string' ? cmd : JSON.stringify(cmd));
  }

  /** Resolves when pred holds over the events so far; rejects after timeoutMs. */
  waitFor(pred: (evs: RunEvent[]) => boolean, what: string, timeoutMs = 20_000): Promise<RunEvent[]> {
    if (pred(this.events)) return Promise.resolve(this.events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${summarize(this.events)}`)), timeoutMs);
      this.waiters.push({
        pred,
        done: () => {
          clearTimeout(timer);
          resolve(this.events);
        },
      });
    });
  }

  /** Waits for the n-th event (1-based count) of the given type. */
  waitForCount(type: RunEvent['type'], n: number): Promise<RunEvent[]> {
    return this.waitFor((evs) => evs.filter((e) => e.type === type).length >= n, `${n} '${type}' event(s)`);
  }

  /** Waits for the terminal event (finished or error) of a run. */
  async waitForEnd(runId: number): Promise<RunEvent> {
    const evs = await this.waitFor((es) => es.some((e) => isTerminal(e) && e.runId === runId), `the end of run ${runId}`);
    return evs.find((e) => isTerminal(e) && e.runId === runId)!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export function isTerminal(e: RunEvent): boolean {
  return e.type === 'finished' || e.type === 'error';
}

function summarize(evs: RunEvent[]): string {
  return JSON.stringify(evs.map((e) => (e.type === 'error' ? `error(${e.runId}):${e.code}:${e.message}` : `${e.type}(${e.runId})`)));
}
