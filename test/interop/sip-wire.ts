/**
 * Puts SIP text on a real socket and waits for the final response of its transaction: over UDP
 * (one datagram each way; a response matched on the top Via's branch, RFC 3261 §17.1.3) or over
 * one TCP connection reused for every request (RFC 3261 §18.3 Content-Length framing). Responses
 * go through RegLab's strict parser — a peer's answer RegLab cannot read is a failure here too.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { parseSip, type ParseSuccess } from '../../sim/sip/parser.ts';

export interface SipAnswer {
  status: number;
  reason: string;
  text: string;
  parsed: ParseSuccess;
}

const TIMEOUT_MS = 5000;

function branchOf(text: string): string {
  const m = /^Via:[^\r\n]*;branch=([^;\s,]+)/im.exec(text);
  if (!m) throw new Error(`no Via branch in:\n${text}`);
  return m[1];
}

abstract class WireClient {
  private readonly waiting = new Map<string, { res: (a: SipAnswer) => void; rej: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Every response received, provisional ones included, in order. */
  readonly received: SipAnswer[] = [];

  protected deliver(bytes: Buffer, transport: 'datagram' | 'stream'): number {
    const p = parseSip(bytes, { transport });
    if (!p.ok) throw new Error(`RegLab's parser refused the peer's message: ${p.error.code} ${p.error.reason}\n${bytes.toString('utf8')}`);
    const text = bytes.subarray(0, p.consumed).toString('utf8');
    const first = text.slice(0, text.indexOf('\r\n'));
    const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(first);
    if (m) {
      const ans: SipAnswer = { status: Number(m[1]), reason: m[2], text, parsed: p };
      this.received.push(ans);
      const branch = p.fields.via[0]?.branch ?? '';
      const w = this.waiting.get(branch);
      if (w && ans.status >= 200) {
        clearTimeout(w.timer);
        this.waiting.delete(branch);
        w.res(ans);
      }
    }
    return p.consumed;
  }

  /** Sends one request and resolves with its final response. */
  request(text: string): Promise<SipAnswer> {
    const branch = branchOf(text);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.waiting.delete(branch);
        rej(new Error(`no final response within ${TIMEOUT_MS} ms to:\n${text}`));
      }, TIMEOUT_MS);
      this.waiting.set(branch, { res, rej, timer });
      this.write(text).catch((err: Error) => {
        clearTimeout(timer);
        this.waiting.delete(branch);
        rej(err);
      });
    });
  }

  protected abstract write(text: string): Promise<void>;
  abstract close(): Promise<void>;
}

export class UdpSipClient extends WireClient {
  private constructor(
    private readonly sock: UdpSocket,
    readonly port: number,
    private readonly peerPort: number,
  ) {
    super();
    sock.on('message', (b) => this.deliver(b, 'datagram'));
  }

  static open(peerPort: number): Promise<UdpSipClient> {
    return new Promise((res, rej) => {
      const s = createSocket('udp4');
      s.once('error', rej);
      s.bind(0, '127.0.0.1', () => res(new UdpSipClient(s, s.address().port, peerPort)));
    });
  }

  protected write(text: string): Promise<void> {
    return new Promise((res, rej) => this.sock.send(Buffer.from(text, 'utf8'), this.peerPort, '127.0.0.1', (err) => (err ? rej(err) : res())));
  }

  close(): Promise<void> {
    return new Promise((res) => this.sock.close(() => res()));
  }
}

export class TcpSipClient extends WireClient {
  private buf = Buffer.alloc(0);

  private constructor(
    private readonly sock: TcpSocket,
    readonly port: number,
  ) {
    super();
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      // RFC 3261 §18.3: a stream carries messages back to back, framed by Content-Length.
      while (this.buf.length > 0) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = /\r\nContent-Length:\s*(\d+)/i.exec(this.buf.subarray(0, end).toString('latin1'));
        const total = end + 4 + (cl ? Number(cl[1]) : 0);
        if (this.buf.length < total) return;
        const used = this.deliver(this.buf.subarray(0, total), 'stream');
        this.buf = this.buf.subarray(used);
      }
    });
  }

  static open(peerPort: number): Promise<TcpSipClient> {
    return new Promise((res, rej) => {
      const s = connect({ host: '127.0.0.1', port: peerPort }, () => res(new TcpSipClient(s, s.localPort!)));
      s.once('error', rej);
    });
  }

  protected write(text: string): Promise<void> {
    return new Promise((res, rej) => this.sock.write(text, 'utf8', (err) => (err ? rej(err) : res())));
  }

  close(): Promise<void> {
    return new Promise((res) => {
      this.sock.once('close', () => res());
      this.sock.end();
      setTimeout(() => this.sock.destroy(), 1000).unref();
    });
  }
}
