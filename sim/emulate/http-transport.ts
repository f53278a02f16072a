import net from 'node:net';
import { listenTcp } from './sip-transport.ts';
import type { PeerAddress } from './wire-types.ts';

/** Largest HTTP head accepted (431 above it) and body (413 above it). */
export const MAX_HTTP_HEAD = 16_384;
export const MAX_HTTP_BODY = 4_194_304;

/** One HTTP/1.1 message cut off a stream, or why the stream cannot be framed any more. */
export type HttpFrame = { ok: true; text: string; bytes: Uint8Array } | { ok: false; status: number; reason: string };

/**
 * HTTP/1.1 framing on a persistent connection (RFC 9112 §6): a head up to CRLF CRLF, then
 * Content-Length bytes of body (no Content-Length: no body). Transfer-Encoding is refused (411),
 * as the MSGin5G API (docs/openapi/) always sends Content-Length. The exact bytes are kept: the
 * codec parses them (sim/msgin5g/codec.ts), and the capture shows them.
 */
export class HttpFramer {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer, out: (f: HttpFrame) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_HTTP_HEAD) return this.fail(out, 431, `the head is longer than ${MAX_HTTP_HEAD} bytes`);
        return;
      }
      if (end > MAX_HTTP_HEAD) return this.fail(out, 431, `the head is longer than ${MAX_HTTP_HEAD} bytes`);
      const head = this.buf.subarray(0, end).toString('latin1');
      if (/\r\ntransfer-encoding[ \t]*:/i.test(head)) return this.fail(out, 411, 'Transfer-Encoding is not supported here: send Content-Length');
      const cls = [...head.matchAll(/\r\ncontent-length[ \t]*:[ \t]*([^\r]*)/gi)].map((m) => m[1].trim());
      if (cls.length > 1 && new Set(cls).size > 1) return this.fail(out, 400, 'conflicting Content-Length headers');
      if (cls.length && !/^[0-9]{1,9}$/.test(cls[0])) return this.fail(out, 400, `Content-Length '${cls[0].slice(0, 20)}' is not a number`);
      const len = cls.length ? Number(cls[0]) : 0;
      if (len > MAX_HTTP_BODY) return this.fail(out, 413, `a body of ${len} bytes is above the limit of ${MAX_HTTP_BODY}`);
      const total = end + 4 + len;
      if (this.buf.length < total) return;
      const bytes = new Uint8Array(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
      out({ ok: true, text: Buffer.from(bytes).toString('utf8'), bytes });
    }
  }
  private fail(out: (f: HttpFrame) => void, status: number, reason: string): void {
    this.buf = Buffer.alloc(0);
    out({ ok: false, status, reason });
  }
}

/** The server side of one connection: requests in, responses written back in request order (RFC 9112 §9.3). */
export class HttpServerConnection {
  readonly id: number;
  private readonly framer = new HttpFramer();
  closed = false;
  constructor(
    readonly socket: net.Socket,
    id: number,
    onFrame: (c: HttpServerConnection, f: HttpFrame) => void,
  ) {
    this.id = id;
    socket.setNoDelay(true);
    socket.on('data', (d) => this.framer.push(d, (f) => onFrame(this, f)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }
  write(b: Uint8Array): void {
    if (!this.closed) this.socket.write(b);
  }
  /** Answers a request that could not be framed, then closes (the stream has lost its boundaries). */
  fail(status: number, reason: string): Uint8Array {
    const body = JSON.stringify({ type: 'about:blank', title: 'Bad request framing', status, detail: reason });
    const b = Buffer.from(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    this.write(b);
    this.closed = true;
    this.socket.end();
    return b;
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 411: 'Length Required', 413: 'Content Too Large', 431: 'Request Header Fields Too Large' };

export class HttpServerTransport {
  private server: net.Server | undefined;
  private nextId = 1;
  readonly conns = new Set<HttpServerConnection>();
  port = 0;
  constructor(
    readonly host: string,
    private readonly onFrame: (c: HttpServerConnection, f: HttpFrame) => void,
  ) {}
  async listen(port: number): Promise<void> {
    const server = net.createServer((s) => {
      const c = new HttpServerConnection(s, this.nextId++, this.onFrame);
      this.conns.add(c);
      s.on('close', () => this.conns.delete(c));
    });
    this.server = server;
    await listenTcp(server, port, this.host);
    this.port = (server.address() as net.AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    const s = this.server;
    this.server = undefined;
    if (s?.listening) await new Promise<void>((res) => s.close(() => res()));
  }
}

/** The client side: one keep-alive connection per model connection slot; responses pair with requests in order. */
export class HttpClientConnection<R> {
  private readonly framer = new HttpFramer();
  /** Requests written and not yet answered, oldest first. */
  readonly inFlight: R[] = [];
  closed = false;
  constructor(
    readonly socket: net.Socket,
    onResponse: (c: HttpClientConnection<R>, f: HttpFrame, req: R | undefined) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d) => this.framer.push(d, (f) => onResponse(this, f, this.inFlight.shift())));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }
  send(b: Uint8Array, req: R): void {
    this.inFlight.push(req);
    this.socket.write(b);
  }
  static open<R>(to: PeerAddress, onResponse: (c: HttpClientConnection<R>, f: HttpFrame, req: R | undefined) => void): HttpClientConnection<R> {
    return new HttpClientConnection<R>(net.connect({ host: to.host, port: to.port }), onResponse);
  }
}
