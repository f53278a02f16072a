/**
 * The WebSocket /api/stream client: opens the socket on first use (and again after it drops),
 * sends ClientCommands, and hands every validated RunEvent to the listener. A lost connection is
 * reported as an error event, so the view shows it like any other failure.
 */
import type { ClientCommand, RunEvent } from '../../../sim/server/api-types.ts';
import { parseRunEvent } from './validate.ts';

export type RunEventListener = (ev: RunEvent) => void;

export const STREAM_ERRORS = {
  /** The socket could not be opened or closed under a run. */
  E_CONNECTION: 'E_CONNECTION',
  /** The server sent a frame the dashboard does not understand. */
  E_BAD_FRAME: 'E_BAD_FRAME',
} as const;

export class RunStream {
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  /** Run commands sent on the current socket. */
  private runsSent = 0;

  constructor(
    private readonly listener: RunEventListener,
    private readonly url = streamUrl(),
  ) {}

  /**
   * Sends a command. For `run`, resolves with the runId the server will give it: the server numbers
   * the run commands of a socket 1, 2, 3…, and this client sends only well-formed ones, so counting
   * them here tells which events belong to which run without a round trip.
   */
  async send(cmd: ClientCommand): Promise<number | undefined> {
    const ws = await this.open();
    ws.send(JSON.stringify(cmd));
    if (cmd.type !== 'run') return undefined;
    this.runsSent += 1;
    return this.runsSent;
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
        this.runsSent = 0;
        this.opening = undefined;
        resolve(ws);
      };
      ws.onerror = () => {
        // onclose follows with the details the browser is willing to give (none, usually).
      };
      ws.onclose = () => {
        const wasOpen = this.ws === ws;
        this.ws = undefined;
        this.opening = undefined;
        if (wasOpen) {
          this.listener({ type: 'error', code: STREAM_ERRORS.E_CONNECTION, message: 'The connection to the RegLab server was lost. Is `reglab serve` still running?' });
        } else {
          reject(new Error(`Could not connect to ${this.url}. Is \`reglab serve\` running?`));
        }
      };
      ws.onmessage = (m) => {
        if (typeof m.data !== 'string') return;
        try {
          this.listener(parseRunEvent(m.data));
        } catch (e) {
          this.listener({ type: 'error', code: STREAM_ERRORS.E_BAD_FRAME, message: (e as Error).message });
        }
      };
    });
    return this.opening;
  }
}

function streamUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/stream`;
}
