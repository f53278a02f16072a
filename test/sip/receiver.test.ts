/**
 * answerForBadRequest / receiveSip: what an S-CSCF does with bytes it cannot serve — answer 400
 * (505 for the version, 501/416/420/415/406/483 for what it does not support) with Via, From,
 * To, Call-ID and CSeq copied when they parse — and keep working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { RandomStream } from '../../sim/kernel/random.ts';
import { MS } from '../../sim/kernel/time.ts';
import { InProcessNetwork, type Endpoint } from '../../sim/net/network.ts';
import { DEFAULT_LINK } from '../../sim/net/link.ts';
import { NO_SIGNALS } from '../../sim/net/signals.ts';
import type { Message } from '../../sim/net/message.ts';
import { Node } from '../../sim/node/node.ts';
import { ZERO_COST } from '../../sim/node/capacity.ts';
import { SipMessage } from '../../sim/sip/message.ts';
import { parseSip } from '../../sim/sip/parser.ts';
import { answerForBadRequest, receiveSip } from '../../sim/sip/receive.ts';
import { createResponse } from '../../sim/sip/response.ts';
import { TransactionLayer } from '../../sim/sip/transaction-layer.ts';
import { cseqValue, fromToValue, parseNameAddr, param, viaValue } from '../../sim/sip/headers.ts';
import { readWithSipJs } from './sipjs.ts';
import { simulationPorts } from '../../sim/scenario/simulation-ports.ts';

const DIR = '/work/shared/testdata/rfc4475/';
const torture = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .sort()
  .map((f) => ({ name: f.slice(0, -4), bytes: readFileSync(DIR + f) }));
const file = (name: string) => torture.find((t) => t.name === name)!.bytes;

function register(seq: number, expires: number, branch: string): string {
  return SipMessage.request('REGISTER', 'sip:example.com', [
    ['Via', viaValue({ host: 'ue.example.com', branch })],
    ['Max-Forwards', '70'],
    ['From', fromToValue('sip:alice@example.com', 'a1')],
    ['To', fromToValue('sip:alice@example.com')],
    ['Call-ID', 'reg-alice'],
    ['CSeq', cseqValue(seq, 'REGISTER')],
    ['Contact', '<sip:alice@192.0.2.7>'],
    ['Expires', String(expires)],
  ]).wire();
}

test('400 for a malformed request, with Via, From, Call-ID, CSeq copied and a To tag added', () => {
  // badinv01's only Via is malformed: a 400 could neither repeat it nor be routed without it (RFC 3261 §18.2.2).
  const a = receiveSip(file('badinv01'));
  assert.equal(a.kind, 'drop');
  assert.match(a.kind === 'drop' ? a.why : '', /without a Via that parses the 400 cannot be routed back/);
  const b = answerForBadRequest(file('mismatch01'))!;
  assert.equal(b.status, 400);
  assert.equal(b.header('from'), 'sip:caller@example.net;tag=34525');
  assert.equal(b.header('call-id'), 'mismatch01.dj0234sxdfl3');
  assert.equal(b.header('cseq'), '8 INVITE');
  assert.equal(b.header('via'), 'SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw');
  const to = parseNameAddr(b.header('to')!);
  assert.ok(to.ok && param(to.value.params, 'tag')!.length > 0, 'a To tag is added (RFC 3261 §8.2.6.2)');
  assert.match(b.header('warning')!, /^399 reglab ".*CSeq method 'INVITE' differs from the request method 'OPTIONS'/);
  // The answer is itself well formed: RegLab's strict parser and sip.js both read it.
  const back = parseSip(b.wire());
  assert.ok(back.ok, back.ok ? '' : back.error.reason);
  const r = readWithSipJs(b.wire());
  assert.equal(r.status, 400);
  assert.equal(r.headers.via[0].branch, 'z9hG4bKkdjuw');
});

test('505 for SIP/7.0, headers copied even though the request line failed', () => {
  const a = answerForBadRequest(file('badvers'))!;
  assert.equal(a.status, 505);
  assert.equal(a.reason, 'Version Not Supported');
  assert.equal(a.header('call-id'), 'badvers.31417@c.example.com');
  assert.equal(a.header('cseq'), '1 OPTIONS');
  assert.equal(a.header('from'), 'A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe');
});

test('every RFC 4475 message: malformed requests answered, malformed responses and valid requests not', () => {
  const answered: Record<string, number> = {};
  for (const t of torture) {
    const a = answerForBadRequest(t.bytes);
    if (a !== undefined) answered[t.name] = a.status;
  }
  assert.deepEqual(answered, {
    badaspec: 400, baddn: 400, badvers: 505, bext01: 420, clerr: 400, esc02: 501, escruri: 400,
    insuf: 400, intmeth: 501, invut: 415, ltgtruri: 400, lwsruri: 400, lwsstart: 400, mcl01: 400, mismatch01: 400,
    mismatch02: 501, multi01: 400, ncl: 400, novelsc: 416, quotbal: 400, regbadct: 400, scalar02: 400, sdp01: 406,
    trws: 400, unkscm: 416,
  });
  // Not answered: badinv01 (no Via that parses: nowhere to route a 400), the responses (bigcode,
  // scalarlg dropped; bcast, noreason, unreason fine) and the well-formed requests.
  // And every answer parses back, with RegLab's parser and with sip.js (issue 11 item 7).
  for (const t of torture) {
    const a = answerForBadRequest(t.bytes);
    if (a === undefined) continue;
    const back = parseSip(a.wire());
    assert.ok(back.ok, `${t.name}: ${back.ok ? '' : back.error.reason}\n${a.wire()}`);
    assert.equal(readWithSipJs(a.wire()).status, a.status, t.name);
  }
});

test('policy: a registrar, a proxy, and an element that implements only REGISTER', () => {
  assert.equal(answerForBadRequest(file('unksm2'), { role: 'registrar' })?.status, 400);
  assert.equal(answerForBadRequest(file('unksm2')), undefined, 'a plain UAS only looks at the Request-URI scheme');
  assert.equal(answerForBadRequest(file('zeromf'), { role: 'proxy' })?.status, 483);
  assert.equal(answerForBadRequest(file('zeromf')), undefined, 'a UAS may answer an OPTIONS with Max-Forwards 0');
  const a = answerForBadRequest(file('zeromf'), { methods: ['REGISTER'] })!;
  assert.equal(a.status, 501);
  assert.equal(a.header('allow'), 'REGISTER');
  const b = answerForBadRequest(file('bext01'), { extensions: ['nothingSupportsThis'] })!;
  assert.equal(b.header('unsupported'), 'nothingSupportsThisEither');
  assert.equal(answerForBadRequest(file('invut'), { contentTypes: ['application/unknownformat'] }), undefined);
});

test('an ACK is never answered, even malformed; a malformed response is dropped', () => {
  const ack = 'ACK sip:a@b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b.c>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n';
  const r = receiveSip(ack);
  assert.equal(r.kind, 'drop');
  assert.match(r.kind === 'drop' ? r.why : '', /ACK/);
  assert.equal(answerForBadRequest(file('bigcode')), undefined);
  assert.equal(receiveSip(file('scalarlg')).kind, 'drop');
});

test('stream framing: Content-Length required; consecutive messages split by `consumed`; leading CRLF keep-alives skipped', () => {
  const one = register(1, 600, 'z9hG4bKs1');
  const two = register(2, 0, 'z9hG4bKs2');
  const buf = Buffer.from('\r\n\r\n' + one + two);
  const p1 = parseSip(buf, { transport: 'stream' });
  assert.ok(p1.ok);
  assert.equal(p1.msg.header('expires'), '600');
  const p2 = parseSip(buf.subarray(p1.consumed), { transport: 'stream' });
  assert.ok(p2.ok);
  assert.equal(p2.msg.header('expires'), '0');
  const noCl = one.replace('Content-Length: 0\r\n', '');
  assert.ok(parseSip(noCl).ok, 'a datagram may omit Content-Length');
  const s = parseSip(noCl, { transport: 'stream' });
  assert.ok(!s.ok);
  assert.equal(s.error.code, 'E_SIP_MISSING_CONTENT_LENGTH');
  assert.equal(s.error.framing, true, 'a stream must be closed: the next message cannot be found');
  const bad = parseSip(file('mcl01'), { transport: 'stream' });
  assert.ok(!bad.ok && bad.error.framing);
});

test('no input breaks the parser: every truncation and 40 random corruptions of each RFC 4475 message', () => {
  const rng = new RandomStream(4475, 'sip-fuzz');
  let parsed = 0;
  let failed = 0;
  for (const t of torture) {
    const variants: Uint8Array[] = [];
    for (let cut = 0; cut < t.bytes.length; cut += Math.max(1, t.bytes.length >> 6)) variants.push(t.bytes.subarray(0, cut));
    for (let k = 0; k < 40; k++) {
      const b = Uint8Array.from(t.bytes);
      const flips = 1 + rng.int(4);
      for (let f = 0; f < flips; f++) b[rng.int(b.length)] = [0, 10, 13, 32, 34, 44, 58, 59, 60, 62, 0xff, rng.int(256)][rng.int(12)];
      variants.push(b);
    }
    for (const v of variants) {
      const r = parseSip(v); // must not throw
      if (r.ok) {
        parsed++;
        assert.equal(typeof r.msg.bytes, 'number');
      } else {
        failed++;
        assert.ok(r.error.status >= 400 && r.error.reason.length > 0);
        answerForBadRequest(v); // must not throw either
      }
    }
  }
  assert.ok(parsed > 0 && failed > 0, `${parsed} parsed, ${failed} rejected`);
});

/** Raw bytes on the wire, as the emulation lab or an injected torture message delivers them. */
class RawSip implements Message {
  readonly proto = 'sip';
  readonly kind = 'raw';
  readonly entries = 1;
  readonly sub = -1;
  readonly bytes: number;
  constructor(readonly data: Uint8Array) {
    this.bytes = data.length;
  }
}

