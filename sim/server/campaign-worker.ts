/**
 * A campaign worker thread: runs one scenario at a time for the server's campaign pool, off the
 * server's event loop, posting progress while it runs and the run's output when done.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { headline } from '../observe/headline.ts';
import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import type { JobOutput, SampleRow } from './campaign-types.ts';

export type SeriesMode = 'full' | 'signals' | 'none';

export interface WorkerJob {
  file: string;
  seed: number;
  sets: string[];
  series: SeriesMode;
  /** The folder referenced files must lie in (`reglab serve --data-dir`). */
  dataDir?: string;
}

export type WorkerReply =
  | { type: 'progress'; fraction: number; simulatedNs: number }
  | { type: 'done'; wallMs: number; output: JobOutput }
  | { type: 'failed'; code: string; message: string; problems?: string[] };

const PROGRESS_MS = 200;

/**
 * The simulation threads yield to the server's own thread: on Linux the nice value is per thread
 * (setpriority(2), BUGS), so the event loop answering /api/health and the page's sockets is
 * scheduled first when the cores are busy. Nothing else runs at this priority on a quiet machine.
 */
const CAMPAIGN_NICE = 10;
try {
  setPriority(CAMPAIGN_NICE);
} catch {
  // Not permitted or not supported: runs at normal priority.
}

async function run(job: WorkerJob): Promise<WorkerReply> {
  const t0 = performance.now();
  try {
    const sc = loadScenarioFile(job.file, { seed: job.seed, set: job.sets, skipVariants: true, ...(job.dataDir ? { dataDir: job.dataDir } : {}) });
    let last = 0;
    const r = await runScenario(sc, {
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < PROGRESS_MS) return;
        last = now;
        parentPort!.postMessage({ type: 'progress', fraction: p.fraction, simulatedNs: p.simulatedNs } satisfies WorkerReply);
      },
    });
    const output: JobOutput = { summary: r.summary, headline: headline(r.summary), nodes: r.nodes };
    if (job.series === 'full') {
      output.samples = r.samples;
      output.probes = r.probes;
      output.curves = r.curves();
    } else if (job.series === 'signals') {
      // Consequence signals only: a policy comparison overlays them, the load rows would be dead weight.
      output.samples = r.samples.filter((s) => s.signals).map((s): SampleRow => ({ t: s.t, node: s.node, msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0, busy: 0, queue: 0, dropped: 0, signals: s.signals }));
      output.probes = r.probes;
    }
    return { type: 'done', wallMs: Math.round(performance.now() - t0), output };
  } catch (err) {
    if (err instanceof ScenarioError) return { type: 'failed', code: err.code, message: err.message, problems: err.problems };
    const e = err as Error & { code?: string };
    return { type: 'failed', code: 'E_RUN', message: `the simulation failed: ${e.message}` };
  }
}

parentPort!.on('message', async (job: WorkerJob) => {
  parentPort!.postMessage(await run(job));
});
