import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runReplay } from '../../sim/emulate/replay.ts';
import { writeRunDir } from '../../sim/observe/export.ts';
import { replayTwice, shortImsCore, tsharkMalformed } from './lab.ts';

test('reglab emulate: the IMS core end to end over SIP/UDP (+TCP above 1300 B) and Diameter/TCP passes every rule; pcapng clean in tshark; replay twice gives the same verdicts and hash', async () => {
  const sc = shortImsCore();
  const r = await runEmulation(sc, { verify: true });
  assert.equal(r.ended, 'duration');
  // Every endpoint printed: SIP for msc/icscf/scscf/far (UDP + TCP), Diameter for the HSS.
  assert.deepEqual(
    r.endpoints.map((e) => `${e.node} ${e.url.replace(/:\d+;/, ':P;')}`),
    [
      'msc sip:127.0.0.1:P;transport=udp',
      'msc sip:127.0.0.1:P;transport=tcp',
      'icscf sip:127.0.0.1:P;transport=udp',
      'icscf sip:127.0.0.1:P;transport=tcp',
      'scscf sip:127.0.0.1:P;transport=udp',
      'scscf sip:127.0.0.1:P;transport=tcp',
      'hss aaa://127.0.0.1:P;transport=tcp',
      'far sip:127.0.0.1:P;transport=udp',
      'far sip:127.0.0.1:P;transport=tcp',
    ],
  );
  assert.equal(r.summary.rules.failed, 0, JSON.stringify(r.rules.filter((x) => x.status === 'failed')));
  assert.ok(r.summary.rules.passed >= 13, `rules passed: ${r.summary.rules.passed}`);
  for (const [name, p] of Object.entries(r.summary.procedures)) assert.equal(p.failed + p.abandoned, 0, `${name} failed`);
  assert.equal(r.summary.procedures['ics-registration'].completed, 1);
  assert.equal(r.summary.procedures['ics-deregistration'].completed, 1);
  // What went over the wire decoded back to the very text that was sent, message for message.
  assert.equal(r.wire.decodeMismatch, 0, JSON.stringify(r.wire.byReason));
  assert.ok(r.wire.udpToTcp > 0, 'the reginfo NOTIFYs (> 1300 bytes) went over TCP');
  assert.equal(r.wire.rejected + r.wire.discarded, 0);
  // The trace carries the real wire text.
  const reg = r.trace.find((t) => t.event === 'delivered' && t.kind === 'REGISTER');
  assert.match(reg?.wire ?? '', /^REGISTER sip:ics\.mnc015\.mcc234\.3gppnetwork\.org SIP\/2\.0\r\n/);
  assert.ok(r.lateness.events > 50 && r.lateness.maxMs >= r.lateness.p99Ms && r.lateness.p99Ms >= r.lateness.p50Ms);

  const dir = mkdtempSync(join(tmpdir(), 'reglab-emulate-'));
  try {
    await writeRunDir(join(dir, 'run'), { summary: r.summary, rules: r.rules, trace: r.trace, samples: r.samples, probes: r.probes, nodes: r.nodes, manifest: {}, extra: r.extra });
    const hssPort = Number(/:(\d+);/.exec(r.endpoints.find((e) => e.node === 'hss')!.url)![1]);
    const pcap = join(dir, 'run', 'trace.pcapng');
    const t = tsharkMalformed(pcap, [hssPort]);
    assert.ok(t.frames >= r.wire.sent, `${t.frames} frames for ${r.wire.sent} messages sent`);
    assert.equal(t.malformed, 0);

    const a = await replayTwice(sc, join(dir, 'run'), r);
    // The replay reproduces the emulated session exactly: same deliveries at the same times.
    assert.equal(a.summary.traceHash, r.summary.traceHash);
    writeFileSync(join(dir, 'run', 'arrivals.jsonl'), 'not json\n');
    await assert.rejects(() => runReplay(sc, join(dir, 'run')), /arrivals\.jsonl:1: not a JSON line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
