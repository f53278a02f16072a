/**
 * SIP over WebSocket (RFC 7118) in the emulation lab, over real loopback sockets with the `ws`
 * client: the `sip` subprotocol (others refused), one message per frame, responses on the same
 * connection, the S-CSCF's NOTIFY on the subscriber's flow with `Via: SIP/2.0/WS`, and bad frames
 * (binary garbage, truncated, oversize) answered 400 or closed with the reason while the node keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { Inbox } from './inbox.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/ims-core-external-clients.yaml');
const SET = ['ims.implicitSet=1'];

async function modelTexts(): Promise<{ register: string; subscribe: string }> {
  const sim = await runScenario(
    loadScenarioFile(FILE, { set: [...SET, 'duration=5s', 'workload=[{"target":"msc","event":"attach","subscribers":{"from":3,"count":1},"pattern":{"kind":"all-at-once","at":"0s"}}]'] }),
  );
  const from = (kind: string) => sim.trace.find((t) => t.event === 'delivered' && t.kind === kind && t.from === 'msc')!.wire;
  return { register: from('REGISTER'), subscribe: from('SUBSCRIBE') };
}

/** sip.js's names for a request over WebSocket: a .invalid sent-by, random Call-ID and tag. */
function asWsClient(text: string, n: number): string {
  return text
    .replace(/^Via: .*$/m, `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${4242000 + n}`)
    .replace(/^Call-ID: .*$/m, `Call-ID: 3ua8jt6kq1m0b2c${n}`)
    .replace(/^(From: .*;tag=)[0-9a-f]{8}$/m, `$1p0e2vjv${n}ul`);
}

class WsPeer extends Inbox {
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (d) => this.got.push(d.toString()));
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  static open(port: number, protocol = 'sip'): Promise<WsPeer> {
    return new Promise((res, rej) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, protocol);
      ws.once('open', () => res(new WsPeer(ws)));
      ws.once('error', rej);
    });
  }
  async waitClosed(): Promise<{ code: number; reason: string }> {
    for (let i = 0; i < 150 && this.closed === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(this.closed, 'the connection was closed');
    return this.closed;
  }
}

/** The upgrade answer for a given subprotocol offer (status and body), without the ws client's own checks. */
function upgradeStatus(port: number, protocol: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    if (protocol !== undefined) headers['sec-websocket-protocol'] = protocol;
    const req = http.request({ host: '127.0.0.1', port, headers });
    req.on('response', (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('upgrade', (r, s) => (s.destroy(), res({ status: r.statusCode ?? 0, body: '' })));
    req.on('error', rej);
    req.end();
  });
}

function line(text: string, name: string): string | undefined {
  return new RegExp(`^${name}: .*$`, 'm').exec(text)?.[0];
}

