/**
 * One dashboard WebSocket: takes ClientCommands, runs one scenario at a time in a worker thread
 * (run-workers.ts: its own heap limit, so a runaway cannot take the server down) and streams
 * RunEvents back. A new `run` cancels the one in progress; its late events are
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
import type { RunHandle, RunOutcome, RunWorkers } from './run-workers.ts';
import type { WorkerJob } from './run-protocol.ts';

export { FLUSH_MS, BATCH_RECORDS, PROGRESS_MS } from './run-protocol.ts';

/** A socket with more than this many bytes unsent gets no progress frames (they are only hints). */
const PROGRESS_BACKLOG_BYTES = 1 << 20;

interface ActiveRun {
  id: number;
  handle: RunHandle | undefined;
  /** Set once the run is stopped (replaced, cancelled, socket closed): nothing more is sent for it. */
  stopped: boolean;
  /** What streamed past, kept for the run's downloads when `files` is set. */
  trace: TraceRecord[];
  samples: SampleRow[];
}

export class RunSession {
  private nextRunId = 1;
  /** Where finished runs' files are kept for download (server.ts sets it; unset: no `files` in `finished`). */
  files: RunFiles | undefined;
  private active: ActiveRun | undefined;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly scenariosDir: string,
    private readonly log: (line: string) => void,
    private readonly workers: RunWorkers,
    /** Loader limits for every run of this server (memory budget, data folder). */
    private readonly load: WorkerJob['load'] = {},
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
    const run: ActiveRun = { id: this.nextRunId++, handle: undefined, stopped: false, trace: [], samples: [] };
    this.active = run;
    const current = () => this.active === run && !run.stopped && !this.closed;
    let file: string;
    try {
      file = await resolveScenarioPath(this.scenariosDir, cmd.scenario);
    } catch (e) {
      if (current()) this.sendError(run.id, e, cmd.scenario);
      this.finish(run);
      return;
    }
    if (!current()) return;
    const wallStart = performance.now();
    const job: WorkerJob = { file, seed: cmd.seed, set: setToOverrides(cmd.set), load: this.load };
    const handle = this.workers.start(job, (ev) => {
      if (!current()) return;
      this.forward(run, cmd.scenario, ev);
      if (ev.type === 'finished') this.log(`run ${cmd.scenario} (seed ${ev.summary.seed}) finished in ${Math.round(performance.now() - wallStart)} ms`);
      if (ev.type === 'finished' || ev.type === 'failed') this.finish(run);
    });
    if (typeof handle === 'string') {
      this.send({ type: 'error', runId: run.id, code: API_ERRORS.E_LIMIT, message: handle });
      this.finish(run);
      return;
    }
    run.handle = handle;
  }

  /** A worker's event as the RunEvent the client sees. */
  private forward(run: ActiveRun, scenario: string, ev: RunOutcome): void {
    const runId = run.id;
    switch (ev.type) {
      case 'started':
        this.send({ type: 'started', runId, scenario, description: ev.description, seed: ev.seed, nodes: ev.nodes, durationNs: ev.durationNs, sampleIntervalNs: ev.sampleIntervalNs });
        return;
      case 'trace':
        if (this.files) for (const r of ev.records) run.trace.push(r);
        this.send({ type: 'trace', runId, records: ev.records });
        return;
      case 'sample':
        if (this.files) for (const r of ev.rows) run.samples.push(r);
        this.send({ type: 'sample', runId, rows: ev.rows });
        return;
      case 'progress':
        if (this.ws.bufferedAmount > PROGRESS_BACKLOG_BYTES) return;
        this.send({ type: 'progress', runId, simulatedNs: ev.simulatedNs, events: ev.events, fraction: ev.fraction });
        return;
      case 'finished': {
        const files = this.files?.put({ summary: ev.summary, rules: ev.rules, trace: run.trace, samples: run.samples, probes: ev.probes ?? [], nodes: ev.nodes ?? [], pcapng: ev.pcapng });
        run.trace = [];
        run.samples = [];
        this.send({ type: 'finished', runId, summary: ev.summary, rules: ev.rules, ...(files ? { files } : {}) });
        return;
      }
      case 'failed':
        if (ev.code === 'E_SCENARIO') {
          // The loader's message holds the server's absolute path; the client knows the file by its
          // scenarios-relative name.
          const n = ev.problems?.length ?? 0;
          this.send({ type: 'error', runId, code: API_ERRORS.E_SCENARIO, message: `${scenario}: ${n} problem${n === 1 ? '' : 's'}`, problems: ev.problems ?? [] });
        } else if (ev.code === 'E_LIMIT') {
          this.log(`run ${scenario}: ${ev.message}`);
          this.send({ type: 'error', runId, code: API_ERRORS.E_LIMIT, message: ev.message });
        } else {
          // A runner bug: report it on the socket and in the log, keep serving.
          this.log(`run ${scenario} failed: ${ev.stack ?? ev.message}`);
          this.send({ type: 'error', runId, code: API_ERRORS.E_RUN, message: `the simulation failed: ${ev.message}` });
        }
    }
  }

  private finish(run: ActiveRun): void {
    if (this.active === run) this.active = undefined;
  }

  private stop(run: ActiveRun): void {
    run.stopped = true;
    run.trace = [];
    run.samples = [];
    run.handle?.cancel();
    if (this.active === run) this.active = undefined;
  }

  private sendError(runId: number | undefined, e: unknown, scenario?: string): void {
    if (e instanceof ApiError) {
      this.send({ type: 'error', runId, code: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) });
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`run ${scenario ?? ''} failed: ${err.stack ?? err.message}`);
      this.send({ type: 'error', runId, code: API_ERRORS.E_RUN, message: `the simulation failed: ${err.message}` });
    }
  }

  private send(ev: RunEvent): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(ev));
  }
}
