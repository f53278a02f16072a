import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSHARK = '/usr/bin/tshark';

function tshark(file: string, args: string[]): string {
  assert.ok(existsSync(TSHARK), `${TSHARK} is missing: install tshark (.ci/run does)`);
  const r = spawnSync(TSHARK, ['-r', file, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function capture(scenario: string, set: string[] = []): Promise<string> {
  const r = await runScenario(loadScenarioFile(`${ROOT}scenarios/${scenario}.yaml`, { set }));
  const pcap = r.extra.find((f) => f.name === 'trace.pcapng');
  assert.ok(pcap, 'the run made a capture');
  const dir = mkdtempSync(join(tmpdir(), 'reglab-msgin5g-pcap-'));
  const file = join(dir, 'trace.pcapng');
  writeFileSync(file, pcap.data);
  return file;
}

test('trace.pcapng: Wireshark dissects every message as HTTP with JSON, none malformed, IEs visible', async () => {
  const file = await capture('learn/msgin5g-bulk');
  try {
    assert.equal(tshark(file, ['-Y', '_ws.malformed']).trim(), '', 'no malformed packet');
    assert.equal(tshark(file, ['-Y', 'tcp.analysis.flags && !tcp.analysis.window_update']).trim(), '', 'no TCP analysis warnings');
    const rows = tshark(file, ['-Y', 'http', '-T', 'fields', '-E', 'separator=|', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code', '-e', 'json.member', '-e', 'json.value.string'])
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    assert.equal(rows.length, 4);
    assert.deepEqual(
      rows.map((r) => r[0] || r[2]),
      ['POST', '200', 'POST', '200'],
    );
    assert.equal(rows[0][1], '/reglab-msgin5g/v1/bulk-registrations');
    assert.ok(rows[0][3].startsWith('bulkRegistrationIndicator,numberOfRequests,requests,ueServiceId,ueCredential'), rows[0][3]);
    assert.ok(rows[1][3].startsWith('bulkRegistrationResponseIndicator,numberOfResponses,responses,ueServiceId,registrationResult'), rows[1][3]);
    assert.ok(rows[1][4].includes('ue0@msgin5g.example.net') && rows[1][4].includes('SUCCESS'));
    assert.equal(rows[2][1], '/reglab-msgin5g/v1/bulk-deregistrations');
    // The non-standard label is on the wire of every message.
    const labels = tshark(file, ['-Y', 'http', '-T', 'fields', '-e', 'http.request.line', '-e', 'http.response.line']);
    assert.equal((labels.match(/X-RegLab-Encoding: non-standard/g) ?? []).length, 4);
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
});

test('trace.pcapng: individual requests, a 403, per-UE authentication round trips and big bulks reassemble cleanly', async () => {
  // A bulk of 100 UEs is several TCP segments; per-ue authentication adds server→gateway requests.
  const file = await capture('sizing/msgin5g-bulk-vs-individual', [
    'population.size=300',
    'msgin5g.authentication=per-ue',
    'msgin5g.ues.badCredentials=[3]',
    'observe.watch={first: 300}',
  ]);
  try {
    assert.equal(tshark(file, ['-Y', '_ws.malformed']).trim(), '');
    const methods = tshark(file, ['-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri']).trim().split('\n');
    assert.equal(methods.filter((u) => u === '/reglab-msgin5g/v1/bulk-registrations').length, 3);
    assert.equal(methods.filter((u) => u === '/reglab-msgin5g-gw/v1/ue-authentications').length, 300 + 1);
    assert.equal(methods.filter((u) => u === '/reglab-msgin5g/v1/registrations').length, 1, 'UE 3 retried individually');
    const codes = tshark(file, ['-Y', 'http.response', '-T', 'fields', '-e', 'http.response.code']).trim().split('\n');
    assert.ok(codes.includes('403'));
    const reassembled = tshark(file, ['-Y', 'tcp.reassembled.length > 1460', '-T', 'fields', '-e', 'frame.number']).trim();
    assert.notEqual(reassembled, '', 'bulks span several segments and Wireshark reassembles them');
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
});
