import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/msgin5g-server.yaml');
const scenario = () => loadScenarioFile(FILE, { set: ['duration=3500ms', 'nodes[1].queueLimit=20'] });

/** Writes on one keep-alive connection; resolves with every response read (split on the status line) once `n` arrived or 2 s passed. */
function exchange(port: number, data: string, n: number): Promise<{ responses: string[]; closed: boolean }> {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const split = () => text.split(/(?=HTTP\/1\.1 \d\d\d )/).filter((x) => x.length > 0);
    const done = () => (clearTimeout(t), s.destroy(), res({ responses: split(), closed }));
    const t = setTimeout(done, 2000);
    s.on('data', (d) => {
      text += d.toString('utf8');
      if (split().length >= n && /\r\n\r\n/.test(split()[n - 1] ?? '')) setTimeout(done, 50);
    });
    s.on('end', () => ((closed = true), done()));
    s.on('error', () => done());
    s.write(data);
  });
}

const post = (body: string, path = '/reglab-msgin5g/v1/registrations') =>
  `POST ${path} HTTP/1.1\r\nHost: server\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

test('MSGin5G over real HTTP/1.1: the gateway’s bulk procedures pass as in simulation; malformed JSON, garbage and oversize get 400/413, a flood 503, on keep-alive connections, and the server keeps serving', async () => {
  let probes: Promise<Record<string, { responses: string[]; closed: boolean }>> | undefined;
  const r = await runEmulation(scenario(), {
    onStarted: (eps) => {
      const port = Number(/:(\d+)\//.exec(eps.find((e) => e.proto === 'http')!.url)![1]);
      probes = (async () => ({
        json: await exchange(port, post('{"ueServiceId": ') + post('{"a":', '/reglab-msgin5g/v1/registrations'), 2),
        garbage: await exchange(port, '\x00\x01garbage\r\n\r\n', 1),
        oversize: await exchange(port, 'POST /reglab-msgin5g/v1/registrations HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n', 1),
        // After the gateway's deregistration (at 1 s), so the flood meets only itself at the queue limit (20).
        flood: await new Promise<void>((r) => setTimeout(r, 1300)).then(() => exchange(port, post('{').repeat(400), 400)),
      }))();
    },
  });
  const p = await probes!;
  // Two malformed bodies on one connection: two problem answers, in order, the connection kept open.
  assert.equal(p.json.responses.length, 2);
  for (const x of p.json.responses) assert.match(x, /^HTTP\/1\.1 400 [\s\S]*application\/problem\+json[\s\S]*"status":400/);
  assert.equal(p.json.closed, false);
  assert.match(p.garbage.responses[0] ?? '', /^HTTP\/1\.1 400 /);
  assert.match(p.oversize.responses[0] ?? '', /^HTTP\/1\.1 413 /);
  assert.ok(p.oversize.closed, 'a request that cannot be framed closes its connection');
  // The flood meets the queue limit (20 here): some requests get 503, the rest their 400.
  const codes = p.flood.responses.map((x) => Number(x.slice(9, 12)));
  assert.ok(codes.includes(503), `flood answers: ${[...new Set(codes)].join(',')}`);
  assert.ok(codes.every((c) => c === 503 || c === 400));
  // Meanwhile the gateway's own procedures went through, with the verdicts of the simulation.
  const sim = await runScenario(scenario());
  assert.deepEqual(r.rules.map((x) => `${x.id}:${x.status}`), sim.rules.map((x) => `${x.id}:${x.status}`), JSON.stringify(r.rules.filter((x) => x.status === "failed")));
  assert.equal(r.summary.procedures['msgin5g-registration'].completed, 5);
  assert.equal(r.summary.procedures['msgin5g-deregistration'].completed, 5);
  assert.ok(r.wire.rejected >= 4, JSON.stringify(r.wire));
});
