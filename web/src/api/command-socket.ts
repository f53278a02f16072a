/**
 * A WebSocket to one of the server's command routes (WS /api/stream for runs, /api/campaign for
 * campaigns): opened on first use and again after it drops; sends commands and hands every frame,
 * read by the route's parser, to the listener. A lost connection, or a frame the page cannot read,
 * arrives as an error event, so the view shows it like any other failure.
 *
 * The server numbers the commands of a socket that start something (a run, a campaign) 1, 2, 3…;
 * this client sends only well-formed ones, so counting them here tells which events belong to
 * which without a round trip.
 */

export const STREAM_ERRORS = {
  /** The socket could not be opened or closed under a run. */
  E_CONNECTION: 'E_CONNECTION',
  /** The server sent a frame the dashboard does not understand. */
  E_BAD_FRAME: 'E_BAD_FRAME',
} as const;

export interface SocketRoute<Cmd, Ev> {
  path: string;
  /** A frame → its event; throws an Error naming what is wrong (it becomes an E_BAD_FRAME event). */
  parse(text: string): Ev;
  /** The route's error event. */
  error(code: string, message: string): Ev;
  /** True for the commands the server numbers. */
  numbered(cmd: Cmd): boolean;
  /** What the user reads when the connection drops under them. */
  lost: string;
}

export class CommandSocket<Cmd, Ev> {
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  /** Numbered commands sent on the current socket. */
  private sent = 0;

  constructor(
    private readonly route: SocketRoute<Cmd, Ev>,
    private readonly listener: (ev: Ev) => void,
    private readonly url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${route.path}`,
  ) {}

  /** Sends a command; for a numbered one, resolves with the number the server gives it. */
  async send(cmd: Cmd): Promise<number | undefined> {
    const ws = await this.open();
    ws.send(JSON.stringify(cmd));
    return this.route.numbered(cmd) ? ++this.sent : undefined;
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
      // onerror: onclose follows with the details the browser is willing to give (none, usually).
      ws.onclose = () => {
        const wasOpen = this.ws === ws;
        this.ws = undefined;
        this.opening = undefined;
        if (wasOpen) this.listener(this.route.error(STREAM_ERRORS.E_CONNECTION, this.route.lost));
        else reject(new Error(`Could not connect to ${this.url}. Is \`reglab serve\` running?`));
      };
      ws.onmessage = (m) => {
        if (typeof m.data !== 'string') return;
        let ev: Ev;
        try {
          ev = this.route.parse(m.data);
        } catch (e) {
          ev = this.route.error(STREAM_ERRORS.E_BAD_FRAME, (e as Error).message);
        }
        this.listener(ev);
      };
    });
    return this.opening;
  }
}
