/**
 * A dashboard run in its own worker thread (started by run-workers.ts with a heap limit), so a
 * runaway scenario dies alone and the server keeps answering. It loads the scenario (validation
 * can be costly too), runs it, and posts WorkerEvents: trace and sample records batched every
 * FLUSH_MS or BATCH_RECORDS, progress at most every PROGRESS_MS. The thread runs jobs one after
 * another; the server ends a run early by terminating the thread.
 */
import { parentPort } from 'node:worker_threads';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import type { SampleRow, TraceRecord } from './api-types.ts';
import type { WorkerEvent, WorkerJob } from './run-protocol.ts';
import { BATCH_RECORDS, FLUSH_MS, PROGRESS_MS } from './run-protocol.ts';

const port = parentPort!;
const post = (ev: WorkerEvent) => port.postMessage(ev);

port.on('message', (job: WorkerJob) => void runOne(job));

async function runOne(job: WorkerJob): Promise<void> {
  let trace: TraceRecord[] = [];
  let samples: SampleRow[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastProgressAt = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (trace.length) post({ type: 'trace', records: trace });
    if (samples.length) post({ type: 'sample', rows: samples });
    trace = [];
    samples = [];
  };
  const scheduleFlush = () => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  try {
    const sc = loadScenarioFile(job.file, { seed: job.seed, set: job.set, ...job.load });
    const result = await runScenario(sc, {
      onStarted: (info) => post({ type: 'started', description: sc.description ?? '', seed: sc.seed, ...info }),
      onTrace: (rec) => {
        trace.push(rec);
        if (trace.length >= BATCH_RECORDS) flush();
        else scheduleFlush();
      },
      onSample: (rows) => {
        for (const r of rows) samples.push(r);
        if (samples.length >= BATCH_RECORDS) flush();
        else scheduleFlush();
      },
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastProgressAt < PROGRESS_MS && p.fraction < 1) return;
        lastProgressAt = now;
        flush();
        post({ type: 'progress', ...p });
      },
    });
    flush();
    const pcapng = result.extra.find((f) => f.name === 'trace.pcapng')?.data;
    post({ type: 'finished', summary: result.summary, rules: result.rules, probes: result.probes, nodes: result.nodes, pcapng: pcapng instanceof Uint8Array ? pcapng : undefined });
  } catch (e) {
    flush();
    if (e instanceof ScenarioError) post({ type: 'failed', code: 'E_SCENARIO', message: e.message, problems: e.problems });
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'failed', code: 'E_RUN', message: err.message, stack: err.stack });
    }
  }
}
