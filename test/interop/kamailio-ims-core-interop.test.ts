/**
 * Interop, issue 17 item 2: a real IMS core — Kamailio's ims_icscf and ims_registrar_scscf /
 * ims_usrloc_scscf with cdp — in front of RegLab's emulated HSS answering Cx over its real
 * Diameter transport (CER/CEA, UAR/UAA, SAR/SAA with User-Data).
 *
 * The REGISTER and the §6.3.6.2 deregistration are the MSC's, as the model renders them
 * (model-wire.ts), sent over UDP to the Kamailio I-CSCF. Checked: the I-CSCF asks RegLab's HSS
 * (UAR REGISTRATION, then DE_REGISTRATION), picks the S-CSCF, the S-CSCF assigns itself (SAR
 * REGISTRATION) and builds the implicit set from RegLab's User-Data, its location table holds the
 * MSC's contact and +sip.instance, and the deregistration empties it (SAR USER_DEREGISTRATION).
 *
 * Not here: RegLab's emulated MSC node as the client. Its SIP decoder (sim/emulate/ims-sip-codec.ts)
 * accepts only text the model itself writes, and refuses Kamailio's 200 OK (To tag, Contact
 * parameter order) as `sip.undecodable-response` — see docs/emulation.md, "Real peers".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioText } from '../../sim/scenario/load.ts';
import { runEmulation, type EmulationResult } from '../../sim/emulate/emulate.ts';
import { nodeAddress } from '../../sim/observe/pcapng.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';
import { startImsCore } from './kamailio-ims.ts';
import { UdpSipClient } from './sip-wire.ts';
import { waitFor } from './peer-process.ts';
import { modelRegisterExchanges, header } from './model-wire.ts';

const REALM = 'ims.mnc015.mcc234.3gppnetwork.org';
const ICSCF_FQDN = `icscf.${REALM}`;
const SCSCF_FQDN = `scscf.${REALM}`;
/**
 * One subscriber: Kamailio 5.6.3's S-CSCF keeps one contact per contact URI, and an MSC registers
 * all its subscribers with one contact (its address) — with two, the second deregistration fails
 * inside Kamailio (500 "SAR failed"; see scscf.cfg and docs/emulation.md).
 */
const N = 1;

/** RegLab's side: only the HSS runs; MSC, I-CSCF and S-CSCF are the real peers. */
function hssLab(): string {
  return [
    'description: issue 17 item 2 — RegLab HSS behind a Kamailio I-CSCF and S-CSCF',
    'seed: 1',
    'duration: 60s',
    "ims: { mcc: '234', mnc: '15', imsiBase: '234150999999999', msisdnBase: '447700900123', implicitSet: 3 }",
    'network: { defaults: { delay: 1ms, transport: datagram } }',
    'nodes:',
    '  - { id: msc, type: msc-ics, params: { icscf: icscf, farEnd: far } }',
    '  - { id: icscf, type: icscf, params: { hss: hss, scscfs: [scscf] } }',
    '  - { id: scscf, type: scscf, params: { hss: hss, farEnd: far } }',
    '  - { id: hss, type: hss }',
    '  - { id: far, type: far-end }',
    `population: { size: ${N} }`,
    'observe: { watch: { first: ' + N + ' } }',
    'emulate:',
    '  nodes:',
    // The MSC is the test's own socket; RegLab never sends to it here.
    "    msc: { external: { address: '127.0.0.1:9' } }",
    `    icscf: { external: { address: '127.0.0.1:9' }, originHost: ${ICSCF_FQDN} }`,
    `    scscf: { external: { address: '127.0.0.1:9' }, originHost: ${SCSCF_FQDN} }`,
    // cdp connects to a peer by resolving its FQDN: the HSS must be a name that resolves here.
    '    hss: { diameter: 0, originHost: localhost }',
    '    far: { external: { address: "127.0.0.1:9" } }',
  ].join('\n');
}

