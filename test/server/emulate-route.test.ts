/**
 * WS /api/emulate and GET /api/emulations/… (sim/server/emulate-routes.ts, emulate-files.ts): the
 * dashboard's emulation lab over a real server, real sockets and a real run directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../sim/server/server.ts';
import { TraceBatcher } from '../../sim/server/emulate-routes.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';
import type { EmulateEvent } from '../../sim/server/emulate-types.ts';
import { lab } from './emulate-client.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('emulate route: hello, bad commands, a start refused off loopback without --emulate-host, live batches, stop → outputs served from the run directory', async () => {
  const server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios'), emulateHosts: ['127.0.0.2'] });
  try {
    const list = (await (await fetch(new URL('api/scenarios', server.url))).json()) as { path: string }[];
    assert.ok(list.some((s) => s.path === 'emulate/ims-core-ics-detach.yaml'), 'the emulate/ scenarios are listed');

    const c = await lab(server.url);
    const hello = await c.next('hello');
    assert.deepEqual(hello.hosts, ['127.0.0.1', '127.0.0.2']);
    assert.equal(hello.running, false);

    c.send('not json');
    assert.match((await c.next('error')).message, /a command is a JSON object/);
    c.send({ type: 'start', scenario: '../../etc/x.yaml' });
    assert.match((await c.next('error', (e) => /scenarios folder|does not exist/.test(e.message))).message, /x\.yaml/);
    c.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', host: '0.0.0.0' });
    const refused = await c.next('error', (e) => e.message.startsWith('host:'));
    assert.equal(refused.code, 'E_API');
    assert.match(refused.message, /"0\.0\.0\.0" is not allowed .*127\.0\.0\.1, 127\.0\.0\.2.*--emulate-host ADDR/);
    c.send({ type: 'stop' });
    assert.match((await c.next('error', (e) => e.message.startsWith('stop:'))).message, /no emulation of this connection/);
    c.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', set: ['x'] });
    assert.match((await c.next('error', (e) => e.message.startsWith('set:'))).message, /object of parameter path/);
    c.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', set: { 'population.size': 'lots' } });
    assert.equal((await c.next('error', (e) => e.code === 'E_SCENARIO')).code, 'E_SCENARIO', 'a bad override is the loader\'s error');

    c.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', duration: '20s' });
    const started = await c.next('started');
    assert.equal(started.host, '127.0.0.1');
    assert.equal(started.durationNs, 20e9);
    assert.deepEqual(started.nodes.map((n) => `${n.id}:${n.type}`), ['msc:msc-ics', 'icscf:icscf', 'scscf:scscf', 'hss:hss', 'far:far-end']);
    assert.ok(started.endpoints.some((e) => e.node === 'hss' && e.url.startsWith('aaa://127.0.0.1:')));
    assert.ok(started.endpoints.every((e) => e.url.includes('127.0.0.1')), 'every listener on loopback');
    // The population's identities, as the model writes them (ims.imsiBase, implicitSet: 3).
    assert.equal(started.subscribers.length, 1);
    assert.equal(started.subscribers[0]!.imsi, '234150999999999');
    assert.equal(started.subscribers[0]!.impus.length, 3);
    assert.ok(started.subscribers[0]!.impus.some((u) => u.startsWith('sip:') && u.includes('3gppnetwork.org')), started.subscribers[0]!.impus.join(' '));

    // A second client sees the lab busy and cannot start another.
    const other = await lab(server.url);
    assert.equal((await other.next('hello')).running, true);
    other.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml' });
    assert.equal((await other.next('error')).code, 'E_LIMIT');
    other.ws.close();

    await c.next('trace', (e) => e.records.some((r) => r.kind === '200 REGISTER' && r.to === 'msc'));
    const lateness = await c.next('lateness');
    assert.ok(lateness.lateness.events > 0 && lateness.lateness.maxMs >= lateness.lateness.p99Ms && lateness.lateness.p99Ms >= lateness.lateness.p50Ms);
    c.send({ type: 'stop' });
    const done = await c.next('done');
    const traces = c.events.filter((e): e is Extract<EmulateEvent, { type: 'trace' }> => e.type === 'trace');
    const records = traces.flatMap((e) => e.records);
    assert.ok(records.length > traces.length, `records come in batches (${records.length} in ${traces.length} frames)`);
    assert.deepEqual(records.map((r) => r.seq), records.map((_, i) => i), 'every watched record once, in order');

    assert.equal(done.ended, 'stopped', 'stopped on request, long before its 20 s');
    assert.equal(done.summary.procedures['ics-registration']!.completed, 1);
    const names = done.outputs.map((f) => f.name);
    for (const f of ['summary.json', 'rules.json', 'trace.jsonl', 'trace.pcapng', 'arrivals.jsonl', 'emulation.json', 'metrics.csv']) assert.ok(names.includes(f) && existsSync(join(done.dir, f)), f);
    const summary = await fetch(new URL(done.files.slice(1) + 'summary.json', server.url));
    assert.equal(summary.status, 200);
    assert.equal(await summary.text(), readFileSync(join(done.dir, 'summary.json'), 'utf8'), 'the link serves the run directory file');
    const pcap = await fetch(new URL(done.files.slice(1) + 'trace.pcapng', server.url));
    assert.equal(Buffer.from(await pcap.arrayBuffer()).readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header block');
    for (const bad of ['nope.txt', '..%2Fmanifest.json', '%2E%2E']) assert.equal((await fetch(new URL(done.files.slice(1) + bad, server.url))).status, 404, bad);
    assert.equal((await fetch(new URL('api/emulations/unknowntoken/summary.json', server.url))).status, 404);

    // With --emulate-host 127.0.0.2 the dashboard may bind that address (and only when asked).
    c.send({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', duration: '1s', host: '127.0.0.2', set: { 'population.size': '2' } });
    const second = await c.next('started', (e) => e.host === '127.0.0.2');
    assert.ok(second.endpoints.every((e) => e.url.includes('127.0.0.2')), second.endpoints.map((e) => e.url).join(' '));
    assert.equal(second.subscribers.length, 2, 'the override population.size=2 applied');
    const done2 = await c.next('done', (e) => e.dir !== done.dir);
    assert.equal(done2.ended, 'duration');
    c.ws.close();
    for (const d of [done.dir, done2.dir]) rmSync(dirname(d), { recursive: true, force: true });
  } finally {
    await server.close();
  }
});

test('TraceBatcher: one batch per interval; records a congested page cannot take are counted, not queued', async () => {
  const out: { n: number; skipped: number }[] = [];
  let congested = false;
  const b = new TraceBatcher((r, s) => out.push({ n: r.length, skipped: s }), () => congested, 20);
  const rec = (seq: number) => ({ seq }) as TraceRecord;
  for (let i = 0; i < 5; i++) b.add(rec(i));
  assert.deepEqual(out, [], 'nothing before the interval');
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(out, [{ n: 5, skipped: 0 }]);
  congested = true;
  b.add(rec(5));
  b.add(rec(6));
  congested = false;
  b.add(rec(7));
  b.flush();
  assert.deepEqual(out[1], { n: 1, skipped: 2 });
  b.flush();
  assert.equal(out.length, 2, 'an empty flush sends nothing');
  b.close();
});
