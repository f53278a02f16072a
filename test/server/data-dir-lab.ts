/**
 * A lab folder for the `reglab serve --data-dir` tests: <tmp>/lab/scenarios (the server's scenarios
 * folder) beside <tmp>/lab/data (where the replays lie), and servers started on it with or without
 * --data-dir, all closed and the folder removed after the file's tests.
 */
import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../sim/server/server.ts';

export function dataDirLab(prefix: string) {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const lab = join(tmp, 'lab');
  const scenarios = join(lab, 'scenarios');
  const data = join(lab, 'data');
  mkdirSync(data, { recursive: true });
  mkdirSync(scenarios, { recursive: true });
  const servers: RunningServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(tmp, { recursive: true, force: true });
  });
  /** A server on the scenarios folder; `dataDir` is its --data-dir (none: the scenarios folder). */
  const serve = async (dataDir?: string): Promise<RunningServer> => {
    const s = await startServer({ port: 0, scenariosDir: scenarios, ...(dataDir ? { dataDir } : {}) });
    servers.push(s);
    return s;
  };
  return { lab, scenarios, data, serve };
}
