import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import { StreamClient } from './stream-client.ts';
import { scratchScenarios } from './scratch-scenarios.ts';

/** Issue 11 items 1, 2, 4, 12: what a hostile web page or a busy port did to the dashboard server. */
let tmp: string;
let server: RunningServer;
let port: string;

before(async () => {
  tmp = scratchScenarios('reglab-hostile-');
  writeFileSync(join(tmp, 'secret.csv'), '0,1\nTOP-SECRET,2\n');
  server = await startServer({ port: 0, scenariosDir: join(tmp, 'scenarios') });
  port = new URL(server.url).port;
});

after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}, url = server.url): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (body += c));
      r.on('end', () => res({ status: r.statusCode!, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

async function runOnce(c: StreamClient, runId: number, set?: Record<string, string>) {
  c.send({ type: 'run', scenario: 'learn/request-response.yaml', ...(set ? { set } : {}) });
  return c.waitForEnd(runId);
}

test('item 1: a run command whose set reaches __proto__ is refused naming the field; every client keeps working', async () => {
  const a = await StreamClient.open(server.url);
  const b = await StreamClient.open(server.url);
  try {
    const paths = ['__proto__.polluted', 'constructor.prototype.polluted', 'nodes[0].__proto__.polluted'];
    for (const [i, path] of paths.entries()) {
      const ev = await runOnce(a, i + 1, { [path]: '1' });
      assert.equal(ev.type, 'error');
      if (ev.type === 'error') {
        assert.equal(ev.code, 'E_SCENARIO');
        assert.match(ev.problems!.join('\n'), /is not a scenario field — overrides address the scenario's own fields only/);
      }
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // Both sockets still run scenarios (before: every command was refused with 'polluted: unknown field').
    assert.equal((await runOnce(a, paths.length + 1)).type, 'finished');
    assert.equal((await runOnce(b, 1)).type, 'finished');
  } finally {
    await a.close();
    await b.close();
  }
});

test('item 2: a set pointing a CSV replay at a local file or /dev/zero is refused at once, echoing nothing of the file', async () => {
  const c = await StreamClient.open(server.url);
  try {
    const files = ['/etc/passwd', join(tmp, 'secret.csv'), '../../secret.csv', '/dev/zero'];
    for (const [i, file] of files.entries()) {
      const t0 = performance.now();
      const ev = await runOnce(c, i + 1, { 'workload[0].pattern': `{kind: csv, file: ${file}}` });
      assert.ok(performance.now() - t0 < 5000, `${file}: ${performance.now() - t0} ms`);
      assert.equal(ev.type, 'error', file);
      if (ev.type !== 'error') continue;
      assert.equal(ev.code, 'E_SCENARIO');
      const text = `${ev.message}\n${ev.problems!.join('\n')}`;
      assert.match(text, /workload\[0\]\.pattern\.file: .* is outside .*, the folder referenced files must lie in/, file);
      assert.doesNotMatch(text, /TOP-SECRET|root:x/, file);
    }
    assert.equal((await get('/api/health')).status, 200);
  } finally {
    await c.close();
  }
});

test('item 4: DNS rebinding — a Host that is not this server is refused over HTTP and WebSocket, even with a matching Origin', async () => {
  const evil = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` };
  const r = await get('/api/health', evil);
  assert.equal(r.status, 403);
  assert.match(r.body, /not a name of this server .* --allow-host/);
  assert.equal((await get('/api/scenarios', { Host: `evil.example:${port}` })).status, 403);
  await assert.rejects(StreamClient.open(server.url, evil), /upgrade refused: 403/);
  // Its own names are fine.
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `LOCALHOST:${port}`]) {
    assert.equal((await get('/api/health', { Host: host })).status, 200, host);
  }
  const ok = await StreamClient.open(server.url, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
  await ok.close();
});

test('item 4: --allow-host names an extra host the operator reaches the server by', async () => {
  const s = await startServer({ port: 0, scenariosDir: join(tmp, 'scenarios'), allowHosts: ['lab.example'] });
  try {
    const p = new URL(s.url).port;
    assert.equal((await get('/api/health', { Host: `lab.example:${p}` }, s.url)).status, 200);
    assert.equal((await get('/api/health', { Host: `other.example:${p}` }, s.url)).status, 403);
  } finally {
    await s.close();
  }
});

test('item 12: a busy port is a one-line E_PORT naming --port; with a fallback the next free port is used and logged', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const busy = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(
      startServer({ port: busy, scenariosDir: join(tmp, 'scenarios') }),
      (e: Error & { code?: string }) => e.code === 'E_PORT' && new RegExp(`^port ${busy} on 127\\.0\\.0\\.1 is in use — choose another with --port N`).test(e.message),
    );
    const logs: string[] = [];
    const s = await startServer({ port: busy, portFallback: 20, scenariosDir: join(tmp, 'scenarios'), log: (l) => logs.push(l) });
    try {
      assert.notEqual(new URL(s.url).port, String(busy));
      assert.ok(logs.some((l) => l.startsWith(`port ${busy} is in use; listening on `)), logs.join('\n'));
    } finally {
      await s.close();
    }
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});
