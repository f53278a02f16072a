/**
 * The RFC 4475 acceptance test through the S-CSCF's SIP input: the 49 torture messages, byte-exact,
 * arrive as raw datagrams; the S-CSCF parses them with the strict parser, answers 400 (505 for the
 * bad version) to the invalid requests, processes the valid ones, and keeps working — the state of
 * the other subscribers intact, and a full registration and deregistration still possible after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { SECOND } from '../../sim/kernel/time.ts';
import { RawSip } from '../../sim/ims/raw-sip.ts';
import { SipMessage } from '../../sim/sip/message.ts';
import { receiveSip } from '../../sim/sip/receive.ts';
import { hostileInputRig } from './harness.ts';

const DIR = '/work/shared/testdata/rfc4475/';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.dat')).sort();

/** The invalid requests RFC 4475 §3.1.2 / §3.3 want refused with 400 (505: badvers). */
const MUST_400 = ['badinv01', 'clerr', 'scalar02', 'quotbal', 'ltgtruri', 'lwsruri', 'mismatch01', 'insuf', 'multi01', 'mcl01'];
/** Well-formed messages (§3.1.1): never 400/505. */
const VALID = ['wsinv', 'intmeth', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'dblreq', 'semiuri', 'transports', 'mpart01', 'unreason', 'noreason'];
/** Responses: never answered. */
const RESPONSES = ['unreason', 'noreason', 'scalarlg', 'bigcode', 'bcast'];

test('RFC 4475: all 49 torture messages through the S-CSCF — 400/505 for the invalid, the valid processed, the node keeps working', () => {
  assert.equal(FILES.length, 49);
  const { r, n, probe: tester, assertStillWorking } = hostileInputRig('tester');
  const answers = new Map<string, SipMessage[]>();
  let t = 3 * SECOND;
  for (const f of FILES) {
    const name = f.replace(/\.dat$/, '');
    const raw = new RawSip(new Uint8Array(readFileSync(DIR + f)), -1, name);
    const at = (t += 10_000_000);
    r.sim.post(at, () => tester.sendTo(n.scscf.index, raw));
  }
  r.run(5 * SECOND);
  // Attribute each answer to the datagram it followed (10 ms apart, answered within 1 ms + 1 ms link).
  for (const rec of tester.received) {
    const idx = Math.floor((rec.t - 3 * SECOND) / 10_000_000) - 1;
    const name = FILES[idx].replace(/\.dat$/, '');
    assert.ok(rec.msg instanceof SipMessage, `${name}: the answer is a SIP message`);
    answers.set(name, [...(answers.get(name) ?? []), rec.msg as SipMessage]);
  }
  for (const f of FILES) {
    const name = f.replace(/\.dat$/, '');
    const got = answers.get(name) ?? [];
    const bytes = new Uint8Array(readFileSync(DIR + f));
    const verdict = receiveSip(bytes, { role: 'registrar' });
    if (RESPONSES.includes(name)) {
      assert.equal(got.length, 0, `${name}: a response is never answered`);
      continue;
    }
    if (verdict.kind === 'drop') {
      assert.equal(got.length, 0, `${name}: dropped (${verdict.why})`);
      continue;
    }
    assert.equal(got.length, 1, `${name}: exactly one answer`);
    const status = got[0].status;
    if (name === 'badvers') assert.equal(status, 505, 'badvers: 505 Version Not Supported');
    else if (MUST_400.includes(name)) assert.equal(status, 400, `${name}: 400 Bad Request`);
    else if (VALID.includes(name)) assert.ok(status !== 400 && status !== 505, `${name}: valid, not refused as malformed (got ${status})`);
    if (verdict.kind === 'reject') assert.equal(status, verdict.answer.status, `${name}: the receiver's verdict is what the S-CSCF sent`);
    else assert.ok([200, 403, 404].includes(status), `${name}: processed by the registrar (got ${status})`);
  }
  assert.ok(r.signals.count('sip.raw-rejected-400') >= MUST_400.length);
  assert.equal(r.signals.count('sip.raw-rejected-505'), 1);

  // The node kept working: subscriber 1's binding untouched, subscriber 0 registers and deregisters.
  assertStillWorking(5 * SECOND);
});
