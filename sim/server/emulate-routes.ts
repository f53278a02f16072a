/**
 * The emulation lab from the dashboard (docs/emulation.md, docs/dashboard.md): a WebSocket at
 * /api/emulate on which a client starts one emulate/ scenario, watches it (endpoints, the live trace
 * of real traffic with external peers as their own lanes, the lateness gauge once a second) and
 * stops it; stopping (or the end of the duration) writes the outputs to a run directory, whose files
 * the server then serves (emulate-files.ts). The protocol is emulate-types.ts.
 *
 * Listeners bind 127.0.0.1 unless the server was started with `--emulate-host ADDR` and the start
 * command names that address: the dashboard never opens an emulation to the network on its own.
 * One emulation per server (the sockets are real: two would compete for ports and the CPU).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { parseDuration } from '../scenario/units.ts';
import { runOutput, writeRunDir } from '../observe/export.ts';
import { runManifest } from '../scenario/job.ts';
import type { TraceRecord } from '../observe/records.ts';
import type { EmulateSection } from '../scenario/types/emulate.ts';
import { runEmulation } from '../emulate/emulate.ts';
import { EmulateError } from '../emulate/wire-network.ts';
import { resolveScenarioPath } from './scenarios.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import type { EmulationFiles } from './emulate-files.ts';
import type { EmulateCommand, EmulateEvent, EmulateNodeInfo, EmulateSubscriber } from './emulate-types.ts';
import type { Scenario } from '../scenario/load.ts';
import { imsConfigOf } from '../scenario/types/ims.ts';
import { Identities } from '../ims/identities.ts';

export const EMULATE_STREAM_PATH = '/api/emulate';

/** The address every emulation binds unless the server allows more (`reglab serve --emulate-host`). */
export const EMULATE_DEFAULT_HOST = '127.0.0.1';

/** Subscribers whose identities the started event lists (a joining client picks one). */
export const EMULATE_SUBSCRIBERS_SHOWN = 8;

/** Trace records go out in batches this often (a busy lab makes thousands a second). */
const TRACE_FLUSH_MS = 100;
/** Beyond this many bytes queued for a slow page, records are counted as skipped, not queued. */
const MAX_BUFFERED_BYTES = 8 << 20;

export interface EmulateRouteOptions {
  scenariosDir: string;
  log(line: string): void;
  /** Addresses besides 127.0.0.1 an emulation may bind (the server's --emulate-host). */
  extraHosts: readonly string[];
  files: EmulationFiles;
  /** The folder a scenario's referenced files (CSV replays) must lie in: `reglab serve --data-dir`, as for runs and campaigns. */
  dataDir?: string;
}

/** The server's one emulation. */
let running: { abort: AbortController; ws: WebSocket } | undefined;

