import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: CLI runs start here, as a user's would. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface Proc {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `reglab ARGS…` as its own process (so exit codes and stdio are the real ones). */
export function reglab(...args: string[]): Promise<Proc> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['bin/reglab.mjs', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => res({ status, stdout, stderr }));
  });
}
