import net from 'node:net';
import { listenTcp } from './sip-transport.ts';
import type { PeerAddress, Arrival } from './wire-types.ts';
import {
  CMD_CER,
  CMD_DWR,
  CMD_DPR,
  DiameterFramer,
  encodeCer,
  encodeCea,
  encodeDwr,
  encodeDwa,
  encodeErrorAnswer,
  avpText,
  AVP_ORIGIN_HOST,
  type DiameterIdentity,
  type DiameterPdu,
} from './diameter.ts';

/** RFC 6733 §5.6 peer states, the ones a single-connection peer needs. */
export type PeerState = 'wait-cea' | 'wait-cer' | 'open' | 'closed';

/**
 * One Diameter connection (RFC 6733 §2.1: TCP, one per peer pair). The initiator sends CER and
 * queues its requests until CEA; the responder waits for CER. DWR/DWA keep it checked (§5.5,
 * RFC 3539); a peer that never answers DWR twice in a row is dropped.
 */
export class DiameterConnection {
  state: PeerState;
  /** The peer's Origin-Host, from its CER or CEA. */
  peerHost: string | undefined;
  private readonly queue: Uint8Array[] = [];
  private readonly framer = new DiameterFramer();
  private hbh = 0x10000;
  watchdogPending = 0;
  /** The Origin-Host this end dialled (initiator), before the CEA names the peer. */
  target: string | undefined;
  /** Hop-by-Hop → subscriber of the Cx requests sent here (answers carry no User-Name). */
  readonly pendingSubs = new Map<number, number>();

  constructor(
    readonly socket: net.Socket,
    initiator: boolean,
    readonly transport: DiameterTransport,
  ) {
    this.state = initiator ? 'wait-cea' : 'wait-cer';
    socket.setNoDelay(true);
    socket.on('data', (d) =>
      this.framer.push(d, (b) => {
        transport.onArrival({
          bytes: b,
          src: { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 },
          transport: 'tcp',
          reply: (x) => this.write(x),
          conn: this,
          framingError: this.framer.broken,
        });
        if (this.framer.broken !== undefined) this.close();
      }),
    );
    socket.on('close', () => {
      this.state = 'closed';
      transport.forget(this);
    });
    socket.on('error', () => {});
    if (initiator) this.write(encodeCer(transport.id, this.nextHbh(), this.nextHbh()));
  }

  nextHbh(): number {
    this.hbh = (this.hbh + 1) >>> 0;
    return this.hbh;
  }

  /** Sends an application message: now if the peer is open, else after the capabilities exchange. */
  send(b: Uint8Array): void {
    if (this.state === 'open') this.write(b);
    else if (this.state !== 'closed') this.queue.push(b);
  }

  write(b: Uint8Array): void {
    // Until connected the local port is unknown: written (and captured) once the connection is up.
    if (this.socket.connecting) {
      this.socket.once('connect', () => this.write(b));
      return;
    }
    if (this.state !== 'closed') {
      // The PDUs written within one turn of the event loop (every datagram read in its poll phase)
      // leave in one write — one syscall, one segment on loopback when they fit: a burst of SARs or
      // SAAs costs one send, not one each. Released at the loop's check phase, before any timer.
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        setImmediate(this.uncork);
      }
      this.socket.write(b);
      this.transport.onWrite?.(this, b);
    }
  }

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  close(): void {
    this.state = 'closed';
    this.socket.end();
  }

  /**
   * The base protocol's own commands (CER/CEA, DWR/DWA, DPR). Returns true when the PDU was one of
   * them (handled here), false when it is an application message for the node.
   */
  base(p: DiameterPdu): boolean {
    const req = (p.flags & 0x80) !== 0;
    const id = this.transport.id;
    if (p.command === CMD_CER) {
      if (req) {
        const { bytes, ok } = encodeCea(p, id);
        this.write(bytes);
        this.peerHost = avpText(p.avps, AVP_ORIGIN_HOST);
        if (ok) this.open();
        else this.close();
      } else {
        this.peerHost = avpText(p.avps, AVP_ORIGIN_HOST);
        this.open();
      }
      return true;
    }
    if (p.command === CMD_DWR) {
      if (req) this.write(encodeDwa(p, id));
      else this.watchdogPending = 0;
      return true;
    }
    if (p.command === CMD_DPR) {
      if (req) this.write(encodeErrorAnswer(p, 2001, 'disconnecting', id));
      this.close();
      return true;
    }
    return false;
  }

  private open(): void {
    this.state = 'open';
    for (const b of this.queue.splice(0)) this.write(b);
  }

  /** Sends a DWR (called every Tw); a second unanswered one closes the connection (RFC 3539 §3.4.1). */
  watchdog(): void {
    if (this.state !== 'open') return;
    if (this.watchdogPending >= 2) {
      this.close();
      return;
    }
    this.watchdogPending++;
    this.write(encodeDwr(this.transport.id, this.nextHbh(), this.nextHbh()));
  }
}

/** A node's Diameter side: an optional listener, and its connections by peer Origin-Host. */
export class DiameterTransport {
  private server: net.Server | undefined;
  readonly conns = new Set<DiameterConnection>();
  port = 0;
  onWrite: ((c: DiameterConnection, b: Uint8Array) => void) | undefined;

  constructor(
    readonly node: string,
    readonly host: string,
    readonly id: DiameterIdentity,
    readonly onArrival: (a: Arrival) => void,
  ) {}

  async listen(port: number): Promise<void> {
    const server = net.createServer((s) => this.conns.add(new DiameterConnection(s, false, this)));
    this.server = server;
    await listenTcp(server, port, this.host);
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** The open (or opening) connection whose peer is `originHost`, or a new one to `addr`. */
  connectionTo(originHost: string, addr: PeerAddress): DiameterConnection {
    for (const c of this.conns) if (c.state !== 'closed' && (c.peerHost === originHost || c.target === originHost)) return c;
    const s = net.connect({ host: addr.host, port: addr.port });
    const c = new DiameterConnection(s, true, this);
    c.target = originHost;
    this.conns.add(c);
    return c;
  }

  forget(c: DiameterConnection): void {
    this.conns.delete(c);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((res) => server.close(() => res()));
  }
}
