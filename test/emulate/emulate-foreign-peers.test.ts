/**
 * Real peers choose their own names: SIPp's `[call_id]` (1-<pid>@<ip>) and `[pid]SIPpTag00[call]`
 * tags, sip.js's random Call-IDs, tags and z9hG4bK<digits> branches with a `.invalid` sent-by,
 * Kamailio's `<md5>.<hash>` To tags. The emulation lab's decoder carries them verbatim: what a node
 * sends back in that transaction or dialog echoes the peer's values byte for byte
 * (sim/emulate/ims-sip-codec.ts, foreign-names.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { emulateWhile } from './lab.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile, loadScenarioText } from '../../sim/scenario/load.ts';
import { Kamailio } from '../interop/kamailio.ts';
import { Inbox } from './inbox.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/ims-core-external-clients.yaml');
const SET = ['ims.implicitSet=1'];

/** The MSC's REGISTER, SUBSCRIBE and deregistration as the model writes them (the header set a client must send). */
async function modelTexts(): Promise<{ register: string; subscribe: string; deregister: string }> {
  const sim = await runScenario(
    loadScenarioFile(FILE, {
      set: [...SET, 'duration=20s', 'workload=[{"target":"msc","event":"attach","subscribers":{"from":7,"count":1},"pattern":{"kind":"all-at-once","at":"0s"}},{"target":"msc","event":"detach","subscribers":{"from":7,"count":1},"pattern":{"kind":"all-at-once","at":"5s"}}]'],
    }),
  );
  const from = (kind: string) => sim.trace.filter((t) => t.event === 'delivered' && t.kind === kind && t.from === 'msc').map((t) => t.wire);
  const [register, deregister] = from('REGISTER');
  return { register, deregister, subscribe: from('SUBSCRIBE')[0] };
}

/** Replaces a header line (by name) of a SIP text. */
function withHeader(text: string, name: string, value: string): string {
  const re = new RegExp(`^${name}: .*$`, 'm');
  assert.match(text, re, `${name} in the model's text`);
  return text.replace(re, `${name}: ${value}`);
}

function line(text: string, name: string): string | undefined {
  return new RegExp(`^${name}: .*$`, 'm').exec(text)?.[0];
}

function tagOf(text: string, name: 'From' | 'To'): string | undefined {
  return /;tag=([^;\s>]+)/.exec(line(text, name) ?? '')?.[1];
}

/** The names a real peer chose for a request: its Via (sent-by and branch), Call-ID and From tag. */
interface PeerNames {
  via: string;
  callId: string;
  fromTag: string;
}

/** The model's request text under a peer's own names. */
function named(text: string, n: PeerNames): string {
  const t = withHeader(withHeader(text, 'Via', n.via), 'Call-ID', n.callId);
  assert.match(t, /^From: .*;tag=[0-9a-f]{8}$/m, "a From tag in the model's text");
  return t.replace(/^(From: .*;tag=)[0-9a-f]{8}$/m, `$1${n.fromTag}`);
}

/** The answer echoes the peer's names byte for byte: the Via, the Call-ID (not re-rendered) and the From tag. */
function assertEchoed(answer: string, n: PeerNames): void {
  assert.equal(line(answer, 'Via'), `Via: ${n.via}`, 'the Via (sent-by and branch) echoed');
  assert.equal(line(answer, 'Call-ID'), `Call-ID: ${n.callId}`, 'the Call-ID echoed, not re-rendered');
  assert.equal(tagOf(answer, 'From'), n.fromTag, 'the From tag echoed');
}

class Peer extends Inbox {
  private constructor(readonly sock: dgram.Socket) {
    super();
    sock.on('message', (m) => this.got.push(m.toString('utf8')));
  }
  static async open(): Promise<Peer> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
    return new Peer(s);
  }
  get port(): number {
    return this.sock.address().port;
  }
  send(text: string, port: number): void {
    this.sock.send(Buffer.from(text, 'utf8'), port, '127.0.0.1');
  }
}

