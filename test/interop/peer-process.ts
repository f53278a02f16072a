/**
 * A real peer process a test starts (Kamailio, SIPp, tshark, a second RegLab): spawned in the
 * foreground in a process group of its own (so the group id is its PID), and stopped by that id —
 * never by name, since other engineers run the same programs on this machine. The group matters:
 * Kamailio forks its workers, and a main process killed hard leaves them behind; signalling the
 * group reaches exactly the processes this test started. If the test process dies first, an exit
 * hook still signals every group it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) signalGroup(c, 'SIGKILL');
});

/** Signals the peer's process group (its PID, as it was spawned detached); false when gone. */
function signalGroup(c: ChildProcess, sig: NodeJS.Signals): boolean {
  if (c.pid === undefined) return false;
  try {
    process.kill(-c.pid, sig);
    return true;
  } catch {
    return false;
  }
}

export interface PeerOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep at most this many characters of stdout+stderr (the tail). */
  keepLog?: number;
}

export class PeerProcess {
  readonly child: ChildProcess;
  private out = '';
  private readonly keep: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    opts: PeerOptions = {},
  ) {
    this.keep = opts.keepLog ?? 64_000;
    this.child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(this.child);
    const take = (d: Buffer) => {
      this.out += d.toString('utf8');
      if (this.out.length > this.keep * 2) this.out = this.out.slice(-this.keep);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((res) => {
      this.child.once('exit', (code, signal) => {
        res({ code, signal });
      });
      this.child.once('error', (err) => {
        this.out += `\n[spawn error] ${err.message}`;
        live.delete(this.child);
        res({ code: -1, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** What the process wrote so far (the tail). */
  log(): string {
    return this.out.length > this.keep ? this.out.slice(-this.keep) : this.out;
  }

  /**
   * `signal` (SIGTERM) to our PID, SIGKILL to its group after `graceMs`; resolves when it has
   * exited, after a last SIGKILL to whatever of its group outlived it.
   */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running) {
      this.child.kill(signal);
      const t = setTimeout(() => signalGroup(this.child, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(t);
    } else {
      await this.exited;
    }
    signalGroup(this.child, 'SIGKILL');
    live.delete(this.child);
  }
}

/** Polls `probe` until it returns a value or throws for the last time at `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
