/**
 * Fuzz targets for the SIP side (issue 11 acceptance): the strict parser, the receiver that answers
 * what it cannot serve, maximum-size pathological datagrams, and the S-CSCF's datagram input driven
 * as a node receives. Properties: nothing throws, every case stays under its CPU-time bound, every
 * answer parses back (RegLab's parser, and sip.js where it can read the URIs), answers stay small,
 * and the S-CSCF keeps working. Seeds: the 49 RFC 4475 messages and RegLab-built REGISTERs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseSip } from '../../sim/sip/parser.ts';
import { receiveSip, type ReceiverPolicy } from '../../sim/sip/receive.ts';
import { SipMessage } from '../../sim/sip/message.ts';
import { cseqValue, fromToValue, viaValue, contactValue } from '../../sim/sip/headers.ts';
import { SECOND, MS } from '../../sim/kernel/time.ts';
import { RawSip } from '../../sim/ims/raw-sip.ts';
import { hostileInputRig } from '../ims/harness.ts';
import { readWithSipJs } from '../sip/sipjs.ts';
import { runFuzz, mutateText, mutateBytes, pick, cpuMs, caseRng, type Prng } from './fuzz-kit.ts';

const DIR = '/work/shared/testdata/rfc4475/';
const TORTURE = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(DIR + f)));

function register(i: number): Uint8Array {
  return Buffer.from(
    SipMessage.request('REGISTER', 'sip:ims.example.net', [
      ['Via', viaValue({ host: `msc${i}.example.net`, port: 5060, branch: `z9hG4bKf${i}` })],
      ['Max-Forwards', '70'],
      ['From', fromToValue(`sip:+4479${i}@ims.example.net`, `t${i}`)],
      ['To', fromToValue(`sip:+4479${i}@ims.example.net`)],
      ['Call-ID', `fz${i}@msc.example.net`],
      ['CSeq', cseqValue(i + 1, 'REGISTER')],
      ['Contact', contactValue({ uri: `sip:msc${i}@[2001:db8::${i}]:5060`, params: { '+g.3gpp.icsi-ref': '"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"', expires: 600 } })],
      ['Require', 'path'],
      ['Supported', 'gruu, outbound'],
      ['Expires', '600'],
    ]).wire(),
  );
}
const SEEDS: Uint8Array[] = [...TORTURE, ...Array.from({ length: 8 }, (_, i) => register(i))];

/** Tokens that SIP parsers trip over, spliced in by the text mutator. */
const SIP_DICTIONARY = [
  'Via: ', 'v: ', 'SIP/2.0/UDP ', 'SIP/7.0/UDP ', ';branch=z9hG4bK', ';received=', ';rport', ';maddr=', 'From: ', 'To: ', 'f: ', 't: ',
  'Call-ID: ', 'i: ', 'CSeq: ', 'CSeq: 1 ', 'Contact: *', 'Contact: ', 'm: ', 'Max-Forwards: ', 'Content-Length: ', 'l: ', 'Content-Type: ',
  'Require: ', 'Proxy-Require: ', 'Accept: ', 'Expires: ', ';tag=', ';expires=', ';q=0.5', 'sip:', 'sips:', 'tel:+1', 'urn:x', '<sip:a@b>',
  '<', '>', '"', '\\', '[', ']', '::', '[::1]', '[2001:db8::1]', '255.255.255.255', '256.1.1.1', '-.-', '...', ':5060', ':99999', '%00', '%zz',
  '\r\n', '\r\n ', '\r\n\t', '\r\n\r\n', ' , ', ',', ';', '=', '@', '@@', 'REGISTER', 'INVITE', 'ACK', 'SIP/2.0 200 OK\r\n', '4294967296',
  '2147483648', '00000000000000000001', '\u00ff', '\ufffd', '\u0000',
];

/** A mutated message: byte-level half the time, token-aware text the other half. */
function mutatedMessage(rng: Prng): Uint8Array {
  const seed = pick(rng, SEEDS);
  if (rng.chance(0.4)) return mutateBytes(rng, seed, { maxLength: 65_507 });
  const text = Buffer.from(seed).toString('latin1');
  return Buffer.from(mutateText(rng, text, { dictionary: SIP_DICTIONARY, maxLength: 65_507 }), 'latin1');
}

