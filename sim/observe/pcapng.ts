/**
 * pcapng writer (IETF draft-ietf-opsawg-pcapng): a capture Wireshark and tshark open, with the
 * watched messages as IPv4 packets on a raw-IP interface (LINKTYPE_RAW = 101), nanosecond
 * timestamps, correct IP/UDP/TCP lengths and checksums.
 *
 * - UDP frames carry one message each (SIP on 5060).
 * - TCP frames form real streams: a three-way handshake before a connection's first data, then
 *   segments of at most MSS bytes with consistent sequence and acknowledgement numbers, so
 *   Wireshark reassembles HTTP messages longer than one segment.
 *
 * Addresses come from the documentation ranges (RFC 5737), one per node: see nodeAddress(). A Name
 * Resolution Block names each address after its node (Wireshark shows "msc" instead of 192.0.2.11
 * with name resolution on), and each message's first frame carries a packet comment with its
 * message number (#seq, as in the dashboard, rules.json and flows.mmd), endpoints and the spec
 * steps it realises (frameComment), so Wireshark's "Packet comments" show them.
 */
export interface Endpoint {
  ip: string;
  port: number;
}

export interface PcapFrame {
  /** Time in ns since the start of the run. */
  t: number;
  src: Endpoint;
  dst: Endpoint;
  transport: 'udp' | 'tcp';
  payload: Uint8Array;
  /** Packet comment (opt_comment) on the frame's first data segment. */
  comment?: string;
}

export interface PcapOptions {
  /** Node names by address, written as a Name Resolution Block. */
  names?: readonly { ip: string; name: string }[];
}

/** The comment of a message's frame: number, kind, endpoints, and each cited step with its title. */
export function frameComment(rec: { seq: number; kind: string; from: string; to: string; rules: readonly string[] }, titles: ReadonlyMap<string, string>): string {
  const head = `#${rec.seq} ${rec.kind} ${rec.from} -> ${rec.to}`;
  if (!rec.rules.length) return head;
  return `${head} | spec steps: ${rec.rules.map((id) => (titles.has(id) ? `${id} (${titles.get(id)})` : id)).join('; ')}`;
}

const MSS = 1460;
/** The capture's time origin: the run starts at 2026-01-01T00:00:00Z (a fixed date keeps exports reproducible). */
const EPOCH_NS = 1767225600n * 1_000_000_000n;

/** Node i's IPv4 address: 192.0.2.10+i, then 198.51.100.x, then 203.0.113.x (RFC 5737). */
export function nodeAddress(i: number): string {
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  const net = Math.floor(i / 200);
  if (net >= nets.length) throw new RangeError(`pcapng export supports up to 600 nodes (node ${i})`);
  return `${nets[net]}.${10 + (i % 200)}`;
}

export function writePcapng(frames: readonly PcapFrame[], opts: PcapOptions = {}): Uint8Array {
  ipId = 0; // each export numbers its packets from 0: same frames, same bytes
  const blocks: Uint8Array[] = [sectionHeader(), interfaceDescription()];
  if (opts.names?.length) blocks.push(nameResolution(opts.names));
  const conns = new Map<string, { a: string; seqA: number; seqB: number }>();
  for (const f of frames) {
    if (f.transport === 'udp') {
      blocks.push(packetBlock(f.t, ipv4(f.src.ip, f.dst.ip, 17, udp(f.src, f.dst, f.payload)), f.comment));
      continue;
    }
    const key = connKey(f.src, f.dst);
    let c = conns.get(key);
    const from = `${f.src.ip}:${f.src.port}`;
    if (!c) {
      c = { a: from, seqA: 1000, seqB: 5000 };
      conns.set(key, c);
      // Three-way handshake at the instant of the first data, initiated by its sender.
      blocks.push(packetBlock(f.t, ipv4(f.src.ip, f.dst.ip, 6, tcp(f.src, f.dst, c.seqA, 0, SYN, new Uint8Array(0)))));
      blocks.push(packetBlock(f.t, ipv4(f.dst.ip, f.src.ip, 6, tcp(f.dst, f.src, c.seqB, c.seqA + 1, SYN | ACK, new Uint8Array(0)))));
      c.seqA++;
      c.seqB++;
      blocks.push(packetBlock(f.t, ipv4(f.src.ip, f.dst.ip, 6, tcp(f.src, f.dst, c.seqA, c.seqB, ACK, new Uint8Array(0)))));
    }
    const isA = from === c.a;
    for (let off = 0; off < f.payload.length || off === 0; off += MSS) {
      const seg = f.payload.subarray(off, Math.min(off + MSS, f.payload.length));
      const seq = isA ? c.seqA : c.seqB;
      const ack = isA ? c.seqB : c.seqA;
      const last = off + MSS >= f.payload.length;
      blocks.push(packetBlock(f.t, ipv4(f.src.ip, f.dst.ip, 6, tcp(f.src, f.dst, seq, ack, ACK | (last ? PSH : 0), seg)), off === 0 ? f.comment : undefined));
      if (isA) c.seqA = (c.seqA + seg.length) >>> 0;
      else c.seqB = (c.seqB + seg.length) >>> 0;
      if (seg.length === 0) break;
    }
  }
  return concatBytes(blocks);
}

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;
void FIN;

