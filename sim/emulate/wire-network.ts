import type { Simulator } from '../kernel/simulator.ts';
import { lossStream, type InProcessNetwork } from '../net/network.ts';
import type { RandomStream } from '../kernel/random.ts';
import type { Message } from '../net/message.ts';
import type { Signals, DropReason } from '../net/signals.ts';
import type { Node } from '../node/node.ts';
import type { PcapFrame } from '../observe/pcapng.ts';
import { ImsNode } from '../ims/ims-node.ts';
import type { ImsContext } from '../ims/context.ts';
import { CxMessage } from '../ims/cx.ts';
import { ImsSip } from '../ims/sip-message.ts';
import { SipMessage } from '../sip/message.ts';
import { receiveSip } from '../sip/receive.ts';
import { createResponse } from '../sip/response.ts';
import type { EmulateSection } from '../scenario/types/emulate.ts';
import { ImsSipCodec, ViaTable, type WireMeta } from './ims-sip-codec.ts';
import { readPdu, decodeCx, encodeErrorAnswer, isCxCommand, avpText, AVP_SESSION_ID, DIAMETER_COMMAND_UNSUPPORTED, type DiameterIdentity } from './diameter.ts';
import { SipTransport, SipConnection, MAX_SIP_MESSAGE } from './sip-transport.ts';
// One source for RFC 3261 §18.1.1's limit: the model's SIP stack chooses TCP by it, the wire follows.
import { UDP_SIZE_LIMIT } from '../ims/sip-stack.ts';
import { Spool } from './spool.ts';
import { DiameterTransport, DiameterConnection } from './diameter-transport.ts';
import { SipWsTransport, SipWsConnection } from './sip-ws-transport.ts';
import type { Via } from '../ims/sip-message.ts';
import type { Arrival, PeerAddress } from './wire-types.ts';
import { HttpServerTransport, HttpClientConnection, type HttpServerConnection, type HttpFrame } from './http-transport.ts';
import { Msgin5gServer } from '../msgin5g/server.ts';
import { parseRequest, parseResponse, isParseError } from '../msgin5g/codec.ts';
import { API_ROOT } from '../msgin5g/http.ts';
import { modelForm } from './msgin5g-model-form.ts';
import { RegistrationRequest, DeregistrationRequest, BulkRequest, RawHttpRequest, type Msgin5gRequest } from '../msgin5g/messages.ts';

/** What each node type speaks on the wire (listeners the lab opens for it). */
const SPEAKS: Record<string, { sip?: boolean; diameterServer?: boolean; diameterClient?: boolean; httpServer?: boolean }> = {
  'msgin5g-server': { httpServer: true },
  'msc-ics': { sip: true },
  icscf: { sip: true, diameterClient: true },
  scscf: { sip: true, diameterClient: true },
  hss: { diameterServer: true },
  'far-end': { sip: true },
};

/** One entry of the recording: everything that entered a node from a socket (docs/emulation.md). */
export interface RecordedArrival {
  /** Arrival time (ns of the run). */
  t: number;
  to: string;
  /** The sending node's id, or its address when it is no node of the scenario. */
  from: string;
  proto: 'sip' | 'cx' | 'http';
  transport: 'udp' | 'tcp' | 'ws';
  /** The bytes, base64. */
  data: string;
  /** What the sender's model knew and the wire does not carry (own nodes only). */
  meta?: WireMeta & { sub?: number };
  /** HTTP (MSGin5G): how the lab paired the message with its transaction, and the sender's observations. */
  http?: RecordedHttp;
}

/** The HTTP side of a recorded arrival (replay.ts rebuilds the model's message from it). */
export interface RecordedHttp {
  /** A request: the transaction id and connection slot the server answers under. */
  tx: number;
  slot: number;
  /** A response: the request it answers (its tx and conn, as the gateway sent it). */
  answers?: { tx: number; conn: number };
  /** The rule checker's observations that came beside the bytes (own nodes only); Uint8Arrays as { u8: base64 }. */
  obs?: Record<string, unknown>;
}

/** Observations as JSON (a Uint8Array becomes { u8: base64 }) and back. */
export function obsToJson(obs: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (obs === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obs)) out[k] = v instanceof Uint8Array ? { u8: Buffer.from(v).toString('base64') } : v;
  return out;
}

export function obsFromJson(obs: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (obs === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obs)) {
    const u = v !== null && typeof v === 'object' && typeof (v as { u8?: unknown }).u8 === 'string' ? (v as { u8: string }).u8 : undefined;
    out[k] = u !== undefined ? new Uint8Array(Buffer.from(u, 'base64')) : v;
  }
  return out;
}

/** Counters of the wire (summary.json `emulation.wire`). */
export interface WireCounters {
  sent: number;
  received: number;
  /** Answered with the protocol's error (SIP 4xx/5xx, Diameter error answer). */
  rejected: number;
  /** Dropped without an answer (a malformed response, an ACK, an unframeable stream). */
  discarded: number;
  /** Sent over TCP because the message was larger than 1300 bytes (RFC 3261 §18.1.1). */
  udpToTcp: number;
  /** Decoded messages whose re-rendering differed from the received text (a codec bug; 0 expected). */
  decodeMismatch: number;
  /** Datagrams the kernel dropped on the nodes' SIP UDP sockets (full receive buffer; Linux only). */
  udpDrops?: number;
  byReason: Record<string, number>;
}

export interface EndpointInfo {
  node: string;
  proto: string;
  url: string;
}

