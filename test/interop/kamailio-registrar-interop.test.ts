/**
 * Interop: RegLab's MSC Server enhanced for ICS, as the model renders it, against a real Kamailio
 * 5.6 registrar (test/fixtures/kamailio/registrar.cfg) over UDP and TCP.
 *
 * The REGISTERs (TS 24.292 §6.3.3) and the §6.3.6.2 deregistrations come from the model's own
 * renderer (a simulation run, see model-wire.ts); each goes on a real socket to Kamailio, which
 * must answer 200, and after each phase Kamailio's location table (`kamcmd ul.dump`) must hold
 * what RegLab's own S-CSCF held at the same point: who is registered, with which contact and which
 * +sip.instance. Where the two registrars differ by design (the Cancel Location race), the test
 * shows the difference and pins it. A last case runs the registrar with sanity's digest check on
 * and shows why the lab config turns it off (TS 24.229's auth-done REGISTER → 400 Auth Empty Nonce).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kamailio, type Binding } from './kamailio.ts';
import { UdpSipClient, TcpSipClient, type SipAnswer } from './sip-wire.ts';
import { modelRegisterExchanges, header, type IcsRunOptions, type ModelExchange } from './model-wire.ts';
import { parseContacts, param, unquote } from '../../sim/sip/headers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LoopbackCapture, checkCapture } from './capture.ts';

/** One binding as both registrars can state it: AOR (user@domain), contact URI, +sip.instance. */
type View = string[];

function key(aor: string, contact: string, instance: string): string {
  return `${aor} | ${contact} | ${instance}`;
}

function aorOf(wire: string): string {
  const to = header(wire, 'To');
  const m = /<sip:([^>;]+)>/.exec(to);
  assert.ok(m, `a sip: URI in To: ${to}`);
  return m[1];
}

/** The bindings a 200 OK lists (RFC 3261 §10.3 step 8), those with expires > 0. */
function listed(aor: string, wire: string, defaultExpires: number): { key: string; expires: number }[] {
  const out: { key: string; expires: number }[] = [];
  for (const line of wire.split('\r\n')) {
    const m = /^(?:Contact|m):\s*(.*)$/i.exec(line);
    if (!m) continue;
    const c = parseContacts(m[1]);
    assert.ok(c.ok && c.value !== '*', `Contact parses: ${line}`);
    for (const na of c.value) {
      const e = param(na.params, 'expires');
      const expires = e === undefined ? defaultExpires : Number(e);
      const inst = param(na.params, '+sip.instance');
      if (expires > 0) out.push({ key: key(aor, na.uriText, inst === undefined ? '' : unquote(inst).replace(/^<|>$/g, '')), expires });
    }
  }
  return out;
}

function kamView(b: Binding[]): View {
  return b.map((x) => key(x.aor, x.contact, x.instance)).sort();
}

/** RegLab's S-CSCF's view: per AOR, the bindings its latest 200 OK listed. */
class ModelView {
  private readonly byAor = new Map<string, string[]>();
  apply(ex: ModelExchange): void {
    assert.ok(ex.answer, `the model answered ${ex.request.kind} seq ${ex.request.seq}`);
    assert.equal(ex.answer.kind, '200 REGISTER', 'the model accepted it');
    const aor = aorOf(ex.request.wire);
    this.byAor.set(aor, listed(aor, ex.answer.wire, Number(header(ex.answer.wire, 'Expires') || 0)).map((l) => l.key));
  }
  view(): View {
    return [...this.byAor.values()].flat().sort();
  }
}

interface Case extends IcsRunOptions {
  name: string;
  sip: 'udp' | 'tcp';
  /** Capture the exchange on lo and check it with tshark (item 6); off where it adds nothing new. */
  capture?: boolean;
}

async function openClient(sip: 'udp' | 'tcp', port: number) {
  return sip === 'udp' ? UdpSipClient.open(port) : TcpSipClient.open(port);
}

