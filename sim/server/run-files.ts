/**
 * The dashboard's downloads: a finished run's files (the same as `reglab run --out DIR` writes),
 * served from memory for the last few runs of this server.
 *
 *   GET /api/runs/<token>/<file>   file ∈ RUN_DOWNLOADS; 404 once the run has been evicted
 *
 * `put` takes plain data only (the run's records, samples, rules, summary and the capture bytes the
 * runner already made), so a run computed in a worker thread can hand it over as it is. Text files
 * are rendered on request (sim/observe/export.ts renders them for run directories too), trace.jsonl
 * is streamed line by line: a 100,000-message trace never becomes one string.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { runFileText, traceLine, type RunOutput } from '../observe/export.ts';

export const RUN_DOWNLOADS = ['trace.pcapng', 'trace.jsonl', 'metrics.csv', 'summary.json', 'rules.json', 'flows.mmd'] as const;
export type RunDownload = (typeof RUN_DOWNLOADS)[number];

/** Runs kept for download; older ones are evicted (a run's trace can be tens of MB). */
export const KEPT_RUNS = 3;

export type RunFilesData = Pick<RunOutput, 'summary' | 'rules' | 'trace' | 'samples' | 'probes' | 'nodes'> & { pcapng?: Uint8Array };

const TYPES: Record<RunDownload, string> = {
  'trace.pcapng': 'application/vnd.tcpdump.pcap',
  'trace.jsonl': 'application/x-ndjson; charset=utf-8',
  'metrics.csv': 'text/csv; charset=utf-8',
  'summary.json': 'application/json; charset=utf-8',
  'rules.json': 'application/json; charset=utf-8',
  'flows.mmd': 'text/plain; charset=utf-8',
};

export class RunFiles {
  private readonly runs = new Map<string, RunFilesData>();

  /** Keeps a finished run; returns the URL path its files are under (ends with '/'). */
  put(data: RunFilesData): string {
    const token = randomBytes(9).toString('base64url');
    this.runs.set(token, data);
    while (this.runs.size > KEPT_RUNS) this.runs.delete(this.runs.keys().next().value!);
    return `/api/runs/${token}/`;
  }

  /** Answers a GET/HEAD under /api/runs/; false when the path is not one of ours. */
  serve(path: string, res: ServerResponse, head = false): boolean {
    const m = /^\/api\/runs\/([A-Za-z0-9_-]{1,32})\/([a-z.]+)$/.exec(path);
    if (!m) return false;
    const [, token, name] = m;
    const run = this.runs.get(token!);
    if (!RUN_DOWNLOADS.includes(name as RunDownload)) {
      return notFound(res, `no such run file: ${name}; one of ${RUN_DOWNLOADS.join(', ')}`);
    }
    if (!run) return notFound(res, 'this run is no longer kept by the server (it keeps the last ' + KEPT_RUNS + '): run it again');
    const file = name as RunDownload;
    const headers = {
      'Content-Type': TYPES[file],
      'Content-Disposition': `attachment; filename="${file}"`,
      'Cache-Control': 'no-store',
    };
    if (file === 'trace.pcapng') {
      if (!run.pcapng) return notFound(res, 'this run has no capture: none of its protocols has a packet encoding');
      res.writeHead(200, { ...headers, 'Content-Length': run.pcapng.length });
      res.end(head ? undefined : run.pcapng);
      return true;
    }
    if (file === 'trace.jsonl') {
      res.writeHead(200, headers);
      if (head) res.end();
      else streamLines(res, run.trace);
      return true;
    }
    const text = runFileText(run, file);
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(text) });
    res.end(head ? undefined : text);
    return true;
  }
}

/** A 404 with a JSON `{ error }` that says why (also for the emulations' files). */
export function notFound(res: ServerResponse, message: string): true {
  const body = JSON.stringify({ error: message });
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }).end(body);
  return true;
}

/** Writes the trace in chunks, waiting for 'drain' so a slow client does not pile the file up in memory. */
function streamLines(res: ServerResponse, trace: RunFilesData['trace']): void {
  let i = 0;
  const pump = (): void => {
    while (i < trace.length) {
      let chunk = '';
      for (const end = Math.min(trace.length, i + 500); i < end; i++) chunk += traceLine(trace[i]!);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => {
    i = trace.length;
  });
  pump();
}