test('Kamailio I-CSCF + S-CSCF (ims modules, cdp) with RegLab\'s HSS over real Diameter: the MSC\'s registration and §6.3.6.2 deregistration go through, UAR/SAR reach the HSS', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-ims-core-'));
  const trace: TraceRecord[] = [];
  const stop = new AbortController();
  let hssPort = 0;
  let started!: () => void;
  const up = new Promise<void>((r) => (started = r));
  const lab = runEmulation(loadScenarioText(hssLab(), 'ims-core-lab.yaml'), {
    signal: stop.signal,
    onTrace: (r) => trace.push(r),
    onStarted: (eps) => {
      const hss = eps.find((e) => e.node === 'hss' && e.proto === 'diameter');
      hssPort = Number(/:(\d+);/.exec(hss?.url ?? '')?.[1]);
      started();
    },
  });
  let result: EmulationResult | undefined;
  try {
    await Promise.race([up, lab.then(() => assert.fail('the emulation ended before it started'))]);
    assert.ok(hssPort > 0, 'the HSS listens');
    const model = await modelRegisterExchanges({ population: N, trigger: 'detach', transport: 'datagram', expiresIn: 'header' });
    const core = await startImsCore({
      dir,
      realm: REALM,
      hssPort,
      hssHost: 'localhost',
      icscfFqdn: ICSCF_FQDN,
      scscfFqdn: SCSCF_FQDN,
      modelScscf: `sip:${nodeAddress(2)}:5060`,
      // The capabilities RegLab's HSS asks for in a first-registration UAA (TS 29.228 §6.1.1).
      capabilities: [1, 2],
    });
    try {
      const client = await UdpSipClient.open(core.icscf.port);
      try {
        const regs = model.filter((e) => !/^Expires: 0$/m.test(e.request.wire));
        const deregs = model.filter((e) => /^Expires: 0$/m.test(e.request.wire));
        assert.equal(regs.length, N);
        assert.equal(deregs.length, N);
        for (const ex of regs) {
          const ans = await client.request(ex.request.wire);
          assert.equal(ans.status, 200, `the real core registers it: ${ans.status} ${ans.reason}\n${core.icscf.log().slice(-1500)}\n${core.scscf.log().slice(-1500)}`);
          assert.match(ans.text, /^Server: RegLab lab S-CSCF/m, 'answered by the Kamailio S-CSCF, through the I-CSCF');
          // The implicit set comes from RegLab's User-Data (TS 29.228 Annex E): every identity
          // Kamailio lists in P-Associated-URI is one the model's own S-CSCF lists.
          const kamPau = header(ans.text, 'P-Associated-URI').split(/,\s*/).filter(Boolean);
          const modelPau = header(ex.answer!.wire, 'P-Associated-URI').split(/,\s*/);
          assert.ok(kamPau.length >= 2, `P-Associated-URI lists the implicit set: ${kamPau}`);
          for (const u of kamPau) assert.ok(modelPau.includes(u), `${u} is in RegLab's set ${modelPau}`);
          const impu = /<(sip:[^>]+)>/.exec(header(ex.request.wire, 'To'))![1];
          const shown = await core.scscf.kamcmd(['ulscscf.showimpu', impu]);
          assert.match(shown, /sip:192\.0\.2\.10:5060/, `the S-CSCF holds the MSC's contact for ${impu}:\n${shown}`);
        }
        for (const ex of deregs) {
          const ans = await client.request(ex.request.wire);
          assert.equal(ans.status, 200, `the real core deregisters it: ${ans.status} ${ans.reason}\n${ans.text}\n${core.scscf.log().split("\n").filter((l) => /ERROR|WARN|CRIT|ALERT/.test(l)).slice(-20).join("\n")}`);
          // The S-CSCF answers at once (the contact echoed with expires=0, RFC 3261 §10.3) and
          // removes the binding on its usrloc timer (timer_interval 1 s in the lab config).
          assert.match(header(ans.text, 'Contact'), /^<sip:192\.0\.2\.10:5060>;expires=0$/);
          const impu = /<(sip:[^>]+)>/.exec(header(ex.request.wire, 'To'))![1];
          await waitFor(`the S-CSCF to drop ${impu}'s contact`, async () => {
            const shown = await core.scscf.kamcmd(['ulscscf.showimpu', impu]).catch((e: Error) => e.message);
            return /sip:192\.0\.2\.10:5060/.test(shown) ? undefined : true;
          }, 8000, 200);
        }
      } finally {
        await client.close();
      }
    } finally {
      await core.stop();
    }
  } finally {
    stop.abort();
    result = await lab;
    rmSync(dir, { recursive: true, force: true });
  }
  // What RegLab's HSS received on its Diameter socket, decoded by its own codec.
  const uar = trace.filter((r) => r.kind === 'UAR' && r.from === 'icscf' && r.to === 'hss');
  const sar = trace.filter((r) => r.kind === 'SAR' && r.from === 'scscf' && r.to === 'hss');
  assert.ok(uar.some((r) => !/User-Authorization-Type \(623[^\n]*: 1 DE_REGISTRATION/.test(r.wire)), 'a UAR for the registration');
  assert.equal(uar.filter((r) => /User-Authorization-Type \(623[^\n]*: 1 DE_REGISTRATION/.test(r.wire)).length, N, 'a UAR DE_REGISTRATION per deregistration');
  assert.equal(sar.filter((r) => /Server-Assignment-Type \(614[^\n]*: 1 REGISTRATION/.test(r.wire)).length, N, 'a SAR REGISTRATION per subscriber');
  assert.equal(sar.filter((r) => /Server-Assignment-Type \(614[^\n]*: 5 USER_DEREGISTRATION/.test(r.wire)).length, N, 'a SAR USER_DEREGISTRATION per subscriber');
  assert.equal(result.wire.rejected, 0, `RegLab answered no Diameter request with an error: ${JSON.stringify(result.wire.byReason)}`);
});
