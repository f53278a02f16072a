/**
 * `reglab serve`: the dashboard (web/dist) and its API (api-types.ts) on one HTTP server.
 *
 *   GET /api/health      → { ok: true, version }
 *   GET /api/scenarios   → ScenarioInfo[]
 *   GET /api/queue       → distributed campaigns' progress (with --queue; queue-route.ts)
 *   WS  /api/stream      → RunSession (one run at a time per socket, each in a worker thread)
 *   WS  /api/emulate     → the emulation lab: start / watch / stop one emulate/ scenario (emulate-routes.ts)
 *   GET /api/emulations/… → a finished emulation's run directory files (emulate-files.ts)
 *   GET /api/runs/…      → a finished run's files (run-files.ts)
 *   GET /…               → web/dist, read-only; anything else 404
 *
 * Binds 127.0.0.1 unless told otherwise (DESIGN: never 0.0.0.0 unless asked): the API runs
 * simulations on request, so it is not offered to the network by default.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { listScenarios } from './scenarios.ts';
import { RunFiles } from './run-files.ts';
import { RunSession } from './run-session.ts';
import { serveStatic } from './static-files.ts';
import { attachCampaignSocket, CAMPAIGN_STREAM_PATH, handleCampaignHttp } from './campaign-routes.ts';
import { attachEmulateSocket, EMULATE_STREAM_PATH } from './emulate-routes.ts';
import { EmulationFiles, EMULATION_FILES_PATH } from './emulate-files.ts';
import { buildWebIfNeeded, WEB_DIR } from './web-build.ts';
import { handleQueueHttp } from './queue-route.ts';
import { QueueMonitor } from '../campaign/queue-monitor.ts';
import { defaultRunLimits, RunWorkers, type RunLimits } from './run-workers.ts';
import { allowedHostNames, hostAllowed } from './host-check.ts';

export interface ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port (the returned url has it). */
  port?: number;
  scenariosDir: string;
  /** Build web/dist first if it is missing or older than its sources. */
  buildIfNeeded?: boolean;
  log?: (line: string) => void;
  /** The built dashboard to serve; default web/dist of this checkout (tests point it elsewhere). */
  webDist?: string;
  /** Heap of one run's worker thread and runs at once (default: defaultRunLimits()). */
  runLimits?: Partial<RunLimits>;
  /** The run worker's entry module (tests substitute a runaway one); default run-worker.mjs. */
  runWorkerEntry?: URL;
  /** A Redis whose distributed campaigns GET /api/queue reports (`reglab serve --queue`). */
  queue?: string;
  /** Host names (besides localhost, IP literals and `host`) the server answers to: --allow-host. */
  allowHosts?: string[];
  /** The folder files a scenario references must lie in; default the scenarios folder. */
  dataDir?: string;
  /**
   * Addresses besides 127.0.0.1 the dashboard may start an emulation on (`--emulate-host`): without
   * one, every emulation it starts listens on loopback only.
   */
  emulateHosts?: string[];
  /** When `port` is in use, try this many next ports before giving up (npm start's default port). */
  portFallback?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Largest command frame accepted; a run command is a few hundred bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

const VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  const log = opts.log ?? (() => {});
  const scenariosDir = resolve(opts.scenariosDir);
  const distDir = resolve(opts.webDist ?? join(WEB_DIR, 'dist'));
  if (!statSync(scenariosDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw Object.assign(new Error(`the scenarios folder ${scenariosDir} does not exist (or is not a folder) — name one with --scenarios DIR`), { code: 'E_USAGE' });
  }
  if (opts.buildIfNeeded) await buildWebIfNeeded({ log });
  // An unreachable queue fails the start (E_QUEUE, within 5 s), before anything listens.
  const queue = opts.queue !== undefined ? await QueueMonitor.connect(opts.queue) : undefined;
  const workers = new RunWorkers({ ...defaultRunLimits(), ...opts.runLimits }, opts.runWorkerEntry);
  const hosts = allowedHostNames(host, opts.allowHosts);
  const load = { dataDir: resolve(opts.dataDir ?? scenariosDir) };

  const runFiles = new RunFiles();
  const emulationFiles = new EmulationFiles();
  const http = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, hosts)) {
      refuseHost(res, req.headers.host);
      return;
    }
    handleHttp(req, res, { scenariosDir, distDir, log, runFiles, emulationFiles, queue, dataDir: load.dataDir }).catch((e: unknown) => {
      log(`http ${req.method} ${req.url} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (!hostAllowed(req.headers.host, hosts)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (path === CAMPAIGN_STREAM_PATH && sameOrigin(req)) {
      wss.handleUpgrade(req, socket, head, (ws) => attachCampaignSocket(ws, { scenariosDir, log, heapMb: workers.limits.heapMb, dataDir: load.dataDir }));
      return;
    }
    if (path === EMULATE_STREAM_PATH && sameOrigin(req)) {
      wss.handleUpgrade(req, socket, head, (ws) => attachEmulateSocket(ws, { scenariosDir, log, extraHosts: opts.emulateHosts ?? [], files: emulationFiles, dataDir: load.dataDir }));
      return;
    }
    if (path !== '/api/stream' || !sameOrigin(req)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new RunSession(ws, scenariosDir, log, workers, load);
      session.files = runFiles;
      // Binary frames are read as UTF-8 too: JSON is JSON, and anything else fails as E_API.
      ws.on('message', (data) => session.handle(data.toString()));
      ws.on('close', () => session.close());
      ws.on('error', (e) => log(`websocket error: ${e.message}`));
    });
  });

  try {
    await listen(http, host, port, opts.portFallback ?? 0, log);
  } catch (e) {
    await Promise.all([workers.close(), queue?.close()]);
    throw e;
  }
  const addr = http.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/`;

  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => void Promise.all([workers.close(), queue?.close()]).then(() => done()));
        http.closeAllConnections();
      }),
  };
}

/** Listens on port, or (portFallback > 0) on the next free one, said in the log; EADDRINUSE → E_PORT. */
async function listen(http: ReturnType<typeof createServer>, host: string, port: number, fallback: number, log: (line: string) => void): Promise<void> {
  for (let p = port; ; p++) {
    try {
      await new Promise<void>((done, fail) => {
        http.once('error', fail);
        http.listen(p, host, () => {
          http.off('error', fail);
          done();
        });
      });
      if (p !== port) log(`port ${port} is in use; listening on ${p} instead`);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && port !== 0 && p < port + fallback && p < 65535) continue;
      const why = code === 'EADDRINUSE' ? `port ${port} on ${host} is in use${fallback ? ` (and the next ${fallback})` : ''}` : code === 'EACCES' ? `port ${p} on ${host} needs privileges` : code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` : (e as Error).message;
      throw Object.assign(new Error(`${why} — choose another with --port N (--port 0 picks any free port)`), { code: 'E_PORT' });
    }
  }
}

function refuseHost(res: ServerResponse, host: string | undefined): void {
  res
    .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' })
    .end(`Host '${String(host ?? '').slice(0, 100)}' is not a name of this server (DNS rebinding defence). Use http://127.0.0.1, or start it with --allow-host NAME.\n`);
}

async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { scenariosDir: string; distDir: string; log: (line: string) => void; runFiles: RunFiles; emulationFiles: EmulationFiles; queue?: QueueMonitor; dataDir: string },
): Promise<void> {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  if (rawPath === '/api/health') {
    sendJson(res, 200, { ok: true, version: VERSION });
    return;
  }
  if (rawPath === '/api/scenarios') {
    sendJson(res, 200, await listScenarios(ctx.scenariosDir));
    return;
  }
  if (rawPath.startsWith('/api/runs/') && ctx.runFiles.serve(rawPath, res, req.method === 'HEAD')) return;
  if (rawPath.startsWith(EMULATION_FILES_PATH) && ctx.emulationFiles.serve(rawPath, res, req.method === 'HEAD')) return;
  if (await handleCampaignHttp(req, res, ctx)) return;
  if (await handleQueueHttp(req, res, ctx.queue)) return;
  if (rawPath.startsWith('/api/')) {
    sendJson(res, 404, { error: `no such endpoint: ${rawPath}; see GET /api/health, GET /api/scenarios, WS /api/stream` });
    return;
  }
  const result = await serveStatic(ctx.distDir, rawPath, req, res);
  if (result === 'served') return;
  if (result === 'bad-request') {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('bad request path\n');
    return;
  }
  if (rawPath === '/' || rawPath === '/index.html') {
    // No dashboard build: say how to get one rather than a bare 404.
    res
      .writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end('The dashboard is not built. Run `npm start` (builds it if needed) or `npm run build:web`.\n');
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * A browser always sends Origin on a WebSocket handshake; refuse pages from other origins, so a web
 * page the user happens to visit cannot drive the local simulator. Non-browser clients send none.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
