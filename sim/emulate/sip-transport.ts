import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { PeerAddress, Arrival } from './wire-types.ts';

/** Largest SIP message accepted (RFC 3261 §21.5.11: 513 Message Too Large above it). */
export const MAX_SIP_MESSAGE = 65_535;
/**
 * SO_RCVBUF of a node's UDP socket: 4 MiB (Linux caps it at net.core.rmem_max; Debian's is 208 KiB
 * unless raised). A burst of datagrams while the event loop runs a long event lands here instead of
 * being dropped by the kernel: BENCHMARKS.md, emulation lab, UDP drops.
 */
export const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
/**
 * SO_RCVBUF asked for each node's UDP socket (the kernel caps it at net.core.rmem_max). One Node
 * process reads every socket of the lab: while it runs a burst of events, datagrams queue in the
 * kernel, and the Linux default (rmem_default, 208 KiB: ~100 small datagrams on loopback) drops
 * them, each costing the sender a retransmission after T1 = 500 ms. Kamailio asks for more too.
 */
export const UDP_RECV_BUFFER = 4 * 1024 * 1024;

/**
 * One node's SIP transport (RFC 3261 §18): a UDP socket and a TCP listener on the same port, and
 * TCP connections reused in both directions (§18.2.2: a response goes back on the connection its
 * request came on; a later request to that peer reuses it). It only frames; parsing, decoding and
 * answering bad input happen in the wire network, the same for every transport.
 */
export class SipTransport {
  private udp: dgram.Socket | undefined;
  private server: net.Server | undefined;
  /** Open connections by peer address ("host:port" of the far end's listener or source). */
  private readonly conns = new Map<string, SipConnection>();
  readonly all = new Set<SipConnection>();
  port = 0;

  constructor(
    readonly node: string,
    readonly host: string,
    private readonly onArrival: (a: Arrival) => void,
    private readonly receiveBuffer = UDP_RECEIVE_BUFFER,
  ) {}

  /**
   * Datagrams the kernel dropped on this socket for want of receive buffer (the `drops` column of
   * /proc/net/udp; undefined off Linux).
   */
  udpDrops(): number | undefined {
    let text: string;
    try {
      text = readFileSync('/proc/net/udp', 'utf8');
    } catch {
      return undefined;
    }
    const port = this.port.toString(16).toUpperCase().padStart(4, '0');
    let drops = 0;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 12 && f[1].endsWith(`:${port}`)) drops += Number(f[f.length - 1]) || 0;
    }
    return drops;
  }

  /** Binds UDP and TCP on one port number; with port 0, retries until both get the same free one. */
  async listen(port: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.listenOnce(port);
        return;
      } catch (e) {
        await this.close();
        if (port !== 0 || attempt >= 10) throw e;
      }
    }
  }

  private async listenOnce(port: number): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: UDP_RECV_BUFFER });
    udp.on('message', (buf, r) => this.onArrival({ bytes: buf, src: { host: r.address, port: r.port }, transport: 'udp', reply: (b) => this.sendUdp(b, { host: r.address, port: r.port }) }));
    udp.on('error', () => {});
    this.udp = udp;
    await bindUdp(udp, port, this.host);
    this.port = udp.address().port;
    const server = net.createServer((s) => this.adopt(s, undefined));
    this.server = server;
    await listenTcp(server, this.port, this.host);
  }

  sendUdp(b: Uint8Array, to: PeerAddress): void {
    this.udp?.send(b, to.port, to.host);
  }

  /** Sends over TCP to the peer's listener, on an open connection if there is one. */
  sendTcp(b: Uint8Array, to: PeerAddress): void {
    const k = `${to.host}:${to.port}`;
    let c = this.conns.get(k);
    if (c === undefined || c.closed) {
      const s = net.connect({ host: to.host, port: to.port });
      s.on('error', () => {});
      c = this.adopt(s, k);
    }
    c.write(b);
  }

  /** A connection came in (or was opened): frames by Content-Length; `key` files it for reuse. */
  private adopt(s: net.Socket, key: string | undefined): SipConnection {
    const c = new SipConnection(s, this.onArrival);
    this.all.add(c);
    if (key !== undefined) this.conns.set(key, c);
    s.on('close', () => {
      c.closed = true;
      this.all.delete(c);
      if (key !== undefined && this.conns.get(key) === c) this.conns.delete(key);
    });
    return c;
  }

  /** Files an accepted connection under the sent-by of the peer's listener, for reuse (RFC 5923 in spirit). */
  alias(c: SipConnection, peer: PeerAddress): void {
    const k = `${peer.host}:${peer.port}`;
    const have = this.conns.get(k);
    if (have === undefined || have.closed) this.conns.set(k, c);
  }

  async close(): Promise<void> {
    for (const c of this.all) c.socket.destroy();
    const udp = this.udp;
    const server = this.server;
    this.udp = undefined;
    this.server = undefined;
    if (udp) await new Promise<void>((res) => { try { udp.close(() => res()); } catch { res(); } });
    if (server?.listening) await new Promise<void>((res) => server.close(() => res()));
  }
}

