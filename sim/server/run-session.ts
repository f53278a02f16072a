/**
 * One dashboard WebSocket: takes ClientCommands, runs one scenario at a time through the real
 * runner and streams RunEvents back. A new `run` cancels the one in progress; its late events are
 * never sent. Trace records and sample rows are batched (every FLUSH_MS or BATCH_RECORDS records)
 * so a busy run does not flood the socket; progress is throttled to one frame per PROGRESS_MS.
 *
 * Order on the wire for one run: started, then trace / sample / progress interleaved in simulated
 * time order, then exactly one of finished or error.
 *
 * Run ids: every well-formed `run` command on a socket gets the next id, 1, 2, 3…, even one that
 * then fails (unknown scenario, invalid file): its error event carries that id. A client that sends
 * only well-formed commands can therefore tell which run an event belongs to by counting its own
 * run commands (web/src/api/run-stream.ts does). Malformed commands get errors without a runId.
 */
import type { WebSocket } from 'ws';
import type { ClientCommand, RunEvent, SampleRow, TraceRecord } from './api-types.ts';
import { parseClientCommand, setToOverrides } from './commands.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import type { RunFiles } from './run-files.ts';
import { resolveScenarioPath } from './scenarios.ts';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';

export const FLUSH_MS = 50;
export const BATCH_RECORDS = 200;
export const PROGRESS_MS = 100;

/** A socket with more than this many bytes unsent gets no progress frames (they are only hints). */
const PROGRESS_BACKLOG_BYTES = 1 << 20;

interface ActiveRun {
  id: number;
  abort: AbortController;
  trace: TraceRecord[];
  samples: SampleRow[];
  timer: NodeJS.Timeout | undefined;
  lastProgressAt: number;
}

export class RunSession {
  private nextRunId = 1;
  private active: ActiveRun | undefined;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly scenariosDir: string,
    private readonly log: (line: string) => void,
    /** Where finished runs' files are kept for download (none: the event carries no `files`). */
    private readonly runFiles?: RunFiles,
  ) {}

  /** Handles one text frame. Never throws: bad input becomes an `error` event. */
  handle(text: string): void {
    let cmd: ClientCommand;
    try {
      cmd = parseClientCommand(text);
    } catch (e) {
      this.sendError(undefined, e);
      return;
    }
    if (cmd.type === 'cancel') {
      const run = this.active;
      if (run) {
        this.stop(run);
        this.send({ type: 'error', runId: run.id, code: API_ERRORS.E_CANCELLED, message: 'run cancelled' });
      }
      return;
    }
    void this.run(cmd);
  }

  /** The socket closed: stop whatever runs. */
  close(): void {
    this.closed = true;
    if (this.active) this.stop(this.active);
  }

  private async run(cmd: Extract<ClientCommand, { type: 'run' }>): Promise<void> {
    if (this.active) this.stop(this.active);
    const run: ActiveRun = {
      id: this.nextRunId++,
      abort: new AbortController(),
      trace: [],
      samples: [],
      timer: undefined,
      lastProgressAt: 0,
    };
    this.active = run;
    const current = () => this.active === run && !this.closed;
    try {
      const file = await resolveScenarioPath(this.scenariosDir, cmd.scenario);
      if (!current()) return;
      const sc = loadScenarioFile(file, { seed: cmd.seed, set: setToOverrides(cmd.set) });
      const wallStart = performance.now();
      const result = await runScenario(sc, {
        signal: run.abort.signal,
        onStarted: (info) => {
          if (!current()) return;
          this.send({
            type: 'started',
            runId: run.id,
            scenario: cmd.scenario,
            description: sc.description ?? '',
            seed: sc.seed,
            nodes: info.nodes.map((n) => ({ id: n.id, type: n.type })),
            durationNs: info.durationNs,
            sampleIntervalNs: info.sampleIntervalNs,
          });
        },
        onTrace: (rec) => {
          if (!current()) return;
          run.trace.push(rec);
          if (run.trace.length >= BATCH_RECORDS) this.flush(run);
          else this.scheduleFlush(run);
        },
        onSample: (rows) => {
          if (!current()) return;
          for (const r of rows) run.samples.push(r);
          if (run.samples.length >= BATCH_RECORDS) this.flush(run);
          else this.scheduleFlush(run);
        },
        onProgress: (p) => {
          if (!current()) return;
          const now = performance.now();
          if (now - run.lastProgressAt < PROGRESS_MS || this.ws.bufferedAmount > PROGRESS_BACKLOG_BYTES) return;
          run.lastProgressAt = now;
          this.flush(run);
          this.send({ type: 'progress', runId: run.id, simulatedNs: p.simulatedNs, events: p.events, fraction: p.fraction });
        },
      });
      if (!current()) return;
      this.flush(run);
      const pcapng = result.extra.find((f) => f.name === 'trace.pcapng')?.data;
      const files = this.runFiles?.put({ ...result, pcapng: pcapng instanceof Uint8Array ? pcapng : undefined });
      this.send({ type: 'finished', runId: run.id, summary: result.summary, rules: result.rules, ...(files ? { files } : {}) });
      this.log(`run ${cmd.scenario} (seed ${sc.seed}) finished in ${Math.round(performance.now() - wallStart)} ms`);
    } catch (e) {
      if (!current()) return;
      this.flush(run);
      this.sendError(run.id, e, cmd.scenario);
    } finally {
      this.clearTimer(run);
      if (this.active === run) this.active = undefined;
    }
  }

  private stop(run: ActiveRun): void {
    this.clearTimer(run);
    run.trace = [];
    run.samples = [];
    run.abort.abort();
    if (this.active === run) this.active = undefined;
  }

  private scheduleFlush(run: ActiveRun): void {
    run.timer ??= setTimeout(() => {
      run.timer = undefined;
      if (this.active === run) this.flush(run);
    }, FLUSH_MS);
  }

  private clearTimer(run: ActiveRun): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = undefined;
  }

  /** Sends what is buffered: trace before samples is fine, both are in time order within. */
  private flush(run: ActiveRun): void {
    this.clearTimer(run);
    if (run.trace.length) {
      this.send({ type: 'trace', runId: run.id, records: run.trace });
      run.trace = [];
    }
    if (run.samples.length) {
      this.send({ type: 'sample', runId: run.id, rows: run.samples });
      run.samples = [];
    }
  }

  private sendError(runId: number | undefined, e: unknown, scenario?: string): void {
    if (e instanceof ApiError) {
      this.send({ type: 'error', runId, code: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) });
    } else if (e instanceof ScenarioError) {
      // The loader's message holds the server's absolute path; the client knows the file by its
      // scenarios-relative name.
      const n = e.problems.length;
      this.send({ type: 'error', runId, code: e.code, message: `${scenario ?? 'the scenario'}: ${n} problem${n === 1 ? '' : 's'}`, problems: e.problems });
    } else {
      // A runner bug: report it on the socket and in the log, keep serving.
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`run failed: ${err.stack ?? err.message}`);
      this.send({ type: 'error', runId, code: API_ERRORS.E_RUN, message: `the simulation failed: ${err.message}` });
    }
  }

  private send(ev: RunEvent): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(ev));
  }
}
