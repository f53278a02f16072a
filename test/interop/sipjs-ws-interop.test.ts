/**
 * Interop, issue 17 item 3 (sip.js): a sip.js 0.21 `UserAgent` + `Registerer` in Node, over
 * WebSocket (the `ws` package as its WebSocket), registering with RegLab's emulated S-CSCF (SIP
 * over WebSocket, RFC 7118) and unregistering. sip.js writes its own REGISTER — random Call-ID,
 * tag and branch, a `.invalid` Via host, its own Contact, no Authorization: no IMS AKA — so what
 * the S-CSCF does with it is its `externalClients` policy (sim/policies/scscf-external-clients.ts):
 * refused (403) under the default `auth-done`, admitted under `accept-unauthenticated`, and under
 * `trusted` when the node the WebSocket client plays (the scenario's external MSC) is trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { UserAgent, Registerer, RegistererState } from 'sip.js';
import { runEmulation, type EmulationResult } from '../../sim/emulate/emulate.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';

// sip.js's transport opens `new WebSocket(server, 'sip')`: Node 20 has no global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/ims-core-external-clients.yaml');
const AOR = 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org';

interface Outcome {
  /** Registerer states in order. */
  states: string[];
  /** Final status of each REGISTER transaction sip.js saw. */
  statuses: number[];
  trace: TraceRecord[];
  result: EmulationResult;
}

/** Runs the emulated core with an S-CSCF WebSocket listener; sip.js registers, then unregisters. */
async function session(policy: string[]): Promise<Outcome> {
  const udp = dgram.createSocket('udp4'); // the external MSC's datagram address (the WS client plays that node)
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()));
  const states: string[] = [];
  const statuses: number[] = [];
  const trace: TraceRecord[] = [];
  const ac = new AbortController();
  let flow: Promise<void> = Promise.resolve();
  const sc = loadScenarioFile(FILE, {
    set: ['duration=20s', 'workload=[]', `emulate.nodes.msc.external.address=127.0.0.1:${udp.address().port}`, 'emulate.nodes.scscf.ws=0', ...policy],
  });
  const lab = runEmulation(sc, {
    verify: true,
    signal: ac.signal,
    onTrace: (r) => trace.push(r),
    onStarted: (eps) => {
      const ws = eps.find((e) => e.node === 'scscf' && e.url.endsWith('transport=ws'))!.url;
      const port = Number(/:(\d+);transport=ws$/.exec(ws)![1]);
      flow = (async () => {
        const ua = new UserAgent({
          uri: UserAgent.makeURI(AOR),
          transportOptions: { server: `ws://127.0.0.1:${port}` },
          logLevel: 'error',
        });
        await ua.start();
        const reg = new Registerer(ua, { expires: 600 });
        reg.stateChange.addListener((s) => states.push(s));
        const waitState = async (want: RegistererState) => {
          for (let i = 0; i < 250 && reg.state !== want; i++) await new Promise((r) => setTimeout(r, 20));
        };
        const outcome = (o: { onAccept?: unknown; onReject?: unknown }) => ({
          requestDelegate: { onAccept: () => statuses.push(200), onReject: (r: { message: { statusCode?: number } }) => statuses.push(r.message.statusCode ?? 0) },
          ...o,
        });
        const answered = async (n: number) => {
          for (let i = 0; i < 250 && statuses.length < n; i++) await new Promise((r) => setTimeout(r, 20));
        };
        await reg.register(outcome({}));
        await answered(1);
        if (statuses[0] === 200) {
          await waitState(RegistererState.Registered);
          await reg.unregister(outcome({}));
          await answered(2);
          await waitState(RegistererState.Unregistered);
        }
        await ua.stop();
      })().finally(() => ac.abort());
    },
  });
  const result = await lab;
  await flow;
  udp.close();
  return { states, statuses, trace, result };
}

const cx = (o: Outcome, re: RegExp) => o.trace.filter((t) => t.kind === 'SAR' && re.test(t.wire)).length;

test('sip.js UserAgent + Registerer over WebSocket: registers with and unregisters from RegLab\'s emulated S-CSCF under accept-unauthenticated', { timeout: 60_000 }, async () => {
  const o = await session(['nodes.scscf.params.externalClients=accept-unauthenticated']);
  assert.deepEqual(o.statuses, [200, 200], `sip.js: REGISTER and un-REGISTER answered 200 (${JSON.stringify(o.result.wire.byReason)})`);
  // sip.js found its own Contact in both 200 OKs (else it would not call itself registered); Terminated: ua.stop().
  assert.deepEqual(o.states, [RegistererState.Registered, RegistererState.Unregistered, RegistererState.Terminated]);
  // The S-CSCF did the whole procedure for sip.js's subscriber: SAR REGISTRATION, then USER_DEREGISTRATION.
  assert.equal(cx(o, /Server-Assignment-Type[^\n]*: 1 REGISTRATION/), 1);
  assert.equal(cx(o, /Server-Assignment-Type[^\n]*: 5 USER_DEREGISTRATION/), 1);
  const ok = o.trace.find((t) => t.kind === '200 REGISTER' && t.from === 'scscf')!;
  assert.match(ok.wire, /^Via: SIP\/2\.0\/WS [^\r\n]*\.invalid;/m, "sip.js's own Via echoed");
  assert.match(ok.wire, /^P-Associated-URI: <sip:234150999999999@ics[^\r\n]*, <tel:\+447700900123>/m, 'the implicit set');
  assert.equal(o.result.wire.rejected, 0, JSON.stringify(o.result.wire.byReason));
});

test('sip.js without IMS AKA: refused 403 under the default auth-done policy, admitted under trusted when the node it plays is trusted', { timeout: 60_000 }, async () => {
  const refused = await session([]);
  assert.deepEqual(refused.statuses, [403]);
  assert.equal(cx(refused, /Server-Assignment-Type/), 0, 'no SAR: nothing was bound');
  const trusted = await session(['nodes.scscf.params.externalClients=trusted', 'nodes.scscf.params.trusted=["msc"]']);
  assert.deepEqual(trusted.statuses, [200, 200]);
  const untrusted = await session(['nodes.scscf.params.externalClients=trusted', 'nodes.scscf.params.trusted=["icscf"]']);
  assert.deepEqual(untrusted.statuses, [403]);
});