export function attachEmulateSocket(ws: WebSocket, o: EmulateRouteOptions): void {
  const hosts = [EMULATE_DEFAULT_HOST, ...o.extraHosts.filter((h) => h !== EMULATE_DEFAULT_HOST)];
  const send = (m: EmulateEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const fail = (code: string, message: string) => send({ type: 'error', code, message });
  send({ type: 'hello', hosts, running: running !== undefined });
  ws.on('message', (data) => {
    let cmd: Partial<Record<keyof Extract<EmulateCommand, { type: 'start' }>, unknown>>;
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
    const abort = new AbortController();
    running = { abort, ws };
    void start(cmd, abort)
      .catch((e: unknown) => {
        if (e instanceof ApiError || e instanceof ScenarioError || e instanceof EmulateError) fail(e.code, e.message);
        else {
          o.log(`emulation failed: ${(e as Error).stack ?? e}`);
          fail(API_ERRORS.E_RUN, (e as Error).message);
        }
      })
      .finally(() => {
        if (running?.abort === abort) running = undefined;
      });
  });
  ws.on('close', () => {
    if (running?.ws === ws) running.abort.abort();
  });

  async function start(cmd: Partial<Record<string, unknown>>, abort: AbortController): Promise<void> {
    if (typeof cmd.scenario !== 'string') throw new ApiError(API_ERRORS.E_API, "scenario: missing — give a path from GET /api/scenarios, e.g. 'emulate/ims-core-ics-detach.yaml'");
    const durationNs = cmd.duration === undefined ? undefined : parseDuration(cmd.duration);
    if (cmd.duration !== undefined && durationNs === undefined) throw new ApiError(API_ERRORS.E_API, `duration: ${JSON.stringify(cmd.duration)} is not a duration such as '30s'`);
    const timeScale = cmd.timeScale === undefined ? 1 : Number(cmd.timeScale);
    if (!(timeScale > 0 && timeScale <= 100)) throw new ApiError(API_ERRORS.E_API, `timeScale: ${JSON.stringify(cmd.timeScale)} must be a number in (0, 100]`);
    const host = cmd.host === undefined ? EMULATE_DEFAULT_HOST : cmd.host;
    if (typeof host !== 'string' || !hosts.includes(host)) {
      const shown = JSON.stringify(typeof host === 'string' ? host.slice(0, 100) : host);
      throw new ApiError(
        API_ERRORS.E_API,
        `host: ${shown} is not allowed — this server lets the dashboard bind ${hosts.join(', ')}; to open an emulation to a network, start the server with \`reglab serve --emulate-host ADDR\` (anyone who can reach ADDR can then talk to the nodes)`,
      );
    }
    const file = await resolveScenarioPath(o.scenariosDir, cmd.scenario);
    const sc = loadScenarioFile(file, { set: overrides(cmd.set), ...(o.dataDir ? { dataDir: o.dataDir } : {}) });
    const section = (sc.doc as { emulate?: EmulateSection }).emulate;
    const nodes: EmulateNodeInfo[] = sc.doc.nodes.map((n) => {
      const external = section?.nodes[n.id]?.external?.address;
      return external ? { id: n.id, type: n.type, external } : { id: n.id, type: n.type };
    });
    if (host !== EMULATE_DEFAULT_HOST) o.log(`warning: the dashboard's emulation of ${cmd.scenario} listens on ${host}: anyone who can reach it can talk to the nodes`);

    const batch = new TraceBatcher((records, skipped) => send({ type: 'trace', records, ...(skipped ? { skipped } : {}) }), () => ws.bufferedAmount > MAX_BUFFERED_BYTES);
    let r: Awaited<ReturnType<typeof runEmulation>>;
    try {
      r = await runEmulation(sc, {
        host,
        durationNs,
        timeScale,
        signal: abort.signal,
        onStarted: (endpoints) =>
          send({ type: 'started', scenario: cmd.scenario as string, description: sc.description, host, timeScale, durationNs: durationNs ?? sc.duration, nodes, endpoints, subscribers: imsSubscribers(sc) }),
        onTrace: (rec) => batch.add(rec),
        onLateness: (lateness) => send({ type: 'lateness', lateness }),
      });
    } finally {
      batch.flush();
      batch.close();
    }
    const dir = join(mkdtempSync(join(tmpdir(), 'reglab-emulate-')), 'run');
    await writeRunDir(dir, runOutput(r, { ...runManifest(sc.name, sc.file, sc.seed, sc.sets), emulate: { host, timeScale } }));
    const kept = o.files.put(dir);
    send({ type: 'done', ended: r.ended, error: r.error, dir, files: kept.path, outputs: kept.outputs, summary: r.summary, rules: r.rules, lateness: r.lateness, wire: r.wire });
  }
}

/** The start command's `set` (path → value, as `reglab emulate --set path=value`) as the loader's strings. */
function overrides(set: unknown): string[] | undefined {
  if (set === undefined) return undefined;
  if (typeof set !== 'object' || set === null || Array.isArray(set)) throw new ApiError(API_ERRORS.E_API, 'set: must be an object of parameter path → value strings, e.g. {"duration":"30s"}');
  const entries = Object.entries(set);
  if (entries.length > 64) throw new ApiError(API_ERRORS.E_API, `set: ${entries.length} overrides — at most 64`);
  return entries.map(([k, v]) => {
    if (typeof v !== 'string' || k === '') throw new ApiError(API_ERRORS.E_API, `set.${k.slice(0, 80)}: must be a string value (as on the command line's --set path=value)`);
    return `${k}=${v}`;
  });
}

/** The first subscribers' identities of an IMS scenario (none for other domains). */
export function imsSubscribers(sc: Scenario): EmulateSubscriber[] {
  const section = (sc.doc as Record<string, unknown>).ims;
  if (section === undefined && !sc.doc.nodes.some((n) => ['msc-ics', 'icscf', 'scscf', 'hss'].includes(n.type))) return [];
  const population = sc.doc.population.size;
  const ids = new Identities(imsConfigOf(section), population);
  const out: EmulateSubscriber[] = [];
  for (let sub = 0; sub < Math.min(population, EMULATE_SUBSCRIBERS_SHOWN); sub++) out.push({ subscriber: sub, imsi: ids.imsi(sub), impus: ids.implicitSetOf(sub) });
  return out;
}

/**
 * Collects trace records and hands them over every TRACE_FLUSH_MS; while the page is behind
 * (`congested`), records are counted and reported as skipped rather than queued without bound.
 */
export class TraceBatcher {
  private records: TraceRecord[] = [];
  private skipped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly out: (records: TraceRecord[], skipped: number) => void,
    private readonly congested: () => boolean,
    private readonly everyMs = TRACE_FLUSH_MS,
  ) {}

  add(rec: TraceRecord): void {
    if (this.congested()) this.skipped++;
    else this.records.push(rec);
    this.timer ??= setTimeout(() => this.flush(), this.everyMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length === 0 && this.skipped === 0) return;
    const records = this.records;
    const skipped = this.skipped;
    this.records = [];
    this.skipped = 0;
    this.out(records, skipped);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