/**
 * The sip.js check applies where sip.js can read the message. Found by the large run, sip.js cannot
 * read what RFC 3261 allows: another URI scheme in From/To (it reads them only as a Request-URI),
 * an extension method that begins with a method it knows (`CSeq: 1 REGISTERX`: its PEG grammar
 * refuses it, then throws on the response), whitespace around a Via's slashes (SLASH = SWS "/" SWS),
 * a host with a trailing dot (hostname = *(domainlabel ".") toplabel ["."]), a Via transport token
 * that begins with one it knows (`TCP!`, `TCP0`), an IPv4 octet with a leading zero (`092.0.2.95`),
 * a `user=` URI parameter whose other-user token begins with `phone` or `ip` (`user=phonexample.net`).
 */
function sipJsCanRead(m: SipMessage): boolean {
  const uri = (v: string | undefined) => {
    if (v === undefined) return false;
    return v.includes('<') ? /<sips?:/i.test(v) : /^\s*sips?:/i.test(v);
  };
  const prefixed = /^(INVITE|ACK|OPTIONS|BYE|CANCEL|REGISTER|SUBSCRIBE|NOTIFY|REFER|INFO|MESSAGE|PRACK|UPDATE|PUBLISH)./.test(m.method);
  const viaOdd = m.headerAll('via').some(
    (v) =>
      /\s\/|\/\s/.test(v) || // SWS around a slash
      /[A-Za-z0-9-]\.(?=\s*[;:,]|\s*$)/.test(v) || // trailing-dot host
      /\/(UDP|TCP|TLS|SCTP|WSS?)[^\s/]/i.test(v) || // a transport token that begins with one sip.js knows (PEG prefix)
      /(^|[^0-9.])0[0-9]{1,2}\.[0-9]|\.0[0-9]/.test(v), // an IPv4 octet with a leading zero (1*3DIGIT in RFC 3261)
  );
  // (no '@' inside the host run: with it, 65,000 '@' in a quoted parameter cost 2.7 s of backtracking — scale-100 case sip-max-datagram:1126)
  const dotHost = [m.header('from'), m.header('to')].some((v) => v !== undefined && /@[^;>@]*\.(?=[;:>]|$)/.test(v));
  // other-user = token (RFC 3261 §25.1); sip.js's PEG takes `phone` / `ip` and refuses the rest of the token
  const userPrefixed = [m.header('from'), m.header('to')].some((v) => v !== undefined && /;user=(phone|ip)[^;>\s]/i.test(v));
  return uri(m.header('from')) && uri(m.header('to')) && !prefixed && !viaOdd && !dotHost && !userPrefixed;
}

