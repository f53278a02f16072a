import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { StreamClient } from './stream-client.ts';
import { scratchScenarios } from './scratch-scenarios.ts';

/**
 * Issue 11 item 3 (server part): a run executes where a runaway cannot take the server down — a
 * worker thread with its own heap limit — and /api/health keeps answering, promptly, meanwhile.
 */
let tmp: string;
const servers: RunningServer[] = [];

before(() => {
  tmp = scratchScenarios('reglab-isolation-');
  const rr = readFileSync(join(tmp, 'scenarios/learn/request-response.yaml'), 'utf8');
  // A heavy run: 80 variants to validate (seconds of synchronous work before item 8's fix), then
  // 30,000 subscribers' requests.
  const variants = Array.from({ length: 80 }, (_, i) => `  v${i}: ["nodes.server.workers=${(i % 8) + 1}"]`).join('\n');
  const heavy = rr
    .replace('population: { size: 50 }', 'population: { size: 30000 }')
    .replace('duration: 10s', 'duration: 30s')
    .replace('window: 2s', 'window: 20s')
    .replace(/workers: 2\n/, 'workers: 64\n')
    .replace('perMessage: 4ms', 'perMessage: 1us');
  writeFileSync(join(tmp, 'scenarios/learn/heavy.yaml'), `${heavy}\nvariants:\n${variants}\n`);
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(tmp, { recursive: true, force: true });
});

function health(url: string): Promise<number> {
  const u = new URL('/api/health', url);
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? res(performance.now() - t0) : rej(new Error(`health ${r.statusCode}`))));
    });
    req.on('error', rej);
    req.end();
  });
}

/** Polls /api/health every 25 ms until `done` settles; returns the latencies seen. */
async function pollHealth(url: string, done: Promise<unknown>): Promise<number[]> {
  let over = false;
  void done.finally(() => (over = true));
  const lat: number[] = [];
  while (!over) {
    lat.push(await health(url));
    await new Promise((r) => setTimeout(r, 25));
  }
  return lat;
}

test('during a heavy run /api/health answers within 300 ms every time (the run is in its own thread), beyond what the host alone delays it', async () => {
  const server = await startServer({ port: 0, scenariosDir: join(tmp, 'scenarios') });
  servers.push(server);
  // The host's own delay first, with no run: on a loaded machine a check can wait for the CPU
  // whatever the server does. A run on the server's thread would add the run itself (seconds).
  const idle = await pollHealth(server.url, new Promise((r) => setTimeout(r, 1000)));
  const hostWorst = Math.max(...idle);
  const c = await StreamClient.open(server.url);
  try {
    c.send({ type: 'run', scenario: 'learn/heavy.yaml' });
    const end = c.waitForEnd(1);
    const lat = await pollHealth(server.url, end);
    const ev = await end;
    assert.equal(ev.type, 'finished', JSON.stringify(ev).slice(0, 300));
    assert.ok(lat.length >= 5, `only ${lat.length} health checks during the run`);
    const worst = Math.max(...lat);
    const bound = 300 + 3 * hostWorst;
    assert.ok(worst < bound, `worst /api/health latency during the run: ${worst.toFixed(0)} ms over ${lat.length} checks; bound ${bound.toFixed(0)} ms = 300 + 3 × the ${hostWorst.toFixed(0)} ms seen with no run`);
  } finally {
    await c.close();
  }
});

/** A server whose runs are the runaway worker (it allocates without end and never yields), under these limits. */
async function runawayServer(runLimits: NonNullable<Parameters<typeof startServer>[0]['runLimits']>): Promise<RunningServer> {
  const server = await startServer({
    port: 0,
    scenariosDir: join(tmp, 'scenarios'),
    runLimits,
    runWorkerEntry: new URL('../fixtures/workers/runaway-worker.mjs', import.meta.url),
  });
  servers.push(server);
  return server;
}

test('a run that exhausts its heap ends in E_LIMIT naming the limit; the server and other clients carry on', async () => {
  const server = await runawayServer({ heapMb: 64 });
  const c = await StreamClient.open(server.url);
  try {
    c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    const end = c.waitForEnd(1);
    const lat = await pollHealth(server.url, end);
    const ev = await end;
    assert.equal(ev.type, 'error');
    if (ev.type === 'error') {
      assert.equal(ev.code, 'E_LIMIT');
      assert.match(ev.message, /more than the 64 MB of memory the server gives one run/);
      assert.match(ev.message, /--run-heap-mb/);
    }
    assert.ok(lat.length >= 1 && Math.max(...lat) < 1000, `health latencies ${lat.map((x) => x.toFixed(0)).join(',')}`);
    assert.equal(await health(server.url).then(() => 'ok'), 'ok');
    // The same socket can run again (a fresh thread replaces the dead one).
    c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    assert.equal((await c.waitForEnd(2)).type, 'error');
  } finally {
    await c.close();
  }
});

test('a run that never yields is still cancelled at once: its thread is terminated', async () => {
  const server = await runawayServer({ heapMb: 4096 });
  const c = await StreamClient.open(server.url);
  try {
    c.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    await c.waitForCount('started', 1);
    c.send({ type: 'cancel' });
    const ev = await c.waitForEnd(1);
    assert.equal(ev.type, 'error');
    if (ev.type === 'error') assert.equal(ev.code, 'E_CANCELLED');
    assert.ok((await health(server.url)) < 1000);
  } finally {
    await c.close();
  }
});

test('runs beyond --max-runs at once are refused with E_LIMIT, not queued without bound', async () => {
  const server = await runawayServer({ heapMb: 4096, maxRuns: 1 });
  const a = await StreamClient.open(server.url);
  const b = await StreamClient.open(server.url);
  try {
    a.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    await a.waitForCount('started', 1);
    b.send({ type: 'run', scenario: 'learn/request-response.yaml' });
    const ev = await b.waitForEnd(1);
    assert.equal(ev.type, 'error');
    if (ev.type === 'error') {
      assert.equal(ev.code, 'E_LIMIT');
      assert.match(ev.message, /already runs 1 scenario\(s\).*--max-runs/);
    }
  } finally {
    await a.close();
    await b.close();
  }
});