/** One SIP-over-TCP connection: cuts the stream into messages by Content-Length (RFC 3261 §18.3). */
export class SipConnection {
  closed = false;
  private buf: Buffer = Buffer.alloc(0);
  constructor(
    readonly socket: net.Socket,
    private readonly onArrival: (a: Arrival) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d) => this.data(d));
  }

  write(b: Uint8Array): void {
    if (!this.closed) this.socket.write(b);
  }

  private src(): PeerAddress {
    return { host: this.socket.remoteAddress ?? '?', port: this.socket.remotePort ?? 0 };
  }

  private data(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      // RFC 5626 §3.5.1 keep-alives (CRLF CRLF ping, CRLF pong) between messages are skipped.
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 13 || this.buf[skip] === 10)) skip++;
      if (skip > 0) this.buf = this.buf.subarray(skip);
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_SIP_MESSAGE) this.fail(this.buf, 'oversize: no end of the header section within 64 KiB');
        return;
      }
      const head = this.buf.subarray(0, end).toString('latin1');
      const cl = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n|$)/i.exec('\r\n' + head.slice(head.indexOf('\r\n') + 2));
      if (!cl) {
        // §18.3: Content-Length is mandatory on a stream; without it the framing is lost.
        this.fail(this.buf.subarray(0, end + 4), 'Content-Length is mandatory over TCP (RFC 3261 §18.3)');
        return;
      }
      const total = end + 4 + Number(cl[1]);
      if (total > MAX_SIP_MESSAGE) {
        this.fail(this.buf.subarray(0, end + 4), `oversize: ${total} bytes, above the limit of ${MAX_SIP_MESSAGE}`);
        return;
      }
      if (this.buf.length < total) return;
      const msg = new Uint8Array(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
      this.onArrival({ bytes: msg, src: this.src(), transport: 'tcp', reply: (b) => this.write(b), conn: this });
    }
  }

  /** The stream cannot be framed any more: hand what we have over to be answered, then close. */
  private fail(bytes: Buffer, why: string): void {
    this.onArrival({ bytes: new Uint8Array(bytes), src: this.src(), transport: 'tcp', reply: (b) => this.write(b), conn: this, framingError: why });
    this.buf = Buffer.alloc(0);
    this.closed = true;
    this.socket.end();
  }
}

export function bindUdp(s: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((res, rej) => {
    s.once('error', rej);
    s.bind(port, host, () => {
      s.off('error', rej);
      res();
    });
  });
}

export function listenTcp(s: net.Server, port: number, host: string): Promise<void> {
  return new Promise((res, rej) => {
    s.once('error', rej);
    s.listen(port, host, () => {
      s.off('error', rej);
      res();
    });
  });
}