/**
 * Sends the model's REGISTERs in the model's order; after each phase (a change of sender or of
 * expiry) compares Kamailio's location table with the model's view and calls `atPhase`.
 */
async function replay(c: Case, atPhase: (phase: number, kam: View, model: View, answers: SipAnswer[], bindings: Binding[]) => void): Promise<number> {
  const exchanges = await modelRegisterExchanges(c);
  assert.ok(exchanges.length >= 2 * c.population, `the model sent its REGISTERs (${exchanges.length})`);
  const kam = await Kamailio.start();
  // Item 6: the loopback traffic of this exchange, captured as evidence and read back by tshark.
  const pcap = join(mkdtempSync(join(tmpdir(), 'reglab-interop-pcap-')), `${c.trigger}-${c.sip}.pcapng`);
  const capture = c.capture ? await LoopbackCapture.start(pcap, [kam.port]) : undefined;
  try {
    const client = await openClient(c.sip, kam.port);
    try {
      const model = new ModelView();
      let phase = 0;
      let answers: SipAnswer[] = [];
      const phaseOf = (e: ModelExchange) => `${e.from}/${/expires[:=]\s*0\b/i.test(e.request.wire) ? 'dereg' : 'reg'}`;
      for (let i = 0; i < exchanges.length; i++) {
        const ex = exchanges[i];
        const ans = await client.request(ex.request.wire);
        assert.equal(ans.status, 200, `Kamailio accepts the model's ${phaseOf(ex)} REGISTER: ${ans.status} ${ans.reason}\n${kam.log().slice(-1500)}`);
        assert.equal(header(ans.text, 'Call-ID'), header(ex.request.wire, 'Call-ID'));
        answers.push(ans);
        model.apply(ex);
        const next = exchanges[i + 1];
        if (next === undefined || phaseOf(next) !== phaseOf(ex)) {
          const bindings = await kam.ulDump();
          atPhase(phase++, kamView(bindings), model.view(), answers, bindings);
          answers = [];
        }
      }
      if (capture) await checkExchange(capture, pcap, kam.port, exchanges.length);
      rmSync(dirname(pcap), { recursive: true, force: true });
      return phase;
    } finally {
      await client.close();
    }
  } finally {
    await capture?.stop();
    await kam.stop();
  }
}

/** Item 6: the capture of `n` REGISTER transactions on `port` — every one decoded, none malformed. */
async function checkExchange(capture: LoopbackCapture, pcap: string, port: number, n: number): Promise<void> {
  await capture.stop();
  const cap = checkCapture(pcap, { sipPorts: [port], fields: ['sip.Method', 'sip.Status-Code'] });
  assert.equal(cap.malformed, 0, `tshark finds no malformed frame in ${pcap}: frames ${cap.bad.join(', ')}`);
  assert.equal(cap.rows.filter((x) => x['sip.Method'] === 'REGISTER').length, n, 'every REGISTER is in the capture, decoded as SIP');
  assert.equal(cap.rows.filter((x) => x['sip.Status-Code'] === '200').length, n, 'every 200 OK is in the capture');
}

const N = 3;