/** Every property an answer must have: it parses back as a response of its status, small, readable by sip.js. */
function checkAnswer(answer: SipMessage, inputBytes: number): void {
  const wire = answer.wire();
  const back = parseSip(wire);
  if (!back.ok) throw new Error(`the answer does not parse back (${back.error.code}: ${back.error.reason}):\n${wire.slice(0, 600)}`);
  assert.equal(back.msg.isRequest, false);
  assert.equal(back.msg.status, answer.status);
  // Amplification: an answer never exceeds what was received by more than its own fixed headers.
  assert.ok(answer.bytes <= inputBytes + 1024, `a ${answer.bytes}-byte answer to ${inputBytes} bytes`);
  if (sipJsCanRead(answer)) {
    try {
      readWithSipJs(wire);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the answer: ${JSON.stringify(wire.slice(0, 600)).replace(/\x7f/g, "\\u007f")}`);
    }
  }
}

test('fuzz sip-parser: mutated RFC 4475 and RegLab messages never throw, errors are 400/505 with a short reason, what parses re-parses', async () => {
  await runFuzz({
    name: 'sip-parser',
    cases: 400,
    timeBoundMs: 250,
    generate: mutatedMessage,
    check: (input, rng) => {
      const r = parseSip(input, { transport: rng.chance(0.2) ? 'stream' : 'datagram' });
      if (!r.ok) {
        assert.ok(r.error.status === 400 || r.error.status === 505, `status ${r.error.status}`);
        assert.ok(r.error.reason.length > 0 && r.error.reason.length <= 300, `reason of ${r.error.reason.length} chars`);
        return;
      }
      // What RegLab accepted, it writes back in a form its own parser accepts (the model round-trips).
      const again = parseSip(r.msg.wire());
      if (!again.ok) throw new Error(`accepted, but its re-rendering does not parse (${again.error.code}: ${again.error.reason})`);
      assert.equal(again.msg.kind, r.msg.kind);
      assert.equal(again.fields.callId, r.fields.callId);
      assert.equal(again.fields.via.length, r.fields.via.length);
    },
  });
});

const POLICIES: ReceiverPolicy[] = [{}, { role: 'registrar' }, { role: 'proxy' }, { methods: ['REGISTER'], extensions: [] }];

/** sip-receiver's property for one input: RegLab's receive + answer within 250 ms CPU, and its answer well formed. */
function receiverCheck(input: Uint8Array, rng: Prng): void {
  const t0 = cpuMs();
  const rec = receiveSip(input, pick(rng, POLICIES));
  const ms = cpuMs() - t0;
  assert.ok(ms < 250, `receive + answer took ${ms.toFixed(0)} ms of CPU`);
  if (rec.kind === 'reject') checkAnswer(rec.answer, input.length);
  else if (rec.kind === 'drop') assert.ok(rec.why.length > 0);
  else assert.ok(rec.parsed.ok);
}

test('fuzz sip-receiver: every answer to a mutated message parses back (RegLab and sip.js) and stays small', async () => {
  await runFuzz({
    name: 'sip-receiver',
    cases: 400,
    // The whole case, sip.js reading the answer back included (it is slow on long answers); RegLab's own work is bounded below.
    timeBoundMs: 1_000,
    generate: mutatedMessage,
    check: receiverCheck,
  });
});

/** Units whose long runs cost super-linear time in a backtracking or re-concatenating parser. */
const PATHOLOGICAL_UNITS = [' ', '\t', ' \t', ';', ';a', ';a=', ',', ', ', '"', '\\"', '<', '>', '[', ':', '::', '.', '-', '%', '%4', '@', '=', '/', 'a', '1', '\r\n ', '\r\nX:', '\r\nVia: SIP/2.0/UDP h', ',SIP/2.0/UDP h;branch=z9hG4bK', ',x', 'a b '];

/** A seed message with one pathological unit repeated to fill a 65,507-byte datagram, inside the header section 90 % of the time. */
function maxDatagram(rng: Prng): Uint8Array {
  const seed = Buffer.from(pick(rng, SEEDS)).toString('latin1');
  const headEnd = Math.max(1, seed.indexOf('\r\n\r\n'));
  const at = rng.chance(0.9) ? rng.int(headEnd) : rng.int(seed.length + 1);
  const unit = pick(rng, PATHOLOGICAL_UNITS);
  const n = Math.max(0, Math.floor((65_507 - seed.length) / unit.length));
  return Buffer.from(seed.slice(0, at) + unit.repeat(n) + seed.slice(at), 'latin1').subarray(0, 65_507);
}

/** RegLab's parse + answer within 250 ms of CPU; the answer well formed (the whole case, sip.js reading a 64 KB answer included, is bounded by the kit). */
function maxDatagramCheck(input: Uint8Array): void {
  const t0 = cpuMs();
  parseSip(input);
  const rec = receiveSip(input, { role: 'registrar' });
  const ms = cpuMs() - t0;
  assert.ok(ms < 250, `parse + answer took ${ms.toFixed(0)} ms of CPU`);
  if (rec.kind === 'reject') checkAnswer(rec.answer, input.length);
}

test('fuzz sip-max-datagram: a pathological run filling a 65,507-byte datagram, anywhere in a message, is parsed and answered in bounded time', async () => {
  await runFuzz({
    name: 'sip-max-datagram',
    cases: 24,
    timeBoundMs: 3000,
    generate: maxDatagram,
    show: (b) => JSON.stringify(Buffer.from(b.subarray(0, 120)).toString('latin1')) + `…(${b.length} bytes)`,
    check: maxDatagramCheck,
  });
});

/**
 * A test IMS core whose S-CSCF receives the fuzzed datagrams (10 ms apart), subscriber 1 registered
 * first. `check` sends one datagram and checks every answer; `after` checks the node kept working.
 */
function scscfTarget() {
  const { r, n, probe: tester, assertStillWorking } = hostileInputRig('fuzzer');
  let t = 3 * SECOND;
  let answered = 0;
  return {
    check(input: Uint8Array): void {
      const seen = tester.received.length;
      t += 10 * MS;
      const at = t;
      r.sim.post(at, () => tester.sendTo(n.scscf.index, new RawSip(input, -1, 'fuzz')));
      r.run(at + 5 * MS);
      assert.equal(n.scscf.state, 'up');
      for (const rec of tester.received.slice(seen)) {
        assert.ok(rec.msg instanceof SipMessage, 'the S-CSCF answers with a SIP message');
        checkAnswer(rec.msg as SipMessage, input.length);
        answered++;
      }
    },
    get answered() {
      return answered;
    },
    /** The node kept working: subscriber 1's binding untouched, subscriber 0 registers and deregisters. */
    after: () => assertStillWorking(t),
  };
}

test('fuzz scscf-datagrams: hostile datagrams at the S-CSCF: every answer parses back, state held, the node keeps registering', async () => {
  const target = scscfTarget();
  const summary = await runFuzz({
    name: 'scscf-datagrams',
    cases: 150,
    timeBoundMs: 250,
    generate: mutatedMessage,
    show: (b) => JSON.stringify(Buffer.from(b.subarray(0, 300)).toString('latin1')),
    check: (input) => target.check(input),
  });
  // (a REGLAB_FUZZ_ONLY replay runs one case, or none of this target's)
  if (summary.cases > 1) assert.ok(target.answered > 0, 'some datagrams were answered');
  target.after();
});

/**
 * Cases the scale-100 run (seed 20261207) found, replayed at that seed whatever REGLAB_FUZZ_SEED says.
 * sip-receiver:39204 (To: "%Z%4<DEL>") and scscf-datagrams:7518 (From: "Be<DEL>l, Alexander"): a raw
 * DEL inside a quoted display name was accepted and copied into the 400; RFC 3261 qdtext excludes
 * %x7F (only a quoted-pair carries it), so sip.js was right to refuse the answer.
 */
test('fuzz replay: the scale-100 cases sip-receiver:39204 and scscf-datagrams:7518 are answered with headers sip.js reads', () => {
  const rng = caseRng('sip-receiver', 39204, '20261207');
  const input = mutatedMessage(rng);
  assert.match(Buffer.from(input).toString('latin1'), /To: "%Z%4\x7f"/, 'the generator still draws the case the large run found');
  receiverCheck(input, rng);
  const datagram = mutatedMessage(caseRng('scscf-datagrams', 7518, '20261207'));
  assert.match(Buffer.from(datagram).toString('latin1'), /From: "Be\x7fl, Alexander"/, 'the generator still draws the case the large run found');
  const target = scscfTarget();
  target.check(datagram);
  assert.equal(target.answered, 1, 'the S-CSCF answers the datagram');
  target.after();
});

/**
 * The slowest case of the scale-100 run: 2.8 s of CPU against a 3 s bound, 2.7 s of them this file's
 * own sipJsCanRead (a backtracking regex over 65,000 '@' in a quoted From parameter); RegLab took 8 ms.
 */
test('fuzz replay: sip-max-datagram:1126 (65,000 "@" in the From of intmeth) is checked in well under its bound', () => {
  const input = maxDatagram(caseRng('sip-max-datagram', 1126, '20261207'));
  assert.match(Buffer.from(input).toString('latin1'), /@{60000}/, 'the generator still draws the case the large run found');
  const t0 = cpuMs();
  maxDatagramCheck(input);
  const ms = cpuMs() - t0;
  assert.ok(ms < 1_000, `${ms.toFixed(0)} ms of CPU`);
});
