/**
 * A real Kamailio for a test: started on free 127.0.0.1 ports with its own temporary directory
 * (pid file, ctl socket, log), read through `kamcmd … ul.dump`, and stopped by its PID.
 *
 * Kamailio runs in the foreground (-DD) with its log on stderr (-E), so the PID we hold is the
 * main process; on SIGTERM it stops its children itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerProcess, waitFor } from './peer-process.ts';
import { freePort } from './ports.ts';

export const KAMAILIO_FIXTURES = resolve(fileURLToPath(new URL('../fixtures/kamailio/', import.meta.url)));
export const REGISTRAR_CFG = join(KAMAILIO_FIXTURES, 'registrar.cfg');

export interface KamailioOptions {
  cfg?: string;
  /** Preprocessor defines (-A NAME or -A NAME=VALUE). */
  defines?: string[];
  /** Transports to listen on, all on one port number. */
  transports?: ('udp' | 'tcp')[];
  /** Shared memory in MB (small: several of these run at once on a shared machine). */
  shmMb?: number;
  /** A port chosen by the caller (free); default: a free one. */
  port?: number;
}

export interface Binding {
  /** Address of record as Kamailio keeps it (user@domain with use_domain=1). */
  aor: string;
  contact: string;
  /** The +sip.instance value without quotes or angle brackets, '' when none. */
  instance: string;
  /** Seconds left, as ul.dump reports it ('Expires'). */
  expires: number;
  callId: string;
  cseq: number;
}

export class Kamailio {
  private constructor(
    readonly proc: PeerProcess,
    readonly port: number,
    readonly dir: string,
    readonly ctl: string,
  ) {}

  static async start(opts: KamailioOptions = {}): Promise<Kamailio> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'reglab-kam-'));
      const port = attempt === 0 && opts.port !== undefined ? opts.port : await freePort();
      const ctl = `unix:${join(dir, 'ctl')}`;
      const args = [
        '-f', opts.cfg ?? REGISTRAR_CFG,
        '-DD', '-E',
        '-m', String(opts.shmMb ?? 32), '-M', '4',
        '-P', join(dir, 'kamailio.pid'),
        ...(opts.transports ?? ['udp', 'tcp']).flatMap((t) => ['-l', `${t}:127.0.0.1:${port}`]),
        '-A', `CTL_SOCKET="${ctl}"`,
        ...(opts.defines ?? []).flatMap((d) => ['-A', d]),
      ];
      const proc = new PeerProcess('kamailio', 'kamailio', args, { cwd: dir });
      const k = new Kamailio(proc, port, dir, ctl);
      try {
        await waitFor(
          'kamailio to answer on its ctl socket',
          async () => {
            if (!proc.running) throw new Error(`kamailio exited: ${proc.log().slice(-2000)}`);
            await k.kamcmd(['core.version']);
            return true;
          },
          15_000,
          100,
        );
        return k;
      } catch (err) {
        lastErr = err;
        await k.stop();
        // A lost race for the port shows as a bind error: try another port.
        if (!/bind|Address already in use/i.test(proc.log())) break;
      }
    }
    throw lastErr;
  }

  /** Runs kamcmd against this instance's ctl socket. */
  kamcmd(args: string[], timeoutMs = 5000): Promise<string> {
    return new Promise((res, rej) => {
      execFile('kamcmd', ['-s', this.ctl, ...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) rej(new Error(`kamcmd ${args.join(' ')}: ${err.message} ${stderr}`));
        else res(stdout);
      });
    });
  }

  /** The location table, one entry per binding. */
  async ulDump(): Promise<Binding[]> {
    return parseUlDump(await this.kamcmd(['ul.dump']));
  }

  log(): string {
    return this.proc.log();
  }

  async stop(): Promise<void> {
    await this.proc.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Reads kamcmd's rendering of `ul.dump` (nested `Name: value` lines and `{ }` blocks): each
 * `AoR:` opens a record whose `Contact: {` blocks hold Address, Expires, Call-ID, CSeq,
 * Instance, … one per line.
 */
export function parseUlDump(text: string): Binding[] {
  const out: Binding[] = [];
  let aor: string | undefined;
  let cur: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m && m[1] === 'AoR') {
      aor = m[2];
      continue;
    }
    if (m && m[1] === 'Contact' && m[2] === '{') {
      cur = {};
      continue;
    }
    if (cur && line === '}') {
      if (aor === undefined) throw new Error(`ul.dump: a Contact block outside an AoR:\n${text}`);
      out.push(toBinding(aor, cur));
      cur = undefined;
      continue;
    }
    if (cur && m) cur[m[1]] = m[2];
  }
  if (cur) throw new Error(`ul.dump: unterminated Contact block:\n${text}`);
  return out;
}

function toBinding(aor: string, f: Record<string, string>): Binding {
  if (f.Address === undefined) throw new Error(`ul.dump: a contact of ${aor} without Address`);
  const inst = f.Instance ?? '[not set]';
  return {
    aor,
    contact: f.Address,
    instance: inst === '[not set]' ? '' : inst.replace(/^"?<?|>?"?$/g, ''),
    expires: Number(f.Expires),
    callId: f['Call-ID'] ?? '',
    cseq: Number(f.CSeq),
  };
}

/** Kamailio's counters of a group ('registrar:', 'usrloc:', 'core:'), by name. */
export async function kamStats(k: Kamailio, group: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await k.kamcmd(['stats.get_statistics', group])).split('\n')) {
    const m = /^([\w:.-]+) = (-?\d+)$/.exec(line.trim());
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