export interface WireNetworkOptions {
  sim: Simulator;
  net: InProcessNetwork;
  nodes: Node[];
  nodeTypes: string[];
  signals: Signals;
  host: string;
  section: EmulateSection | undefined;
  /** Runs fn as a kernel event at the current time (the real-time driver's inject). */
  inject<A>(fn: (a: A) => void, a: A): void;
  /** Check every decode against the received text (on in tests). */
  verify?: boolean;
  /** SO_RCVBUF of the SIP UDP sockets (sip-transport.ts UDP_RECEIVE_BUFFER; 0: the OS default). */
  udpReceiveBuffer?: number;
}

/**
 * The emulation lab's network: the same nodes, on real sockets. A node's send renders the message
 * with its codec and puts the bytes on its real transport; every received byte goes through the
 * strict parser and the codec's decoder before the receiving node sees a message — the node never
 * gets the sender's object. Bad input is answered with the protocol's error and counted here;
 * faults of the scenario act on the sends as in simulation (same injector, same trace marks).
 */
export class WireNetwork {
  private readonly sip = new Map<number, SipTransport>();
  private readonly ws = new Map<number, SipWsTransport>();
  /** RFC 7118 flows: the WebSocket connection a peer's request came on (its top Via), and its dialogs' (Call-ID token). */
  private readonly wsByVia = new WeakMap<Via, SipWsConnection>();
  private readonly wsByCall = new Map<number, SipWsConnection>();
  /** The node a WebSocket client plays: the scenario's first external SIP node (-1: none). */
  private wsPeer = -1;
  private readonly dia = new Map<number, DiameterTransport>();
  private readonly external = new Map<number, PeerAddress>();
  private readonly byAddr = new Map<string, number>();
  private readonly byFqdn = new Map<string, number>();
  private readonly connPeer = new WeakMap<object, number>();
  private readonly meta = new Map<string, { m: WireMeta & { sub?: number }; n: number }>();
  private readonly ctx: ImsContext | undefined;
  private readonly codec: ImsSipCodec | undefined;
  readonly vias: ViaTable;
  /** The recording (arrivals.jsonl), one JSON line per arrival, on disk as it happens (spool.ts). */
  private readonly arrivals = new Spool('arrivals.jsonl');
  private arrivalCount = 0;
  /** What went over the wire (trace.pcapng), on disk as it happens: see pushFrame(). */
  private readonly frameSpool = new Spool('frames.bin');
  private frameCount = 0;
  /** The hosts the frames name (a frame stores its index). */
  private readonly frameHosts: string[] = [];
  private readonly frameHostIndex = new Map<string, number>();
  readonly counters: WireCounters = { sent: 0, received: 0, rejected: 0, discarded: 0, udpToTcp: 0, decodeMismatch: 0, byReason: {} };
  private readonly ids: string[];
  private readonly http = new Map<number, HttpServerTransport>();
  /** Gateway side: keep-alive connections by from/to/connection slot. */
  private readonly httpClients = new Map<string, HttpClientConnection<Msgin5gRequest>>();
  /** Server side: where each request's response goes, by gateway/tx/conn. */
  private readonly httpPending = new Map<string, HttpServerConnection>();
  /** Local ports of the gateways' client connections → gateway (to name the sender at the server). */
  private readonly httpClientPorts = new Map<number, number>();
  private httpTx = 0;
  /** The rule checker's observations a node attached to an HTTP message (not on the wire), by wire text. */
  private readonly httpObs = new Map<string, Record<string, unknown>>();

  constructor(readonly o: WireNetworkOptions) {
    this.ids = o.nodes.map((n) => n.id);
    const ims = o.nodes.find((n): n is ImsNode => n instanceof ImsNode);
    this.ctx = ims?.ctx;
    this.vias = new ViaTable(64 * (this.ctx?.cfg.timers.T1 ?? 500_000_000) + 1_000_000_000);
    if (this.ctx) {
      this.codec = new ImsSipCodec(this.ctx, o.nodes.length, this.vias);
      for (let i = 0; i < o.nodes.length; i++) {
        const cfgHost = o.section?.nodes[this.ids[i]]?.originHost;
        // Origin-Host from configuration: the model's Diameter identity of this node becomes it.
        if (cfgHost !== undefined) (this.ctx as unknown as { fqdns: string[] }).fqdns[i] = cfgHost;
        this.byFqdn.set(this.ctx.fqdn(i), i);
      }
    }
    for (const [id, cfg] of Object.entries(o.section?.nodes ?? {})) {
      const i = this.ids.indexOf(id);
      if (i < 0) throw new EmulateError('E_SCENARIO', `emulate.nodes.${id}: no node '${id}' in the scenario — use one of ${this.ids.join(', ')}`);
      if (cfg.external) {
        const c = cfg.external.address.lastIndexOf(':');
        const addr = { host: cfg.external.address.slice(0, c), port: Number(cfg.external.address.slice(c + 1)) };
        this.external.set(i, addr);
        this.byAddr.set(`${addr.host}:${addr.port}`, i);
        if (this.wsPeer < 0 && SPEAKS[o.nodeTypes[i]]?.sip) this.wsPeer = i;
      }
    }
    o.net.send = (from: number, to: number, msg: Message) => this.send(from, to, msg);
  }

  private readonly lossRngs = new Map<number, RandomStream>();
  private lossRng(from: number, to: number): RandomStream {
    const k = from * 65536 + to;
    let r = this.lossRngs.get(k);
    if (r === undefined) this.lossRngs.set(k, (r = lossStream(this.o.sim, this.ids[from], this.ids[to])));
    return r;
  }

  isExternal(i: number): boolean {
    return this.external.has(i);
  }