/** A tiny registrar on the node base: parses what arrives, answers what it cannot serve, binds what it can. */
class MiniRegistrar extends Node {
  layer!: TransactionLayer;
  readonly bindings = new Map<string, number>();
  readonly answered: number[] = [];
  protected override onStart(): void {
    this.layer = new TransactionLayer(this.clock, (m, to) => this.send(to, m), {
      onRequest: (req, _from, tx) => {
        if (req.method !== 'REGISTER' || tx === undefined) {
          tx?.respond(createResponse(req, 200, { toTag: 'r' }));
          return;
        }
        const aor = req.header('to')!;
        const exp = Number(req.header('expires') ?? 3600);
        if (exp === 0) this.bindings.delete(aor);
        else this.bindings.set(aor, exp);
        tx.respond(createResponse(req, 200, { toTag: 'r' }));
      },
    }, { reliable: false });
  }
  protected override handleMessage(msg: Message, from: number): void {
    const rec = receiveSip((msg as RawSip).data, { role: 'registrar' });
    if (rec.kind === 'reject') {
      this.answered.push(rec.answer.status);
      this.layer.sendStateless(rec.answer, from);
    } else if (rec.kind === 'accept') this.layer.receive(rec.parsed.msg, from);
  }
}

class Sink implements Endpoint {
  index = -1;
  readonly got: SipMessage[] = [];
  constructor(readonly id: string) {}
  receive(m: Message): void {
    this.got.push(m as SipMessage);
  }
}