/** The response a UAS sends to a request (RFC 3261 §8.2.6): its Via, From, To, Call-ID, CSeq. */
function okTo(req: string): string {
  const keep = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].flatMap((h) => req.split('\r\n').filter((l) => l.startsWith(`${h}: `)));
  return `SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

test('SIPp- and sip.js-shaped names (Call-ID, tags, branch, Via sent-by) go through the emulated core and come back byte for byte, in the registration and the reg-event dialog', async () => {
  const model = await modelTexts();
  const peer = await Peer.open();
  const peerPort = peer.port;
  // The exchange runs to its end however long a loaded host takes (the 20 s duration is a cap).
  const lab = emulateWhile(loadScenarioFile(FILE, { set: [...SET, 'duration=20s', `emulate.nodes.msc.external.address=127.0.0.1:${peer.port}`] }), { verify: true }, async (eps) => {
      const port = (node: string) => Number(/:(\d+);transport=udp/.exec(eps.find((e) => e.node === node && e.url.endsWith('udp'))!.url)![1]);
      {
        // SIPp's shapes: [call_id] = <call>-<pid>@<local ip>, tag [pid]SIPpTag00[call], branch z9hG4bK-<pid>-<call>-<msg>.
        const sipp = { via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-31337-1-0`, callId: '1-31337@127.0.0.1', fromTag: '31337SIPpTag001' };
        const reg = named(model.register, sipp);
        peer.send(reg, port('icscf'));
        const ok = await peer.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 REGISTER/);
        assertEchoed(ok, sipp);
        assert.equal(line(ok, 'From'), line(reg, 'From'), 'the From tag echoed');
        assert.match(tagOf(ok, 'To') ?? '', /^[0-9a-f]{8}$/, "the registrar's own To tag");

        // sip.js's shapes: a random Call-ID and tag, z9hG4bK<7 digits>, a .invalid sent-by (RFC 7118 §5).
        const sipJs = { via: 'SIP/2.0/UDP k2s0a1gdprqe.invalid;branch=z9hG4bK2716437;rport', callId: '8n2lma3rcuq8b1vokt3b', fromTag: 'ff0mvh6ajk' };
        const before = peer.got.length;
        peer.send(named(model.subscribe, sipJs), port('scscf'));
        const subOk = await peer.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 SUBSCRIBE/, before);
        assertEchoed(subOk, sipJs);
        const notifierTag = tagOf(subOk, 'To');
        // The S-CSCF's own NOTIFY, in the dialog the peer opened: the peer's Call-ID and tag as the To tag (RFC 6665 §4.1.2).
        const notify = await peer.waitFor(/^NOTIFY [\s\S]*Subscription-State: active/, before);
        assert.equal(line(notify, 'Call-ID'), 'Call-ID: 8n2lma3rcuq8b1vokt3b');
        assert.equal(tagOf(notify, 'To'), 'ff0mvh6ajk', "the NOTIFY's To tag is the subscriber's From tag");
        assert.equal(tagOf(notify, 'From'), notifierTag);
        peer.send(okTo(notify), port('scscf'));

        // §6.3.6.2: the deregistration in SIPp's registration dialog; the terminated NOTIFY in sip.js's subscription dialog.
        const sippDereg = { ...sipp, via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-31337-1-2` };
        const mark = peer.got.length;
        peer.send(named(model.deregister, sippDereg), port('icscf'));
        const ok2 = await peer.waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/, mark);
        assertEchoed(ok2, sippDereg);
        const last = await peer.waitFor(/^NOTIFY [\s\S]*Subscription-State: terminated/, mark);
        assert.equal(line(last, 'Call-ID'), 'Call-ID: 8n2lma3rcuq8b1vokt3b');
        assert.equal(tagOf(last, 'To'), 'ff0mvh6ajk');
        peer.send(okTo(last), port('scscf'));
        await new Promise((res) => setTimeout(res, 100));
      }
  });
  let r: Awaited<typeof lab>;
  try {
    r = await lab;
  } finally {
    peer.sock.close();
  }
  assert.equal(r.wire.rejected, 0, JSON.stringify(r.wire.byReason));
  assert.equal(r.wire.discarded, 0, JSON.stringify(r.wire.byReason));
  assert.equal(r.wire.decodeMismatch, 0, JSON.stringify(r.wire.byReason));
  // The trace shows the real names too (ImsSip renders the peer's text).
  assert.ok(r.trace.some((t) => t.kind === 'SAR' && t.event === 'delivered'), 'the core ran its Cx steps');
  assert.ok(r.trace.some((t) => t.kind === 'REGISTER' && t.from === 'icscf' && t.wire.includes('Call-ID: 1-31337@127.0.0.1') && t.wire.includes(`Via: ${'SIP/2.0/UDP 127.0.0.1:'}`)));
  // The rules judge only RegLab's own nodes: the peer's deregistration is the external MSC's act —
  // n/a naming the peer, no longer a /5 failure for its real sent-by (127.0.0.1) against the model's
  // MSC address (192.0.2.10).
  const failed = r.rules.filter((x) => x.status === 'failed');
  assert.deepEqual(failed.map((x) => x.id), [], JSON.stringify(failed));
  const s5 = r.rules.find((x) => x.id === '24.292:6.3.6.2/5')!;
  assert.equal(s5.status, 'not-applicable');
  assert.match(s5.detail ?? '', new RegExp(`^n/a: msc is external \\(a real peer at 127\\.0\\.0\\.1:${peerPort}\\): its deregistration REGISTERs are not RegLab's to judge \\(1×\\)$`));
});

