import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startServer } from '../../sim/server/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('dashboard API: emulate/ scenarios are listed, one starts on /api/emulate (endpoints, live trace, lateness) and stops with its outputs written', async () => {
  const server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios') });
  try {
    const list = (await (await fetch(new URL('api/scenarios', server.url))).json()) as { path: string }[] | { groups: unknown };
    assert.ok(JSON.stringify(list).includes('emulate/ims-core-ics-detach.yaml'), 'the emulate/ scenarios are listed');

    const ws = new WebSocket(new URL('api/emulate', server.url.replace('http', 'ws')));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const events: any[] = [];
    await new Promise((res) => ws.once('open', res));
    const done = new Promise<void>((res) =>
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        events.push(m);
        if (m.type === 'trace' && m.rec.kind === '200 REGISTER' && m.rec.to === 'msc') ws.send(JSON.stringify({ type: 'stop' }));
        if (m.type === 'done' || (m.type === 'error' && m.code !== 'E_API')) res();
      }),
    );
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'start', scenario: '../../etc/x.yaml' }));
    ws.send(JSON.stringify({ type: 'start', scenario: 'emulate/ims-core-ics-detach.yaml', duration: '20s' }));
    await done;
    ws.close();
    const errors = events.filter((e) => e.type === 'error');
    assert.match(String(errors[0]?.message), /a command is a JSON object/);
    assert.match(String(errors[1]?.message), /outside the scenarios folder|does not exist/);
    const started = events.find((e) => e.type === 'started') as { endpoints: { node: string; url: string }[] };
    assert.ok(started.endpoints.some((e) => e.node === 'hss' && e.url.startsWith('aaa://127.0.0.1:')));
    assert.ok(events.some((e) => e.type === 'trace' && (e.rec as { kind: string }).kind === 'REGISTER'));
    const fin = events.find((e) => e.type === 'done') as { ended: string; dir: string; summary: { procedures: Record<string, { completed: number }> } };
    assert.equal(fin.ended, 'stopped', 'stopped on request, long before its 20 s');
    assert.equal(fin.summary.procedures['ics-registration'].completed, 1);
    for (const f of ['summary.json', 'rules.json', 'trace.pcapng', 'arrivals.jsonl', 'emulation.json']) assert.ok(existsSync(join(fin.dir, f)), f);
    rmSync(dirname(fin.dir), { recursive: true, force: true });
  } finally {
    await server.close();
  }
});