test('the node keeps working: a registrar fed all 49 torture messages still registers and deregisters', () => {
  const sim = new Simulator(1);
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, delay: 1 * MS }, NO_SIGNALS, sim.stream('net'));
  const ue = new Sink('ue');
  net.attach(ue);
  const reg = new MiniRegistrar('registrar', { ...simulationPorts(sim, net), signals: NO_SIGNALS, capacity: { workers: 1, queueLimit: Infinity, defaultCost: ZERO_COST, byKind: {} } });
  reg.start();
  const deliver = (at: number, s: string | Uint8Array) =>
    sim.post(at, () => reg.receive(new RawSip(typeof s === 'string' ? Buffer.from(s) : s), ue.index));
  deliver(0, register(1, 600, 'z9hG4bKr1'));
  torture.forEach((t, i) => deliver((i + 1) * MS, t.bytes));
  sim.run();
  assert.equal(reg.state, 'up');
  assert.equal(reg.bindings.get('<sip:alice@example.com>'), 600, 'the binding made before the torture is still held');
  // …and the well-formed REGISTERs among the torture messages were served like any other — except
  // regescrt, whose branch and sent-by (z9hG4bKkdjuw, host5.example.com) are escnull's: RFC 3261
  // §17.2.3 matches it to escnull's server transaction, which absorbs it as a retransmission.
  assert.deepEqual([...reg.bindings.keys()].slice(1).sort(), ['sip:j.user@example.com', 'sip:null-%00-null@example.com', 'sip:watson@example.com']);
  assert.ok(reg.answered.includes(400) && reg.answered.includes(505));
  deliver(sim.now() + 100 * MS, register(2, 0, 'z9hG4bKr2'));
  sim.run();
  assert.equal(reg.bindings.has('<sip:alice@example.com>'), false, 'and it still processes a deregistration');
  const last = ue.got[ue.got.length - 1];
  assert.equal(last.kind, '200 REGISTER');
  assert.equal(last.header('cseq'), '2 REGISTER');
  assert.ok(ue.got.some((m) => m.status === 505));
});