for (const c of [
  { name: 'IMSI detach over UDP, Expires: 0 header', trigger: 'detach', sip: 'udp', transport: 'datagram', expiresIn: 'header', capture: true },
  { name: 'IMSI detach over TCP, ;expires=0 Contact parameter', trigger: 'detach', sip: 'tcp', transport: 'stream', expiresIn: 'contact', capture: true },
  { name: 'MSC maintenance over UDP, ;expires=0 Contact parameter', trigger: 'maintenance', sip: 'udp', transport: 'datagram', expiresIn: 'contact' },
] as const) {
  test(`Kamailio registrar: the model's registration and §6.3.6.2 deregistration, ${c.name}: ul.dump equals RegLab's view after each phase${'capture' in c ? '; pcapng of lo with 0 malformed frames' : ''}`, async () => {
    const views: { kam: View; model: View }[] = [];
    const phases = await replay({ ...c, population: N }, (phase, kam, model, answers, bindings) => {
      views.push({ kam, model });
      // The MSC asked for 600000 s (TS 24.229 default); the lab config's max_expires grants it.
      for (const b of bindings) assert.ok(b.expires > 600000 - 30 && b.expires <= 600000, `expires ${b.expires} ≈ 600000`);
      assert.deepEqual(kam, model, `phase ${phase}: Kamailio's location table equals RegLab's S-CSCF's view`);
      for (const a of answers) assert.match(a.text, /^Server: RegLab lab registrar/m, 'answered by our Kamailio');
    });
    assert.equal(phases, 2, 'two phases: registration, deregistration');
    assert.equal(views[0].kam.length, N, `all ${N} subscribers registered`);
    for (const v of views[0].kam) assert.match(v, /^\d{15}@ics\.mnc015\.mcc234\.3gppnetwork\.org \| sip:192\.0\.2\.10:5060 \| urn:gsma:imei:\d{8}-\d{6}-0$/);
    assert.equal(new Set(views[0].kam.map((v) => v.split(' | ')[2])).size, N, 'one +sip.instance per subscriber');
    assert.deepEqual(views[1].kam, [], 'all removed after the deregistration');
  });
}

test("Kamailio registrar over TCP, Cancel Location race: msc-b takes the binding over in both; msc-a's late deregistration removes it in Kamailio (matched by +sip.instance) but not in RegLab's S-CSCF", async () => {
  const seen: { kam: View; model: View }[] = [];
  await replay({ name: 'cancel-location', trigger: 'cancel-location', sip: 'tcp', transport: 'stream', expiresIn: 'header', population: N }, (_p, kam, model) => {
    seen.push({ kam, model });
  });
  assert.equal(seen.length, 3, 'phases: msc-a registers, msc-b registers, msc-a deregisters');
  assert.deepEqual(seen[0].kam, seen[0].model, 'after msc-a registers, the two agree');
  assert.equal(seen[0].kam.length, N);
  // msc-b registers the same device (same +sip.instance) from its own contact with a new Call-ID:
  // both registrars replace msc-a's binding by msc-b's.
  assert.deepEqual(seen[1].kam, seen[1].model, 'after msc-b registers, the two agree');
  assert.ok(seen[1].kam.every((v) => v.includes('| sip:192.0.2.11:5060 |')), "msc-b's contact only");
  // The difference, live: msc-a's deregistration names msc-a's contact and Call-ID but carries the
  // same +sip.instance. Kamailio's registrar matches a Contact that has +sip.instance by instance
  // (RFC 5626/5627 semantics: same instance, same binding) and removes msc-b's binding — the
  // subscriber, now served by msc-b, is deregistered. RegLab's S-CSCF matches contact and Call-ID,
  // finds nothing of msc-a's left, removes nothing and keeps msc-b's binding.
  assert.deepEqual(seen[2].kam, [], 'Kamailio: nothing left — msc-b\'s bindings went with msc-a\'s deregistration');
  assert.deepEqual(seen[2].model, seen[1].model, "RegLab's S-CSCF: msc-b's bindings kept");
});

test("Kamailio with sanity's digest check (2048) on refuses TS 24.229's auth-done REGISTER: 400 Auth Empty Nonce — why the lab config turns it off", async () => {
  const [reg] = await modelRegisterExchanges({ population: 1, trigger: 'detach', transport: 'datagram', expiresIn: 'header' });
  assert.match(reg.request.wire, /^Authorization: Digest .*nonce="", response="", integrity-protected="auth-done"/m);
  const kam = await Kamailio.start({ defines: ['WITH_DIGEST_CHECK'] });
  try {
    const client = await UdpSipClient.open(kam.port);
    try {
      const ans = await client.request(reg.request.wire);
      assert.equal(ans.status, 400);
      assert.equal(ans.reason, 'Auth Empty Nonce');
      assert.deepEqual(await kam.ulDump(), [], 'nothing registered');
    } finally {
      await client.close();
    }
  } finally {
    await kam.stop();
  }
});
