import { spawn, type ChildProcess } from 'node:child_process';
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

export interface Spawned {
  proc: ChildProcess;
  /** Everything it has written so far (stdout and stderr). */
  log: () => string;
}

/**
 * A long-lived `node ARGS…` (e.g. `bin/reglab.mjs worker …`) from the root; resolves once its output
 * matches `ready`, rejects if it exits first or is not ready in 60 s (then it is killed). The caller
 * stops it by its PID (stopProc).
 */
export function spawnReady(args: string[], ready: RegExp): Promise<Spawned> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((res, rej) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`not ready in 60 s: ${args.join(' ')}\n${text}`));
    }, 60_000);
    const on = (d: Buffer) => {
      text += d;
      if (ready.test(text)) (clearTimeout(t), res({ proc, log: () => text }));
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.on('exit', (code) => rej(new Error(`exited ${code} before ready: ${text}`)));
  });
}

/** Stops a process this test started (SIGTERM unless told otherwise) and waits for its exit. */
export async function stopProc(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  await gone;
}