  /** Opens every listener; a port in use fails with the node, the port and the fix. */
  async start(): Promise<void> {
    const o = this.o;
    for (let i = 0; i < o.nodes.length; i++) {
      if (this.external.has(i)) continue;
      const id = this.ids[i];
      const speaks = SPEAKS[o.nodeTypes[i]] ?? {};
      const cfg = o.section?.nodes[id] ?? {};
      if (speaks.sip) {
        const t = new SipTransport(id, o.host, (a) => o.inject((x) => this.arrive(x), { ...a, to: i, proto: 'sip' as const }), o.udpReceiveBuffer);
        await this.bind(id, 'sip', cfg.sip ?? 0, () => t.listen(cfg.sip ?? 0));
        this.sip.set(i, t);
        this.byAddr.set(`${o.host}:${t.port}`, i);
        if (cfg.ws !== undefined) {
          const w = new SipWsTransport(id, o.host, (a) => o.inject((x) => this.arrive(x), { ...a, to: i, proto: 'sip' as const }));
          w.onOversize = () => o.inject(() => this.count(i, 'discarded', 'sip.ws-1009-oversize'), undefined);
          await this.bind(id, 'ws', cfg.ws, () => w.listen(cfg.ws ?? 0));
          this.ws.set(i, w);
        }
      }
      if (speaks.httpServer) {
        const t = new HttpServerTransport(o.host, (c, f) => o.inject((x) => this.arriveHttpRequest(x), { conn: c, to: i, frame: f }));
        await this.bind(id, 'http', cfg.http ?? 0, () => t.listen(cfg.http ?? 0));
        this.http.set(i, t);
      }
      if (speaks.diameterServer || speaks.diameterClient) {
        const t = new DiameterTransport(id, o.host, this.identity(i), (a) => o.inject((x) => this.arrive(x), { ...a, to: i, proto: 'cx' as const }));
        t.onWrite = (c, b) => this.frame(i, c, b);
        if (speaks.diameterServer || cfg.diameter !== undefined) await this.bind(id, 'diameter', cfg.diameter ?? 0, () => t.listen(cfg.diameter ?? 0));
        this.dia.set(i, t);
      }
    }
  }

