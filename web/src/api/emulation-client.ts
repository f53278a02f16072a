/**
 * The WebSocket /api/emulate client (sim/server/emulate-types.ts): opens the socket when the
 * Emulate view mounts, sends start/stop, and hands every checked EmulateEvent to the listener. A lost
 * connection is reported as an error event (the server stops an emulation whose socket closes).
 */
import type { EmulateCommand, EmulateEvent } from '../../../sim/server/emulate-types.ts';
import { ApiShapeError, parseFrame, type FieldKind } from './validate.ts';

const FIELDS: Record<EmulateEvent['type'], [string, FieldKind][]> = {
  hello: [
    ['hosts', 'array'],
    ['running', 'boolean'],
  ],
  started: [
    ['scenario', 'string'],
    ['host', 'string'],
    ['timeScale', 'number'],
    ['durationNs', 'number'],
    ['nodes', 'array'],
    ['endpoints', 'array'],
    ['subscribers', 'array'],
  ],
  trace: [['records', 'array']],
  lateness: [['lateness', 'object']],
  done: [
    ['ended', 'string'],
    ['dir', 'string'],
    ['files', 'string'],
    ['outputs', 'array'],
    ['summary', 'object'],
    ['rules', 'array'],
    ['lateness', 'object'],
    ['wire', 'object'],
  ],
  error: [
    ['code', 'string'],
    ['message', 'string'],
  ],
};

/** Parses one /api/emulate frame; throws ApiShapeError naming the first field that is wrong. */
export function parseEmulateEvent(text: string): EmulateEvent {
  const ev = parseFrame<EmulateEvent>(text, FIELDS, 'emulate');
  // A link the page renders must stay on this server's emulation files.
  if (ev.type === 'done' && !ev.files.startsWith('/api/emulations/')) throw new ApiShapeError('done event: files should be a path under /api/emulations/');
  return ev;
}

export class EmulationClient {
  private ws: WebSocket | undefined;
  private closed = false;

  constructor(
    private readonly listener: (ev: EmulateEvent) => void,
    private readonly url = emulateUrl(),
  ) {
    this.connect();
  }

  send(cmd: EmulateCommand): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(cmd));
    return true;
  }

  /** Opens a new socket after a lost one (the server greets it with hello). */
  reconnect(): void {
    if (this.closed || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    this.connect();
  }

  close(): void {
    this.closed = true;
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      try {
        this.listener(parseEmulateEvent(m.data));
      } catch (e) {
        this.listener({ type: 'error', code: 'E_BAD_FRAME', message: (e as Error).message });
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.listener({ type: 'error', code: 'E_CONNECTION', message: 'The connection to the RegLab server was lost (an emulation it was running has been stopped). Is `reglab serve` still running?' });
    };
  }
}

function emulateUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/emulate`;
}