test('SIP over WebSocket: sip subprotocol only, one message per frame, answers and the NOTIFY on the same connection; bad frames answered or closed with the reason; the node keeps serving', async () => {
  const model = await modelTexts();
  let flow: Promise<void> | undefined;
  const printed: string[] = [];
  // The external MSC's datagram address (the WebSocket clients play it): a socket of this test's own.
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()));
  const msc = `emulate.nodes.msc.external.address=127.0.0.1:${udp.address().port}`;
  const r = await runEmulation(loadScenarioFile(FILE, { set: [...SET, 'duration=3s', msc, 'emulate.nodes.icscf.ws=0', 'emulate.nodes.scscf.ws=0'] }), {
    onStarted: (eps) => {
      printed.push(...eps.map((e) => `${e.node} ${e.url}`));
      const wsPort = (node: string) => Number(/:(\d+);transport=ws$/.exec(eps.find((e) => e.node === node && e.url.endsWith('transport=ws'))!.url)![1]);
      flow = (async () => {
        // Refused upgrades: no subprotocol, another one; plain HTTP.
        const none = await upgradeStatus(wsPort('icscf'), undefined);
        assert.equal(none.status, 400);
        assert.match(none.body, /no 'sip' WebSocket subprotocol offered.*RFC 7118/);
        assert.equal((await upgradeStatus(wsPort('icscf'), 'chat, mqtt')).status, 400);
        const plain = await new Promise<number>((res) => http.get({ host: '127.0.0.1', port: wsPort('icscf') }, (x) => (x.resume(), res(x.statusCode ?? 0))));
        assert.equal(plain, 426);

        // REGISTER over WS at the I-CSCF: the 200 comes back on the same connection, the peer's Via echoed.
        const reg = await WsPeer.open(wsPort('icscf'));
        assert.equal(reg.ws.protocol, 'sip');
        const register = asWsClient(model.register, 1);
        reg.ws.send(register);
        const ok = await reg.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 REGISTER/);
        assert.equal(line(ok, 'Via'), line(register, 'Via'));
        assert.equal(line(ok, 'Call-ID'), 'Call-ID: 3ua8jt6kq1m0b2c1');

        // SUBSCRIBE over WS at the S-CSCF: 200 and the NOTIFY on that connection, the NOTIFY's own Via WS.
        const sub = await WsPeer.open(wsPort('scscf'));
        const subscribe = asWsClient(model.subscribe, 2);
        sub.ws.send(Buffer.from(subscribe)); // a binary frame carries a SIP message as well (§5.1)
        await sub.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 SUBSCRIBE/);
        const notify = await sub.waitFor(/^NOTIFY /);
        assert.match(line(notify, 'Via') ?? '', /^Via: SIP\/2\.0\/WS 192\.0\.2\.\d+:5060;branch=z9hG4bK/);
        assert.equal(line(notify, 'Call-ID'), 'Call-ID: 3ua8jt6kq1m0b2c2');
        assert.match(line(notify, 'To') ?? '', /;tag=p0e2vjv2ul$/);
        const keep = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].flatMap((h) => notify.split('\r\n').filter((l) => l.startsWith(`${h}: `)));
        sub.ws.send(`SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);

        // A truncated message (Content-Length above the frame): 400 with the reason, connection kept.
        const bad = await WsPeer.open(wsPort('icscf'));
        bad.ws.send(asWsClient(model.register, 3).replace(/Content-Length: 0/, 'Content-Length: 500'));
        assert.match(await bad.waitFor(/^SIP\/2\.0 400 /), /Content-Length|body/i);
        // Binary garbage: no Via to answer to — closed with 1007 and the reason.
        bad.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef]));
        const c1 = await bad.waitClosed();
        assert.equal(c1.code, 1007);
        assert.match(c1.reason, /^not a SIP message/);
        // Oversize: a frame above 64 KiB closes with 1009 (RFC 6455 §7.4.1).
        const big = await WsPeer.open(wsPort('icscf'));
        big.ws.send('REGISTER sip:x SIP/2.0\r\n' + 'X: '.padEnd(70_000, 'a') + '\r\n\r\n');
        assert.equal((await big.waitClosed()).code, 1009);

        // The I-CSCF still serves: a new connection registers.
        const again = await WsPeer.open(wsPort('icscf'));
        again.ws.send(asWsClient(model.register, 4).replace(/CSeq: 1 REGISTER/, 'CSeq: 2 REGISTER'));
        await again.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/);
        for (const p of [reg, sub, again]) p.ws.close();
      })();
    },
  });
  try {
    await flow;
  } finally {
    udp.close();
  }
  assert.ok(printed.some((p) => /^scscf sip:127\.0\.0\.1:\d+;transport=ws$/.test(p)), printed.join('\n'));
  assert.equal(r.wire.byReason['sip.ws-1009-oversize'], 1, JSON.stringify(r.wire.byReason));
  assert.equal(r.wire.byReason['sip.malformed-unanswerable'], 1, JSON.stringify(r.wire.byReason));
  assert.equal(r.wire.byReason['sip.400'], 1, JSON.stringify(r.wire.byReason));
  assert.equal(r.wire.rejected, 1, JSON.stringify(r.wire.byReason));
  // The NOTIFY's 200 matched its transaction: no retransmitted NOTIFY in the trace.
  const notifies = r.trace.filter((t) => t.kind === 'NOTIFY' && t.event === 'delivered' && /CSeq: 1 NOTIFY/.test(t.wire));
  assert.equal(notifies.length, 1, 'no retransmission of the first NOTIFY');
});
