import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Arrival, PeerAddress } from './wire-types.ts';
import { MAX_SIP_MESSAGE } from './sip-transport.ts';
import { listenTcp } from './sip-transport.ts';

/** RFC 7118 §4.1: the WebSocket subprotocol of SIP. */
export const SIP_SUBPROTOCOL = 'sip';

/**
 * One node's SIP-over-WebSocket listener (RFC 7118): an HTTP server that upgrades only requests
 * offering the `sip` subprotocol (others are refused with 400 and the reason, plain HTTP gets 426),
 * then one SIP message per frame, text or binary (§5.1), each handed to the wire network like a
 * datagram — parsing, decoding and answering happen there, as for every transport. A frame above
 * the SIP size limit closes the connection with 1009 (RFC 6455 §7.4.1); the listener keeps serving.
 */
export class SipWsTransport {
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  readonly conns = new Set<SipWsConnection>();
  port = 0;
  /** Called when a frame was too large and the connection closed (counted by the wire network). */
  onOversize: ((c: SipWsConnection) => void) | undefined;

  constructor(
    readonly node: string,
    readonly host: string,
    private readonly onArrival: (a: Arrival) => void,
  ) {}

  async listen(port: number): Promise<void> {
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SIP_MESSAGE, handleProtocols: (ps) => (ps.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false) });
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' });
      res.end(`SIP over WebSocket only (RFC 7118): upgrade with Sec-WebSocket-Protocol: ${SIP_SUBPROTOCOL}\n`);
    });
    server.on('upgrade', (req, socket: Duplex, head) => {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (!offered.includes(SIP_SUBPROTOCOL)) {
        const why = `no '${SIP_SUBPROTOCOL}' WebSocket subprotocol offered (${offered.length ? `got ${offered.join(', ').slice(0, 80)}` : 'none'}) — RFC 7118 §4.1: Sec-WebSocket-Protocol: ${SIP_SUBPROTOCOL}`;
        socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why) + 1}\r\n\r\n${why}\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws, { host: req.socket.remoteAddress ?? '?', port: req.socket.remotePort ?? 0 }));
    });
    server.on('clientError', (_e, socket) => socket.destroy());
    this.wss = wss;
    this.server = server;
    await listenTcp(server as unknown as import('node:net').Server, port, this.host);
    this.port = (server.address() as { port: number }).port;
  }

  private adopt(ws: WebSocket, src: PeerAddress): void {
    const c = new SipWsConnection(ws, src);
    this.conns.add(c);
    // Text and binary frames alike carry one SIP message each (RFC 7118 §5.1).
    ws.on('message', (data: RawData) => this.onArrival({ bytes: toBytes(data), src, transport: 'ws', reply: (b) => c.send(b), conn: c }));
    ws.on('error', (e: Error & { code?: string }) => {
      // ws closes with 1009 itself when a frame exceeds maxPayload; other errors close with 1002.
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.onOversize?.(c);
    });
    ws.on('close', () => {
      c.closed = true;
      this.conns.delete(c);
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.wss?.close();
    const s = this.server;
    this.server = undefined;
    if (s?.listening) {
      s.closeAllConnections();
      await new Promise<void>((res) => s.close(() => res()));
    }
  }
}

/** One WebSocket connection carrying SIP: a flow a response and later requests go back on. */
export class SipWsConnection {
  closed = false;
  constructor(
    readonly ws: WebSocket,
    readonly src: PeerAddress,
  ) {}

  /** One SIP message per frame (RFC 7118 §5.1), as text: RegLab writes UTF-8. */
  send(b: Uint8Array): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(Buffer.from(b).toString('utf8'));
  }

  /** Closes with a status and a reason (RFC 6455 §7.4: 1007 for a payload that is no SIP message). */
  fail(code: number, why: string): void {
    if (this.closed) return;
    this.closed = true;
    // A close reason is at most 123 bytes.
    let r = why;
    while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
    this.ws.close(code, r);
  }
}

function toBytes(d: RawData): Uint8Array {
  if (Array.isArray(d)) return new Uint8Array(Buffer.concat(d));
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  return new Uint8Array(d);
}
