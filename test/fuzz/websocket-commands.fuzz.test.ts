import { after, before, test } from 'node:test';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { MAX_FRAME_BYTES, startServer, type RunningServer } from '../../sim/server/server.ts';
import type { RunEvent } from '../../sim/server/api-types.ts';
import { StreamClient } from '../server/stream-client.ts';
import { scratchScenarios } from '../server/scratch-scenarios.ts';
import { mutateJson, mutateText, pick, runFuzz } from './fuzz-kit.ts';

/**
 * WS /api/stream under mutated commands (issue 11 fuzz suite): every frame is answered with
 * well-formed events whose error codes are the API's (never E_RUN, the code of a crash), each
 * within its time bound; afterwards the server still answers /api/health and runs a scenario.
 *
 * Each case sends its frame and then a sentinel ({"type":"sentinel-N"}): the sentinel's E_API error
 * closes the case, so everything between is the case's answer, whatever it is.
 */
let tmp: string;
let server: RunningServer;
let client: StreamClient;

before(async () => {
  tmp = scratchScenarios('reglab-wsfuzz-');
  server = await startServer({ port: 0, scenariosDir: join(tmp, 'scenarios') });
  client = await StreamClient.open(server.url);
});

after(async () => {
  await client?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const VALID: unknown[] = [
  { type: 'run', scenario: 'learn/request-response.yaml' },
  { type: 'run', scenario: 'learn/request-response.yaml', seed: 3, set: { 'population.size': '10', 'observe.watch.first': '2' } },
  { type: 'run', scenario: 'learn/request-response.yaml', set: { 'workload[0].pattern': '{kind: csv, file: /etc/passwd}' } },
  { type: 'cancel' },
];
const KEYS = ['type', 'scenario', 'seed', 'set', 'run', 'cancel', '__proto__.polluted', 'observe.interval', 'nodes[0].workers'];
const VALUES = ['run', 'cancel', 'learn/request-response.yaml', '../../etc/passwd', '/dev/zero', 'learn/../../x.yaml', '0', '1ns', '{every: 1}', 1e9];
const CODES = new Set(['E_API', 'E_SCENARIO', 'E_CANCELLED', 'E_LIMIT']);
const TYPES = new Set(['started', 'trace', 'sample', 'progress', 'finished', 'error']);

let sentinels = 0;

test('fuzz: WS /api/stream answers every mutated command with well-formed events and API error codes', async () => {
  await runFuzz<string>({
    name: 'websocket-commands',
    cases: 60,
    timeBoundMs: 3_000,
    generate: (rng) => {
      const base = pick(rng, VALID);
      if (rng.chance(0.25)) return mutateText(rng, JSON.stringify(base), { maxLength: 60_000 });
      return JSON.stringify(mutateJson(rng, base, { keys: KEYS, values: VALUES })) ?? 'null';
    },
    check: async (frame) => {
      if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) {
        // Above the server's frame limit the WebSocket layer closes with 1009 Message Too Big
        // (RFC 6455 §7.4.1) before any command is read: a protocol answer; the next case reconnects.
        const closed = new Promise<number>((res) => client.ws.once('close', (code: number) => res(code)));
        client.send(frame);
        const code = await Promise.race([closed, new Promise<number>((res) => setTimeout(() => res(-1), 3_000))]);
        if (code !== 1009) throw new Error(`a ${Buffer.byteLength(frame)}-byte frame: expected close 1009, got ${code === -1 ? 'no close' : code}`);
        client = await StreamClient.open(server.url);
        return;
      }
      const from = client.events.length;
      client.send(frame);
      const mark = `sentinel-${++sentinels}`;
      client.send(JSON.stringify({ type: mark }));
      const isMark = (e: RunEvent) => e.type === 'error' && e.message.includes(`"${mark}"`);
      await client.waitFor((evs) => evs.slice(from).some(isMark), mark, 3_000);
      for (const ev of client.events.slice(from)) check(ev);
    },
  });
  // Stop whatever the last case started, then prove the server is whole.
  client.send({ type: 'cancel' });
  const health = await new Promise<number>((res, rej) => {
    const u = new URL('/api/health', server.url);
    request({ host: u.hostname, port: u.port, path: u.pathname }, (r) => (r.resume(), res(r.statusCode!))).on('error', rej).end();
  });
  if (health !== 200) throw new Error(`health ${health}`);
  const c = await StreamClient.open(server.url);
  try {
    c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    const end = await c.waitForEnd(1);
    if (end.type !== 'finished') throw new Error(`a run after the fuzz: ${JSON.stringify(end)}`);
    if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype polluted');
  } finally {
    await c.close();
  }
});

function check(ev: RunEvent): void {
  if (!TYPES.has(ev.type)) throw new Error(`unknown event type ${JSON.stringify(ev).slice(0, 200)}`);
  if (ev.type === 'error') {
    if (!CODES.has(ev.code)) throw new Error(`error code ${ev.code}: ${ev.message}`);
    if (typeof ev.message !== 'string' || ev.message.length === 0 || ev.message.length > 2_000) throw new Error(`error message: ${String(ev.message).slice(0, 200)}`);
    if (/\n\s+at /.test(ev.message)) throw new Error(`a stack trace in ${ev.message.slice(0, 300)}`);
    if (/root:x|TOP-SECRET/.test(`${ev.message}${(ev.problems ?? []).join('')}`)) throw new Error('file content echoed');
  }
}