  private async bind(node: string, proto: string, port: number, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') {
        throw new EmulateError(
          'E_PORT_IN_USE',
          `node '${node}': ${proto} port ${port} on ${this.o.host} is already in use — stop whatever holds it, or set emulate.nodes.${node}.${proto} to another port (0 picks a free one)`,
        );
      }
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
        throw new EmulateError('E_PORT_IN_USE', `node '${node}': cannot listen on ${this.o.host}:${port} (${err.code}) — use an address of this machine with --host, or a port above 1023`);
      }
      throw e;
    }
  }

  private identity(i: number): DiameterIdentity {
    return {
      originHost: this.ctx?.fqdn(i) ?? `${this.ids[i]}.reglab`,
      originRealm: this.o.section?.nodes[this.ids[i]]?.originRealm ?? this.ctx?.realm ?? 'reglab',
      hostIp: this.o.host.includes('.') ? this.o.host : '127.0.0.1',
    };
  }

  /** Every listening endpoint, as printed on start. */
  endpoints(): EndpointInfo[] {
    const out: EndpointInfo[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const ext = this.external.get(i);
      if (ext) out.push({ node: this.ids[i], proto: 'external', url: `${ext.host}:${ext.port} (real peer)` });
      const s = this.sip.get(i);
      if (s) {
        out.push({ node: this.ids[i], proto: 'sip', url: `sip:${this.o.host}:${s.port};transport=udp` });
        out.push({ node: this.ids[i], proto: 'sip', url: `sip:${this.o.host}:${s.port};transport=tcp` });
      }
      const w = this.ws.get(i);
      if (w) out.push({ node: this.ids[i], proto: 'sip', url: `sip:${this.o.host}:${w.port};transport=ws` });
      const h = this.http.get(i);
      if (h) out.push({ node: this.ids[i], proto: 'http', url: `http://${this.o.host}:${h.port}${API_ROOT}/` });
      const d = this.dia.get(i);
      if (d && d.port) out.push({ node: this.ids[i], proto: 'diameter', url: `aaa://${this.o.host}:${d.port};transport=tcp` });
    }
    return out;
  }

  // ---- sending -------------------------------------------------------------------------------------

  private send(from: number, to: number, msg: Message): void {
    const o = this.o;
    const now = o.sim.now();
    o.signals.sent(now, from, to, msg);
    if (to < 0 || to >= this.ids.length) {
      o.signals.dropped(now, from, to, msg, 'unroutable');
      return;
    }
    let extra = 0;
    let copies = 1;
    const act = o.net.interceptor?.onSend(from, to, msg, now);
    if (act !== undefined) {
      if (act.drop !== undefined) {
        o.signals.dropped(now, from, to, msg, act.drop as DropReason);
        return;
      }
      extra = act.extraDelay ?? 0;
      copies += act.duplicates ?? 0;
    }
    // The scenario's link delay is emulated as a hold before the socket send (netem-style), so the
    // interleaving of messages on different paths is the simulation's; the real network adds its own.
    const p = o.net.link(from, to).params;
    extra += p.delay;
    for (let c = 0; c < copies; c++) {
      // Link loss on a datagram link, drawn from the link's own stream as in simulation (lossStream);
      // a message that goes over TCP on that path (above 1300 bytes, RFC 3261 §18.1.1) is not lost, as there.
      if (p.transport === 'datagram' && p.loss > 0 && msg.stream !== true && this.lossRng(from, to).chance(p.loss)) {
        o.signals.dropped(now, from, to, msg, 'loss');
        continue;
      }
      if (extra > 0) o.sim.schedule(extra, () => this.transmit(from, to, msg));
      else this.transmit(from, to, msg);
    }
  }

  private transmit(from: number, to: number, msg: Message): void {
    // A real peer's lane in the trace: what RegLab handed the wire towards it counts as delivered there.
    if (this.external.has(to)) this.o.signals.delivered(this.o.sim.now(), from, to, msg);
    if (msg instanceof ImsSip || msg instanceof SipMessage) this.sendSip(from, to, msg);
    else if (msg instanceof CxMessage) this.sendCx(from, to, msg);
    else if (msg.proto === 'msgin5g') this.sendHttp(from, to, msg);
    else {
      // A protocol the lab has no transport for yet (docs/emulation.md, limits): delivered in process.
      const net = this.o.net;
      this.o.sim.post(this.o.sim.now(), () => net.arrive(from, to, msg));
    }
  }

  private remember(key: string, msg: Message, sentAt: number): void {
    const m = { procedure: msg.procedure, rules: msg.rules, sentAt, sub: msg.sub };
    const have = this.meta.get(key);
    if (have) have.n++;
    else this.meta.set(key, { m, n: 1 });
  }

  private sendSip(from: number, to: number, msg: ImsSip | SipMessage): void {
    const t = this.sip.get(from);
    const dest = this.sipAddress(to);
    if (t === undefined || dest === undefined) {
      this.o.signals.dropped(this.o.sim.now(), from, to, msg, 'unroutable');
      return;
    }
    const text = msg.wire!();
    const bytes = msg instanceof SipMessage ? msg.wireBytes() : Buffer.from(text, 'utf8');
    if (msg instanceof ImsSip) {
      this.vias.noteSent(msg, this.o.sim.now());
      // Only a RegLab node reads the meta back (by the received text): a real peer never returns these bytes.
      if (!this.external.has(to)) this.remember(text, msg, msg.sentAt >= 0 ? msg.sentAt : this.o.sim.now());
      const flow = this.wsFlow(msg, to);
      if (flow !== undefined) {
        // RFC 7118 §5: a response goes back on the connection its request came on, a request on the
        // dialog's flow; a request's own Via names the WebSocket transport.
        const out = msg.status === 0 ? Buffer.from(text.replace(/^(Via: SIP\/2\.0\/)(UDP|TCP) /m, '$1WS '), 'utf8') : bytes;
        this.counters.sent++;
        this.pushFrame('tcp', { host: this.o.host, port: this.ws.get(from)?.port ?? t.port }, flow.src, out);
        flow.send(out);
        return;
      }
    }
    const stream = this.o.net.link(from, to).params.transport === 'stream';
    const big = bytes.length > UDP_SIZE_LIMIT;
    if (!stream && big) this.counters.udpToTcp++;
    this.counters.sent++;
    const overTcp = stream || big;
    this.pushFrame(overTcp ? 'tcp' : 'udp', { host: this.o.host, port: t.port }, dest, bytes);
    if (overTcp) t.sendTcp(bytes, dest);
    else t.sendUdp(bytes, dest);
  }

  /** The open WebSocket flow a message to a peer goes on, if it belongs to one. */
  private wsFlow(msg: ImsSip, to: number): SipWsConnection | undefined {
    if (this.ws.size === 0) return undefined;
    const c = (msg.status !== 0 && msg.via !== null ? this.wsByVia.get(msg.via) : undefined) ?? this.wsByCall.get(msg.callToken);
    return c !== undefined && !c.closed && this.connPeer.get(c) === to ? c : undefined;
  }

  private sipAddress(i: number): PeerAddress | undefined {
    const ext = this.external.get(i);
    if (ext) return ext;
    const s = this.sip.get(i);
    return s ? { host: this.o.host, port: s.port } : undefined;
  }

  private sendCx(from: number, to: number, msg: CxMessage): void {
    const t = this.dia.get(from);
    const ctx = this.ctx!;
    if (t === undefined) {
      this.o.signals.dropped(this.o.sim.now(), from, to, msg, 'unroutable');
      return;
    }
    const bytes = msg.encode();
    if (!this.external.has(to)) this.remember(view(bytes).toString('latin1'), msg, msg.sentAt >= 0 ? msg.sentAt : this.o.sim.now());
    this.counters.sent++;
    const peerHost = ctx.fqdn(to);
    let conn: DiameterConnection | undefined;
    for (const c of t.conns) if (c.state !== 'closed' && (c.peerHost === peerHost || c.target === peerHost)) conn = c;
    if (conn === undefined) {
      const addr = this.external.get(to) ?? (this.dia.get(to)?.port ? { host: this.o.host, port: this.dia.get(to)!.port } : undefined);
      if (addr === undefined) {
        this.o.signals.dropped(this.o.sim.now(), from, to, msg, 'unroutable');
        return;
      }
      conn = t.connectionTo(peerHost, addr);
      this.connPeer.set(conn, to);
    }
    if (msg.request) {
      conn.pendingSubs.set(msg.hopByHop >>> 0, msg.sub);
      // Bounded: the oldest entries go first (Hop-by-Hop ids are answered within the Cx timeout).
      if (conn.pendingSubs.size > 65536) conn.pendingSubs.delete(conn.pendingSubs.keys().next().value!);
    }
    conn.send(bytes);
  }

  // ---- receiving -----------------------------------------------------------------------------------

  /** An arrival, as a kernel event at its arrival time: parse, decode, answer or deliver. */
  private arrive(a: Arrival & { to: number; proto: 'sip' | 'cx' }): void {
    this.counters.received++;
    if (a.proto === 'sip') this.arriveSip(a);
    else this.arriveCx(a);
  }

  private count(node: number, what: 'rejected' | 'discarded', reason: string): void {
    this.counters[what]++;
    this.counters.byReason[reason] = (this.counters.byReason[reason] ?? 0) + 1;
    this.o.signals.signal(this.o.sim.now(), node, `wire.${what}`, 1, -1);
  }

  private replySip(a: Arrival, to: number, answer: SipMessage, reason: string): void {
    const b = answer.wireBytes();
    this.pushFrame(a.transport === 'udp' ? 'udp' : 'tcp', { host: this.o.host, port: this.sipPort(to, a.transport) }, a.src, b);
    a.reply(b);
    this.count(to, 'rejected', reason);
  }

  private sipPort(node: number, transport: Arrival['transport']): number {
    return (transport === 'ws' ? this.ws.get(node)?.port : this.sip.get(node)?.port) ?? 0;
  }

  private arriveSip(a: Arrival & { to: number }): void {
    const to = a.to;
    // Inbound bytes are captured unless one of RegLab's own nodes sent them (its send is captured).
    const own = this.byAddr.get(`${a.src.host}:${a.src.port}`) ?? (a.conn ? this.connPeer.get(a.conn as object) : undefined);
    if (own === undefined || this.isExternal(own)) this.pushFrame(a.transport === 'udp' ? 'udp' : 'tcp', a.src, { host: this.o.host, port: this.sipPort(to, a.transport) }, a.bytes);
    // A WebSocket frame is one whole message (RFC 7118 §5.1): parsed like a datagram.
    const transport = a.transport === 'tcp' ? 'stream' : 'datagram';
    if (a.bytes.length > MAX_SIP_MESSAGE || a.framingError?.startsWith('oversize')) {
      // RFC 3261 §21.5.11: 513 Message Too Large — answered from the headers we could read.
      // The head alone, its Content-Length zeroed: enough to copy Via, From, To, Call-ID and CSeq.
      const text = Buffer.from(a.bytes.subarray(0, Math.min(a.bytes.length, 8192))).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = (end < 0 ? text : text.slice(0, end)).replace(/\r\n(content-length|l)[ \t]*:[ \t]*\d+/gi, '') + '\r\nContent-Length: 0\r\n\r\n';
      const r = receiveSip(head, { agent: this.ids[to] }, { transport: 'datagram' });
      const p = r.kind === 'accept' ? r.parsed.msg : r.kind === 'reject' ? r.parsed?.msg : undefined;
      if (p && p.isRequest && p.method !== 'ACK') this.replySip(a, to, createResponse(p, 513, { headers: [['Warning', warning(this.ids[to], a.framingError ?? 'message too large')]] }), 'sip.513-too-large');
      else this.count(to, 'discarded', 'sip.oversize');
      return;
    }
    const r = receiveSip(a.bytes, { agent: this.ids[to] }, { transport: a.framingError ? 'datagram' : transport });
    if (r.kind === 'drop') {
      // A malformed response or ACK is never answered; nor is a request whose Via cannot be read (no route back).
      const unanswerable = !/response|ACK/.test(r.why);
      this.count(to, 'discarded', unanswerable ? 'sip.malformed-unanswerable' : 'sip.malformed-response-or-ack');
      // Over WebSocket the peer learns why: the connection closes with 1007 and the reason (RFC 6455 §7.4.1).
      if (unanswerable && a.conn instanceof SipWsConnection) a.conn.fail(1007, `not a SIP message: ${r.why}`);
      return;
    }
    if (r.kind === 'reject') {
      this.replySip(a, to, r.answer, `sip.${r.answer.status}`);
      return;
    }
    if (a.framingError) {
      this.replySip(a, to, createResponse(r.parsed.msg, 400, { headers: [['Warning', warning(this.ids[to], a.framingError)]] }), 'sip.400-framing');
      return;
    }
    // A real peer's bytes carry no meta of ours (none was remembered for them): no text to look up.
    const fromPeer = own !== undefined && this.isExternal(own);
    const text = fromPeer ? '' : view(a.bytes).toString('utf8');
    const meta = fromPeer ? undefined : this.takeMeta(text);
    // The sender: by source address (UDP from a node's own socket, a configured external peer),
    // else the connection's peer, else the top Via's sent-by (RFC 3261 §18.2.2) when it is a node's.
    let from = this.byAddr.get(`${a.src.host}:${a.src.port}`);
    if (from === undefined && a.conn) from = this.connPeer.get(a.conn as object);
    if (from === undefined && a.conn instanceof SipWsConnection && this.wsPeer >= 0) from = this.wsPeer;
    const d = this.codec?.decode(r.parsed, this.o.sim.now(), meta, from ?? -1);
    if (d === undefined || !d.ok) {
      const status = d?.ok === false ? d.status : 501;
      const reason = d?.ok === false ? d.reason : 'no SIP model in this scenario';
      if (r.parsed.msg.isRequest && r.parsed.msg.method !== 'ACK') {
        this.replySip(a, to, createResponse(r.parsed.msg, status, { headers: [['Warning', warning(this.ids[to], reason)]] }), `sip.${status}`);
      } else this.count(to, 'discarded', 'sip.undecodable-response');
      return;
    }
    const msg = d.msg;
    // Only the model's own messages render back to their exact text (a real peer's extra headers are not carried).
    if (this.o.verify && (meta !== undefined || (from !== undefined && !this.isExternal(from)))) {
      const diff = ImsSipCodec.verify(msg, text);
      if (diff !== undefined) {
        this.counters.decodeMismatch++;
        this.counters.byReason[`decode: ${diff}`] = 1;
      }
    }
    if (from === undefined && msg.status === 0 && msg.via && msg.via.raw === undefined) from = msg.via.node;
    if (from === undefined) {
      if (msg.status === 0 && msg.method !== 'ACK') {
        const why = `the source ${a.src.host}:${a.src.port} is no node of this scenario — name it in emulate.nodes.<node>.external.address`;
        this.replySip(a, to, createResponse(r.parsed.msg, 403, { headers: [['Warning', warning(this.ids[to], why)]] }), 'sip.403-unknown-sender');
      } else this.count(to, 'discarded', 'sip.unknown-sender');
      return;
    }
    if (a.conn instanceof SipConnection) {
      this.connPeer.set(a.conn, from);
      const peer = this.sipAddress(from);
      if (peer) this.sip.get(to)?.alias(a.conn, peer);
    } else if (a.conn instanceof SipWsConnection) {
      this.connPeer.set(a.conn, from);
      if (msg.status === 0 && msg.via !== null) this.wsByVia.set(msg.via, a.conn);
      this.wsByCall.set(msg.callToken, a.conn);
      // Bounded: the oldest dialogs' flows go first.
      if (this.wsByCall.size > 65536) this.wsByCall.delete(this.wsByCall.keys().next().value!);
    }
    this.record(a, to, from, meta, msg.sub);
    this.o.net.arrive(from, to, msg);
  }

  private takeMeta(key: string): (WireMeta & { sub?: number }) | undefined {
    const h = this.meta.get(key);
    if (h === undefined) return undefined;
    if (--h.n <= 0) this.meta.delete(key);
    return h.m;
  }

  private arriveCx(a: Arrival & { to: number }): void {
    const to = a.to;
    const conn = a.conn as DiameterConnection;
    const id = this.identity(to);
    const p = readPdu(a.bytes);
    if (!p.ok) {
      if (p.header && (p.header.flags & 0x80) !== 0) {
        a.reply(encodeErrorAnswer({ ...p.header }, p.result, p.reason, id));
        this.count(to, 'rejected', `diameter.${p.result}`);
      } else this.count(to, 'discarded', `diameter.malformed`);
      return;
    }
    const pdu = p.pdu;
    if (conn.base(pdu)) return;
    const isReq = (pdu.flags & 0x80) !== 0;
    if (conn.state !== 'open') {
      // RFC 6733 §5.6: application messages before the capabilities exchange come from an unknown peer.
      if (isReq) {
        a.reply(encodeErrorAnswer(pdu, 3010, 'DIAMETER_UNKNOWN_PEER: no CER/CEA on this connection yet', id, avpText(pdu.avps, AVP_SESSION_ID)));
        this.count(to, 'rejected', 'diameter.3010');
      } else this.count(to, 'discarded', 'diameter.answer-before-cea');
      return;
    }
    if (!isCxCommand(pdu.command)) {
      if (isReq) {
        a.reply(encodeErrorAnswer(pdu, DIAMETER_COMMAND_UNSUPPORTED, `command code ${pdu.command} is not supported here`, id, avpText(pdu.avps, AVP_SESSION_ID)));
        this.count(to, 'rejected', 'diameter.3001');
      } else this.count(to, 'discarded', 'diameter.unknown-answer');
      return;
    }
    const key = view(a.bytes).toString('latin1');
    const meta = this.takeMeta(key);
    // Kept after the answer: a duplicated answer (a fault, a retransmission) still names its subscriber.
    const answerSub = isReq ? undefined : (meta?.sub ?? conn.pendingSubs.get(pdu.hopByHop));
    const d = decodeCx(pdu, this.ctx!, { fqdn: (f) => this.byFqdn.get(f) ?? -1, host: (h) => this.codec?.nodeOfHost(h) ?? -1 }, { meta, answerSub });
    if (!d.ok) {
      if (isReq) {
        a.reply(encodeErrorAnswer(pdu, d.result, d.reason, id, avpText(pdu.avps, AVP_SESSION_ID)));
        this.count(to, 'rejected', `diameter.${d.result}`);
      } else this.count(to, 'discarded', 'diameter.undecodable-answer');
      return;
    }
    if (this.o.verify && Buffer.compare(Buffer.from(d.msg.encode()), Buffer.from(a.bytes)) !== 0) this.counters.decodeMismatch++;
    let from = this.connPeer.get(conn) ?? (conn.peerHost !== undefined ? this.byFqdn.get(conn.peerHost) : undefined);
    if (from === undefined) from = d.msg.origin;
    this.connPeer.set(conn, from);
    this.record(a, to, from, meta, d.msg.sub);
    this.o.net.arrive(from, to, d.msg);
  }

  private record(a: Arrival & { to: number; proto?: 'sip' | 'cx' }, to: number, from: number, meta: (WireMeta & { sub?: number }) | undefined, sub: number): void {
    this.recordArrival({
      t: this.o.sim.now(),
      to: this.ids[to],
      from: this.ids[from] ?? `${a.src.host}:${a.src.port}`,
      proto: (a as { proto: 'sip' | 'cx' }).proto,
      transport: a.transport,
      data: view(a.bytes).toString('base64'),
      ...(meta ? { meta: { ...meta, sub } } : {}),
    });
  }

  private recordArrival(r: RecordedArrival): void {
    this.arrivals.text(JSON.stringify(r) + '\n');
    this.arrivalCount++;
  }

  /** arrivals.jsonl (docs/emulation.md): every arrival so far, one JSON line each. */
  recordingJsonl(): Buffer {
    return this.arrivals.readAll();
  }

  /** The frames captured so far, for trace.pcapng (read back from the spool, in capture order). */
  capturedFrames(): PcapFrame[] {
    const b = this.frameSpool.readAll();
    const out: PcapFrame[] = [];
    for (let i = 0; i < b.length; ) {
      const t = b.readDoubleLE(i);
      const transport = b[i + 8] === 0 ? 'udp' : 'tcp';
      const src = { ip: this.frameHosts[b.readUInt16LE(i + 9)], port: b.readUInt16LE(i + 11) };
      const dst = { ip: this.frameHosts[b.readUInt16LE(i + 13)], port: b.readUInt16LE(i + 15) };
      const n = b.readUInt32LE(i + 17);
      out.push({ t, transport, src, dst, payload: b.subarray(i + 21, i + 21 + n) });
      i += 21 + n;
    }
    return out;
  }

  /** Removes the spooled recording (after the outputs are written). */
  releaseRecording(): void {
    this.arrivals.close();
    this.frameSpool.close();
  }

  // ---- HTTP (MSGin5G) ----------------------------------------------------------------------------

  /** Records an HTTP message that reached a node (the replay rebuilds it with the same transaction ids). */
  private recordHttp(to: number, from: number, bytes: Uint8Array, http: RecordedHttp): void {
    this.recordArrival({
      t: this.o.sim.now(),
      to: this.ids[to],
      from: this.ids[from] ?? 'external',
      proto: 'http',
      transport: 'tcp',
      data: view(bytes).toString('base64'),
      http: http.obs === undefined ? { tx: http.tx, slot: http.slot, ...(http.answers ? { answers: http.answers } : {}) } : http,
    });
  }

  private httpAddress(i: number): PeerAddress | undefined {
    const ext = this.external.get(i);
    if (ext) return ext;
    const h = this.http.get(i);
    return h ? { host: this.o.host, port: h.port } : undefined;
  }

  private sendHttp(from: number, to: number, msg: Message): void {
    const text = msg.wire!();
    const bytes = Buffer.from(text, 'utf8');
    // Observations for the rule checker (docs/msgin5g.md "What the rules can see"), carried beside the bytes.
    const obs: Record<string, unknown> = {};
    for (const k of OBSERVATIONS) if ((msg as unknown as Record<string, unknown>)[k] !== undefined) obs[k] = (msg as unknown as Record<string, unknown>)[k];
    if (Object.keys(obs).length) this.httpObs.set(text, obs);
    if (msg instanceof RegistrationRequest || msg instanceof DeregistrationRequest || msg instanceof BulkRequest) {
      // Gateway → server: on the keep-alive connection of the model's slot (RFC 9112 §9.3 persistence).
      const key = `${from}/${to}/${msg.conn}`;
      let c = this.httpClients.get(key);
      const dest = this.httpAddress(to);
      if (dest === undefined) {
        this.o.signals.dropped(this.o.sim.now(), from, to, msg, 'unroutable');
        return;
      }
      if (c === undefined || c.closed) {
        c = HttpClientConnection.open<Msgin5gRequest>(dest, (conn, f, req) => this.o.inject((x) => this.arriveHttpResponse(x), { to: from, from: to, conn, frame: f, req }));
        const cc = c;
        c.socket.once('connect', () => this.httpClientPorts.set(cc.socket.localPort ?? -1, from));
        this.httpClients.set(key, c);
      }
      this.counters.sent++;
      this.pushFrame('tcp', { host: this.o.host, port: c.socket.localPort ?? 0 }, dest, bytes);
      c.send(bytes, msg);
      return;
    }
    const ex = msg as unknown as { tx?: number; conn?: number };
    const key = `${to}/${ex.tx}/${ex.conn}`;
    const c = this.httpPending.get(key);
    if (c === undefined || c.closed) {
      // A server → gateway request (the per-UE authentication policy) or an answer whose client left.
      this.o.signals.dropped(this.o.sim.now(), from, to, msg, 'unroutable');
      return;
    }
    this.httpPending.delete(key);
    this.counters.sent++;
    this.pushFrame('tcp', { host: this.o.host, port: this.http.get(from)?.port ?? 0 }, { host: c.socket.remoteAddress ?? '', port: c.socket.remotePort ?? 0 }, bytes);
    c.write(bytes);
  }

  private gatewayOf(c: HttpServerConnection): number {
    const own = this.httpClientPorts.get(c.socket.remotePort ?? -1);
    if (own !== undefined) return own;
    // A real client: the external gateway of the scenario (or its first gateway) plays it.
    const types = this.o.nodeTypes;
    for (let i = 0; i < types.length; i++) if (types[i] === 'message-gateway' && this.external.has(i)) return i;
    return types.indexOf('message-gateway');
  }

  private arriveHttpRequest(a: { conn: HttpServerConnection; to: number; frame: HttpFrame }): void {
    const { conn, to, frame } = a;
    this.counters.received++;
    const src = { host: conn.socket.remoteAddress ?? '', port: conn.socket.remotePort ?? 0 };
    const dst = { host: this.o.host, port: this.http.get(to)?.port ?? 0 };
    if (!frame.ok) {
      this.pushFrame('tcp', dst, src, conn.fail(frame.status, frame.reason));
      this.count(to, 'rejected', `http.${frame.status}`);
      return;
    }
    const from = this.gatewayOf(conn);
    if (!this.httpClientPorts.has(src.port)) this.pushFrame('tcp', src, dst, frame.bytes);
    const server = this.o.nodes[to] as Msgin5gServer;
    // HTTP/1.1 pairs a response with its request by connection order; the model pairs them by its
    // transaction ids, which RegLab's own gateway sends beside the bytes. A real client's requests
    // get ids of the lab's own, far above any gateway's.
    const own = this.httpObs.get(frame.text);
    const tx = typeof own?.tx === 'number' ? own.tx : 1_000_000_000 + ++this.httpTx;
    const slot = typeof own?.conn === 'number' ? own.conn : conn.id;
    this.httpPending.set(`${from}/${tx}/${slot}`, conn);
    this.recordHttp(to, from, frame.bytes, { tx, slot, obs: obsToJson(own) });
    const r = parseRequest(frame.text, server.cfg.dir, this.ids[from] ?? 'external', tx, slot);
    if (isParseError(r)) {
      // The server's own strict-input path answers it (400/404/405/411/415 with a problem body).
      this.count(to, 'rejected', `http.${r.status}`);
      this.o.net.arrive(from, to, new RawHttpRequest(frame.text, tx, slot));
      return;
    }
    this.o.net.arrive(from, to, this.observe(frame.text, r));
  }

  /** The model's form of a message its own node sent, with the observations that came beside it (msgin5g-model-form.ts). */
  private observe(text: string, m: Message): Message {
    const obs = this.httpObs.get(text);
    if (obs !== undefined) this.httpObs.delete(text);
    return modelForm(m, text, obs);
  }

  private arriveHttpResponse(a: { to: number; from: number; conn: HttpClientConnection<Msgin5gRequest>; frame: HttpFrame; req: Msgin5gRequest | undefined }): void {
    this.counters.received++;
    if (!a.frame.ok || a.req === undefined) {
      this.count(a.to, 'discarded', a.frame.ok ? 'http.unsolicited-response' : `http.response-${a.frame.status}`);
      return;
    }
    const r = parseResponse(a.frame.text, a.req);
    if (isParseError(r)) {
      this.count(a.to, 'discarded', `http.bad-response-${r.status}`);
      return;
    }
    this.recordHttp(a.to, a.from, a.frame.bytes, { tx: a.req.tx, slot: a.req.conn, answers: { tx: a.req.tx, conn: a.req.conn }, obs: obsToJson(this.httpObs.get(a.frame.text)) });
    if (this.external.has(a.from)) this.pushFrame('tcp', this.httpAddress(a.from)!, { host: this.o.host, port: a.conn.socket.localPort ?? 0 }, a.frame.bytes);
    this.o.net.arrive(a.from, a.to, this.observe(a.frame.text, r));
  }

  // ---- capture ------------------------------------------------------------------------------------

  private frame(node: number, c: DiameterConnection, b: Uint8Array): void {
    const t = this.dia.get(node)!;
    const local = { host: this.o.host, port: c.socket.localPort ?? t.port };
    const remote = { host: c.socket.remoteAddress ?? this.o.host, port: c.socket.remotePort ?? 0 };
    this.pushFrame('tcp', local, remote, b);
  }

  /** What really went over the wire, for trace.pcapng: every send, and what came from outside RegLab. */
  private pushFrame(transport: 'udp' | 'tcp', src: PeerAddress, dst: PeerAddress, payload: Uint8Array): void {
    // One record per frame: t (f64), transport (u8), source and destination (host index u16, port
    // u16), payload length (u32), payload — capturedFrames() reads them back.
    const f = this.frameSpool;
    f.f64(this.o.sim.now());
    f.u8(transport === 'udp' ? 0 : 1);
    f.u16(this.hostIndex(src.host));
    f.u16(src.port);
    f.u16(this.hostIndex(dst.host));
    f.u16(dst.port);
    f.u32(payload.length);
    f.bytes(payload);
    this.frameCount++;
  }

  /** Frames captured so far. */
  get frames(): number {
    return this.frameCount;
  }

  /** The index of a host's IPv4 address in frameHosts, once per host (every frame names two). */
  private hostIndex(host: string): number {
    let i = this.frameHostIndex.get(host);
    if (i === undefined) {
      i = this.frameHosts.push(ipv4(host)) - 1;
      this.frameHostIndex.set(host, i);
    }
    return i;
  }

  async close(): Promise<void> {
    // Read before the sockets go: the kernel's count dies with them.
    let drops: number | undefined;
    for (const t of this.sip.values()) {
      const d = t.udpDrops();
      if (d !== undefined) drops = (drops ?? 0) + d;
    }
    if (drops !== undefined) this.counters.udpDrops = drops;
    for (const t of this.sip.values()) await t.close();
    for (const t of this.ws.values()) await t.close();
    for (const t of this.dia.values()) await t.close();
    for (const t of this.http.values()) await t.close();
    for (const c of this.httpClients.values()) c.socket.destroy();
  }

  /** Diameter connections of every node (for the watchdog). */
  *diameterConnections(): Iterable<DiameterConnection> {
    for (const t of this.dia.values()) yield* t.conns;
  }
}

/** The MSGin5G messages' rule-checker observations (sim/msgin5g/messages.ts): never on the wire. */
const OBSERVATIONS = ['observed', 'why', 'policy', 'tx', 'conn'] as const;

/**
 * A Warning header value (RFC 3261 §20.43): warn-text is a quoted-string, so a reason quoting the
 * peer's input has its backslashes and double quotes escaped (§25.1 quoted-pair) and its control
 * characters shown as \xNN — the answer always parses.
 */
export function warning(agent: string, text: string): string {
  const t = text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `399 ${agent} "${t}"`;
}

/** The bytes as a Buffer without copying them (Buffer.from(Uint8Array) copies). */
function view(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function ipv4(h: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) ? h : h === '::1' || h === 'localhost' ? '127.0.0.1' : h.replace(/^::ffff:/, '');
}

/** An emulation setup error with a stable code (port in use, a bad emulate: section). */
export class EmulateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
