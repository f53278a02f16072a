import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { writeRunDir } from '../../sim/observe/export.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { emulateWhile, replayTwice } from './lab.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/ims-core-external-clients.yaml');

test('an external SIP client plays the MSC: the emulated IMS core registers and deregisters it over real UDP and Diameter', async () => {
  // What the client sends: the MSC's own REGISTERs, as the model writes them (a simulation of the same core).
  const sim = await runScenario(
    loadScenarioFile(FILE, {
      set: ['duration=20s', 'workload=[{"target":"msc","event":"attach","subscribers":{"from":7,"count":1},"pattern":{"kind":"all-at-once","at":"0s"}},{"target":"msc","event":"detach","subscribers":{"from":7,"count":1},"pattern":{"kind":"all-at-once","at":"5s"}}]'],
    }),
  );
  const registers = sim.trace.filter((t) => t.event === 'delivered' && t.kind === 'REGISTER' && t.from === 'msc').map((t) => t.wire!);
  assert.equal(registers.length, 2, 'registration and deregistration');

  const client = dgram.createSocket('udp4');
  await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
  const got: string[] = [];
  client.on('message', (m) => got.push(m.toString('utf8')));
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 100 && !got.some((g) => re.test(g)); i++) await new Promise((r) => setTimeout(r, 20));
    return got.find((g) => re.test(g));
  };
  // The exchange runs to its end however long a loaded host takes (the 20 s duration is a cap).
  const sc = loadScenarioFile(FILE, { set: ['duration=20s', `emulate.nodes.msc.external.address=127.0.0.1:${client.address().port}`] });
  const lab = emulateWhile(sc, { verify: true }, async (eps) => {
      const icscf = Number(/:(\d+);transport=udp/.exec(eps.find((e) => e.node === 'icscf' && e.url.endsWith('udp'))!.url)![1]);
      {
        client.send(registers[0], icscf, '127.0.0.1');
        const ok = await waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 REGISTER/);
        assert.ok(ok, `200 OK to the REGISTER (got: ${got.map((g) => g.split('\r\n')[0]).join(' | ')})`);
        assert.match(ok!, /P-Associated-URI: <sip:234151000000006@ics\.mnc015\.mcc234\.3gppnetwork\.org>, <tel:\+447700900130>/);
        assert.match(ok!, /Service-Route: <sip:orig@/);
        client.send(registers[1], icscf, '127.0.0.1');
        assert.ok(await waitFor(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/), 'the deregistration answered');
        // A request missing its mandatory headers, with a Via to answer to: 400 with the reason.
        client.send('REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbad\r\nContent-Length: 0\r\n\r\n', icscf, '127.0.0.1');
        assert.ok(await waitFor(/^SIP\/2\.0 400 /), 'a malformed request answered 400');
      }
  });
  let r: Awaited<typeof lab>;
  try {
    r = await lab;
  } finally {
    client.close(); // an open socket would keep the test process alive after a failure
  }
  // The core's own steps: UAR and SAR on the real Diameter connection, for the registration and the deregistration.
  const kinds = r.trace.filter((t) => t.event === 'delivered').map((t) => `${t.from}→${t.to} ${t.kind}`);
  for (const k of ['msc→icscf REGISTER', 'icscf→hss UAR', 'hss→icscf UAA', 'scscf→hss SAR', 'hss→scscf SAA', 'icscf→msc 200 REGISTER']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
  assert.equal(r.trace.filter((t) => t.kind === 'SAR' && t.event === 'delivered').length, 2);
  assert.equal(r.wire.decodeMismatch, 0);
  assert.equal(r.summary.rules.failed, 0, JSON.stringify(r.rules.filter((x) => x.status === 'failed')));
  // The rules judge only RegLab's own nodes: the MSC's steps are the client's acts (n/a, naming
  // it), the core's UAR and SAR are judged — in the emulation and, the same, in its replay.
  const peerNa = /^n\/a: msc is external \(a real peer at 127\.0\.0\.1:\d+\): its deregistration REGISTERs are not RegLab's to judge \(1×\)$/;
  const check = (rules: typeof r.rules, world: string) => {
    const rule = (id: string) => rules.find((x) => x.id === id)!;
    for (const step of [1, 4, 5, 7]) assert.match(`${rule(`24.292:6.3.6.2/${step}`).status} ${rule(`24.292:6.3.6.2/${step}`).detail}`, new RegExp(`^not-applicable ${peerNa.source.slice(1)}`), `${world}: step ${step}`);
    for (const id of ['24.229:5.3.1.2/uar-type', '24.229:5.4.1.4/sar-type']) assert.equal(rule(id).status, 'passed', `${world}: ${id} ${rule(id).detail}`);
  };
  check(r.rules, 'emulation');
  const dir = mkdtempSync(join(tmpdir(), 'reglab-external-client-'));
  try {
    await writeRunDir(join(dir, 'run'), { summary: r.summary, rules: r.rules, trace: r.trace, samples: r.samples, probes: r.probes, nodes: r.nodes, manifest: {}, extra: r.extra });
    check((await replayTwice(sc, join(dir, 'run'), r)).rules, 'replay');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
