/**
 * The files of the dashboard's finished emulations, served from their run directories on disk (the
 * same files `reglab emulate --out DIR` writes: summary.json, rules.json, trace.pcapng,
 * arrivals.jsonl, emulation.json, …):
 *
 *   GET /api/emulations/<token>/<file>
 *
 * Only a file the run directory held when the emulation ended can be named (no path, no other
 * directory); the last KEPT_EMULATIONS runs are kept, the directories themselves stay on disk.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EmulateOutput } from './emulate-types.ts';
import { notFound } from './run-files.ts';

export const EMULATION_FILES_PATH = '/api/emulations/';
export const KEPT_EMULATIONS = 5;

const TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  mmd: 'text/plain; charset=utf-8',
  pcapng: 'application/vnd.tcpdump.pcap',
};

export class EmulationFiles {
  private readonly runs = new Map<string, { dir: string; files: Map<string, number> }>();

  /** Keeps a run directory; returns the URL path its files are under and the files it holds. */
  put(dir: string): { path: string; outputs: EmulateOutput[] } {
    const files = new Map<string, number>();
    for (const name of readdirSync(dir).sort()) {
      const st = statSync(join(dir, name), { throwIfNoEntry: false });
      if (st?.isFile()) files.set(name, st.size);
    }
    const token = randomBytes(9).toString('base64url');
    this.runs.set(token, { dir, files });
    while (this.runs.size > KEPT_EMULATIONS) this.runs.delete(this.runs.keys().next().value!);
    return { path: `${EMULATION_FILES_PATH}${token}/`, outputs: [...files].map(([name, bytes]) => ({ name, bytes })) };
  }

  /** Answers a GET/HEAD under /api/emulations/; false when the path is not one of ours. */
  serve(path: string, res: ServerResponse, head = false): boolean {
    const m = /^\/api\/emulations\/([A-Za-z0-9_-]{1,32})\/([^/]{1,100})$/.exec(path);
    if (!m) return false;
    const run = this.runs.get(m[1]!);
    if (!run) return notFound(res, `this emulation is no longer kept by the server (it keeps the last ${KEPT_EMULATIONS}); its directory may still be on disk`);
    const name = m[2]!;
    const size = run.files.get(name);
    if (size === undefined) return notFound(res, `no such file of this emulation: ${name.slice(0, 100)}; one of ${[...run.files.keys()].join(', ')}`);
    const ext = name.slice(name.lastIndexOf('.') + 1);
    res.writeHead(200, {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
    });
    if (head) res.end();
    else createReadStream(join(run.dir, name)).on('error', () => res.destroy()).pipe(res);
    return true;
  }
}