test('a request whose branch lacks the RFC 3261 magic cookie, or from an address no node has, is answered with the reason', async () => {
  const model = await modelTexts();
  const peer = await Peer.open();
  const stranger = await Peer.open();
  let flow: Promise<void> | undefined;
  await runEmulation(loadScenarioFile(FILE, { set: [...SET, 'duration=1500ms', `emulate.nodes.msc.external.address=127.0.0.1:${peer.port}`] }), {
    onStarted: (eps) => {
      const icscf = Number(/:(\d+);transport=udp/.exec(eps.find((e) => e.node === 'icscf' && e.url.endsWith('udp'))!.url)![1]);
      flow = (async () => {
        peer.send(withHeader(model.register, 'Via', `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=1234`), icscf);
        assert.match(await peer.waitFor(/^SIP\/2\.0 400 /), /Warning: 399 icscf "Via branch '1234' does not start with z9hG4bK/);
        stranger.send(withHeader(model.register, 'Via', `SIP/2.0/UDP 127.0.0.1:${stranger.port};branch=z9hG4bKs1`), icscf);
        assert.match(await stranger.waitFor(/^SIP\/2\.0 403 /), /Warning: 399 icscf "the source 127\.0\.0\.1:\d+ is no node of this scenario/);
      })();
    },
  });
  try {
    await flow;
  } finally {
    peer.sock.close();
    stranger.sock.close();
  }
});

test("Kamailio's registrar answers RegLab's emulated MSC: its To tags are accepted, the MSC registers and deregisters, and Kamailio's location table empties", { timeout: 60_000 }, async () => {
  const k = await Kamailio.start({ transports: ['udp'] });
  try {
    const yaml = [
      'description: RegLab MSC against a real registrar',
      'seed: 1',
      'duration: 2500ms',
      "ims: { mcc: '234', mnc: '15', imsiBase: '234150999999999', msisdnBase: '447700900123', implicitSet: 3 }",
      'network: { defaults: { delay: 1ms, transport: datagram } }',
      'nodes:',
      '  - { id: msc, type: msc-ics, params: { icscf: icscf, farEnd: far, sessionSetupAfter: 600s } }',
      '  - { id: icscf, type: icscf, params: { hss: hss, scscfs: [scscf] } }',
      '  - { id: scscf, type: scscf, params: { hss: hss, farEnd: far } }',
      '  - { id: hss, type: hss }',
      '  - { id: far, type: far-end }',
      'population: { size: 2 }',
      'workload:',
      '  - { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      '  - { target: msc, event: detach, pattern: { kind: all-at-once, at: 1500ms } }',
      'observe: { watch: { first: 2 } }',
      `emulate: { nodes: { icscf: { external: { address: '127.0.0.1:${k.port}' } } } }`,
    ].join('\n');
    // Kamailio's table is read once both registrations are answered (the event, not a fixed sleep),
    // and that must be before the detach at 1.5 s (measured; a machine too slow for it says so).
    const key = (w: string) => `${/^Call-ID: (.*)$/m.exec(w)?.[1]} ${/^CSeq: (.*)$/m.exec(w)?.[1]}`;
    let t0 = 0;
    let registeredMs = -1;
    const registering = new Set<string>();
    const answered = new Set<string>();
    const lab = runEmulation(loadScenarioText(yaml, 'msc-kamailio.yaml'), {
      verify: true,
      onStarted: () => (t0 = performance.now()),
      onTrace: (t) => {
        if (t.event !== 'delivered') return;
        if (t.kind === 'REGISTER' && t.from === 'msc' && !/expires=0|^Expires: 0/m.test(t.wire)) registering.add(key(t.wire));
        if (t.kind === '200 REGISTER' && t.to === 'msc' && registering.has(key(t.wire))) answered.add(key(t.wire));
        if (registeredMs < 0 && answered.size === 2) registeredMs = performance.now() - t0;
      },
    });
    for (let i = 0; i < 500 && registeredMs < 0; i++) await new Promise((res) => setTimeout(res, 10));
    const during = await k.ulDump();
    const readMs = performance.now() - t0;
    const r = await lab;
    assert.ok(registeredMs >= 0 && readMs < 1450, `both registrations answered at ${registeredMs.toFixed(0)} ms and the table read at ${readMs.toFixed(0)} ms, before the detach at 1500 ms (machine too slow otherwise)`);
    // Per transaction (Call-ID, CSeq): on a loaded host Timer E may resend a REGISTER whose answer is
    // late, and Kamailio answers the copy too. Every transaction answered is what matters.
    const oks = r.trace.filter((t) => t.event === 'delivered' && t.kind === '200 REGISTER' && t.to === 'msc');
    const sent = new Set(r.trace.filter((t) => t.event === 'delivered' && t.kind === 'REGISTER' && t.from === 'msc').map((t) => key(t.wire)));
    assert.equal(sent.size, 4, 'two registrations and two deregistrations sent');
    assert.deepEqual(new Set(oks.map((t) => key(t.wire))), sent, `every transaction answered (${oks.length} 200 OKs for ${sent.size} transactions)`);
    // Kamailio's To tag (<md5>.<hash>) reached the MSC's model as it was written, and matched its transaction.
    for (const ok of oks) assert.match(tagOf(ok.wire, 'To') ?? '', /^[0-9a-f]{32}\.[0-9a-f]+$/);
    assert.equal(r.summary.procedures['ics-registration']?.completed, 2, 'both registrations completed: the answers matched their transactions');
    assert.equal(r.summary.procedures['ics-deregistration']?.completed, 2);
    assert.deepEqual(during.map((b) => b.aor).sort(), ['234150999999999@ics.mnc015.mcc234.3gppnetwork.org', '234151000000000@ics.mnc015.mcc234.3gppnetwork.org']);
    assert.deepEqual(await k.ulDump(), [], 'the §6.3.6.2 deregistrations removed both bindings');
    assert.equal(r.wire.rejected + r.wire.discarded, 0, JSON.stringify(r.wire.byReason));
  } finally {
    await k.stop();
  }
});