function connKey(a: Endpoint, b: Endpoint): string {
  const x = `${a.ip}:${a.port}`;
  const y = `${b.ip}:${b.port}`;
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

function sectionHeader(): Uint8Array {
  const body = new DataView(new ArrayBuffer(16));
  body.setUint32(0, 0x1a2b3c4d, true); // byte-order magic
  body.setUint16(4, 1, true); // major
  body.setUint16(6, 0, true); // minor
  body.setInt32(8, -1, true); // section length unknown
  body.setInt32(12, -1, true);
  return block(0x0a0d0d0a, new Uint8Array(body.buffer));
}

function interfaceDescription(): Uint8Array {
  // linktype RAW (IPv4/IPv6 without link layer), snaplen 0 (unlimited), option if_tsresol = 9 (ns).
  const body = new DataView(new ArrayBuffer(8 + 8 + 4));
  body.setUint16(0, 101, true);
  body.setUint16(2, 0, true);
  body.setUint32(4, 0, true);
  body.setUint16(8, 9, true); // if_tsresol
  body.setUint16(10, 1, true);
  body.setUint8(12, 9);
  body.setUint16(16, 0, true); // opt_endofopt
  body.setUint16(18, 0, true);
  return block(0x00000001, new Uint8Array(body.buffer));
}

function packetBlock(tNs: number, packet: Uint8Array, comment?: string): Uint8Array {
  const ts = EPOCH_NS + BigInt(Math.round(tNs));
  const padded = (packet.length + 3) & ~3;
  const opts = comment ? options([[1, new TextEncoder().encode(comment)]]) : new Uint8Array(0);
  const body = new Uint8Array(20 + padded + opts.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, 0, true); // interface 0
  dv.setUint32(4, Number(ts >> 32n), true);
  dv.setUint32(8, Number(ts & 0xffffffffn), true);
  dv.setUint32(12, packet.length, true);
  dv.setUint32(16, packet.length, true);
  body.set(packet, 20);
  body.set(opts, 20 + padded);
  return block(0x00000006, body);
}

/** An options list (code, value), each padded to 32 bits, ending with opt_endofopt. */
function options(list: readonly [number, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [code, value] of list) {
    const v = value.subarray(0, 0xffff);
    const o = new Uint8Array(4 + ((v.length + 3) & ~3));
    const dv = new DataView(o.buffer);
    dv.setUint16(0, code, true);
    dv.setUint16(2, v.length, true);
    o.set(v, 4);
    parts.push(o);
  }
  parts.push(new Uint8Array(4)); // opt_endofopt
  return concatBytes(parts);
}

/** Name Resolution Block: one nrb_record_ipv4 (address + zero-terminated name) per node, then nrb_record_end. */
function nameResolution(names: readonly { ip: string; name: string }[]): Uint8Array {
  const recs: Uint8Array[] = [];
  for (const n of names) {
    const name = new TextEncoder().encode(n.name);
    const len = 4 + name.length + 1;
    const r = new Uint8Array(4 + ((len + 3) & ~3));
    const dv = new DataView(r.buffer);
    dv.setUint16(0, 1, true);
    dv.setUint16(2, len, true);
    r.set(ipBytes(n.ip), 4);
    r.set(name, 8);
    recs.push(r);
  }
  recs.push(new Uint8Array(4)); // nrb_record_end
  return block(0x00000004, concatBytes(recs));
}

function block(type: number, body: Uint8Array): Uint8Array {
  const len = 12 + body.length;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, len, true);
  out.set(body, 8);
  dv.setUint32(len - 4, len, true);
  return out;
}

let ipId = 0;

function ipv4(src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array {
  const total = 20 + payload.length;
  if (total > 65535) throw new RangeError(`IPv4 packet of ${total} bytes: payload must be segmented`);
  const p = new Uint8Array(total);
  const dv = new DataView(p.buffer);
  dv.setUint8(0, 0x45);
  dv.setUint16(2, total);
  dv.setUint16(4, ipId++ & 0xffff);
  dv.setUint16(6, 0x4000); // don't fragment
  dv.setUint8(8, 64);
  dv.setUint8(9, proto);
  p.set(ipBytes(src), 12);
  p.set(ipBytes(dst), 16);
  dv.setUint16(10, checksum(p.subarray(0, 20)));
  p.set(payload, 20);
  // Transport checksums cover a pseudo-header of the IP addresses.
  const off = proto === 17 ? 6 : 16;
  dv.setUint16(20 + off, 0);
  let sum = transportChecksum(p.subarray(12, 20), proto, p.subarray(20));
  if (proto === 17 && sum === 0) sum = 0xffff;
  dv.setUint16(20 + off, sum);
  return p;
}

function udp(src: Endpoint, dst: Endpoint, payload: Uint8Array): Uint8Array {
  const len = 8 + payload.length;
  const u = new Uint8Array(len);
  const dv = new DataView(u.buffer);
  dv.setUint16(0, src.port);
  dv.setUint16(2, dst.port);
  dv.setUint16(4, len);
  u.set(payload, 8);
  return u;
}

function tcp(src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const t = new Uint8Array(20 + payload.length);
  const dv = new DataView(t.buffer);
  dv.setUint16(0, src.port);
  dv.setUint16(2, dst.port);
  dv.setUint32(4, seq >>> 0);
  dv.setUint32(8, flags & ACK ? ack >>> 0 : 0);
  dv.setUint8(12, 5 << 4);
  dv.setUint8(13, flags);
  dv.setUint16(14, 65535);
  t.set(payload, 20);
  return t;
}

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function sum16(data: Uint8Array, initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i] << 8) | data[i + 1];
  if (data.length & 1) s += data[data.length - 1] << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

export function checksum(data: Uint8Array): number {
  return ~fold(sum16(data)) & 0xffff;
}

function transportChecksum(addrs: Uint8Array, proto: number, segment: Uint8Array): number {
  let s = sum16(addrs);
  s += proto + segment.length;
  s = sum16(segment, s);
  return ~fold(s) & 0xffff;
}

/** Joins byte arrays into one (also used by the Diameter encoder in sim/ims/cx.ts). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
