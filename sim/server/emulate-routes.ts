/**
 * The emulation lab from the dashboard (docs/emulation.md): a WebSocket at /api/emulate on which a
 * client starts one emulate/ scenario, watches it (endpoints, the live trace of real traffic with
 * external peers as their own lanes, the lateness gauge once a second) and stops it; stopping (or
 * the end of the duration) writes the outputs to a run directory and sends the summary.
 *
 *   → { type: 'start', scenario: 'emulate/….yaml', duration?: '10s', timeScale?: 1 }
 *   ← { type: 'started', scenario, endpoints: [{ node, proto, url }] }
 *   ← { type: 'trace', rec }                    watched messages, as they happen
 *   ← { type: 'lateness', lateness, wire }      once a second
 *   → { type: 'stop' }
 *   ← { type: 'done', ended, dir, summary, lateness, wire }
 *   ← { type: 'error', code, message }
 *
 * Listeners bind 127.0.0.1 only: the dashboard never opens an emulation to the network (that takes
 * `reglab emulate --host`, on the command line, with its warning). One emulation per server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { parseDuration } from '../scenario/units.ts';
import { runOutput, writeRunDir } from '../observe/export.ts';
import { runManifest } from '../scenario/job.ts';
import { runEmulation } from '../emulate/emulate.ts';
import { EmulateError } from '../emulate/wire-network.ts';
import { resolveScenarioPath } from './scenarios.ts';
import { API_ERRORS, ApiError } from './errors.ts';

export const EMULATE_STREAM_PATH = '/api/emulate';

/** The server's one emulation (the sockets are real: two would compete for ports and the CPU). */
let running: { abort: AbortController; ws: WebSocket } | undefined;

export function attachEmulateSocket(ws: WebSocket, scenariosDir: string, log: (line: string) => void): void {
  const send = (m: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const fail = (code: string, message: string) => send({ type: 'error', code, message });
  ws.on('message', (data) => {
    let cmd: { type?: unknown; scenario?: unknown; duration?: unknown; timeScale?: unknown };
    try {
      cmd = JSON.parse(data.toString());
    } catch {
      return fail(API_ERRORS.E_API, 'a command is a JSON object, e.g. {"type":"start","scenario":"emulate/ims-core-ics-detach.yaml"}');
    }
    if (cmd?.type === 'stop') {
      if (running?.ws === ws) running.abort.abort();
      else fail(API_ERRORS.E_API, 'stop: no emulation of this connection is running');
      return;
    }
    if (cmd?.type !== 'start') return fail(API_ERRORS.E_API, `type: ${JSON.stringify(cmd?.type)} — use 'start' or 'stop'`);
    if (running) return fail(API_ERRORS.E_LIMIT, 'an emulation is already running on this server: stop it first');
    void start(cmd).catch((e: unknown) => {
      running = undefined;
      if (e instanceof ApiError) fail(e.code, e.message);
      else if (e instanceof ScenarioError) fail(e.code, e.message);
      else if (e instanceof EmulateError) fail(e.code, e.message);
      else {
        log(`emulation failed: ${(e as Error).stack ?? e}`);
        fail(API_ERRORS.E_RUN, (e as Error).message);
      }
    });
  });
  ws.on('close', () => {
    if (running?.ws === ws) running.abort.abort();
  });

  async function start(cmd: { scenario?: unknown; duration?: unknown; timeScale?: unknown }): Promise<void> {
    if (typeof cmd.scenario !== 'string') throw new ApiError(API_ERRORS.E_API, "scenario: missing — give a path from GET /api/scenarios, e.g. 'emulate/ims-core-ics-detach.yaml'");
    const durationNs = cmd.duration === undefined ? undefined : parseDuration(cmd.duration);
    if (cmd.duration !== undefined && durationNs === undefined) throw new ApiError(API_ERRORS.E_API, `duration: ${JSON.stringify(cmd.duration)} is not a duration such as '30s'`);
    const timeScale = cmd.timeScale === undefined ? 1 : Number(cmd.timeScale);
    if (!(timeScale > 0 && timeScale <= 100)) throw new ApiError(API_ERRORS.E_API, `timeScale: ${JSON.stringify(cmd.timeScale)} must be a number in (0, 100]`);
    const file = await resolveScenarioPath(scenariosDir, cmd.scenario);
    const sc = loadScenarioFile(file);
    const abort = new AbortController();
    running = { abort, ws };
    const r = await runEmulation(sc, {
      host: '127.0.0.1',
      durationNs,
      timeScale,
      signal: abort.signal,
      onStarted: (endpoints) => send({ type: 'started', scenario: cmd.scenario, endpoints }),
      onTrace: (rec) => send({ type: 'trace', rec }),
      onLateness: (lateness) => send({ type: 'lateness', lateness }),
    });
    running = undefined;
    const dir = join(mkdtempSync(join(tmpdir(), 'reglab-emulate-')), 'run');
    await writeRunDir(dir, runOutput(r, { ...runManifest(sc.name, sc.file, sc.seed, sc.sets), emulate: { host: '127.0.0.1', timeScale } }));
    send({ type: 'done', ended: r.ended, error: r.error, dir, summary: r.summary, lateness: r.lateness, wire: r.wire });
  }
}
