/**
 * SIPp (Debian sip-tester 3.6) for tests and the benchmark: writes the injection file of CS
 * subscribers, runs one scenario file from test/fixtures/sipp/ on a free local port in a temp
 * directory, and reads back SIPp's own counters (-trace_stat) and every response time
 * (-trace_rtt). Stopped by its PID (PeerProcess) if it outlives its -timeout.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerProcess } from './peer-process.ts';
import { freePort } from './ports.ts';

export const SIPP_FIXTURES = resolve(fileURLToPath(new URL('../fixtures/sipp/', import.meta.url)));
export const ICS_REGISTER_DEREGISTER = join(SIPP_FIXTURES, 'ics-register-deregister.xml');

export interface IcsUsers {
  /** First IMSI (15 digits); the others follow it. */
  imsiBase: string;
  count: number;
  mcc: string;
  mnc: string;
  /** First subscriber index of the IMEI-based +sip.instance (urn:gsma:imei:35209900-<index>-0). */
  instanceBase?: number;
}

/** TS 23.003 §20.3: ics.mnc<MNC 3 digits>.mcc<MCC>.3gppnetwork.org. */
export function icsDomain(mcc: string, mnc: string): string {
  return `ics.mnc${mnc.padStart(3, '0')}.mcc${mcc}.3gppnetwork.org`;
}

/** The SEQUENTIAL injection file the scenario reads: IMSI; ICS domain; instance; visited network. */
export function usersCsv(u: IcsUsers): string {
  const domain = icsDomain(u.mcc, u.mnc);
  const vnet = `mnc${u.mnc.padStart(3, '0')}.mcc${u.mcc}.3gppnetwork.org`;
  const lines = ['SEQUENTIAL'];
  const base = BigInt(u.imsiBase);
  for (let i = 0; i < u.count; i++) {
    const inst = `35209900-${String((u.instanceBase ?? 0) + i).padStart(6, '0')}-0`;
    lines.push(`${(base + BigInt(i)).toString().padStart(15, '0')};${domain};${inst};${vnet}`);
  }
  return lines.join('\n') + '\n';
}

export interface SippRun {
  target: string;
  scenario?: string;
  users: IcsUsers;
  /** Calls (= subscribers registered then deregistered). Default: users.count. */
  calls?: number;
  /** Calls per second. */
  rate: number;
  /** -rate_increase/-rate_interval/-rate_max stepping, when given. */
  step?: { increase: number; intervalS: number; max: number };
  /** Maximum simultaneous calls (-l). */
  limit?: number;
  transport?: 'u1' | 'un' | 't1';
  timeoutS?: number;
  /** Extra arguments (e.g. -fd 1). */
  extra?: string[];
}

export interface SippResult {
  code: number | null;
  successful: number;
  failed: number;
  /** Response times in ms per rtd name ('reg', 'dereg'), in the order SIPp measured them. */
  rtt: Map<string, number[]>;
  /** The last -trace_stat row, by column name. */
  stats: Record<string, string>;
  /** Every -trace_stat row (one per -fd period), by column name. */
  rows: Record<string, string>[];
  log: string;
  errors: string;
}

/** Runs SIPp to completion (or its timeout) and collects what it measured. */
export async function runSipp(r: SippRun): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-sipp-'));
  try {
    writeFileSync(join(dir, 'users.csv'), usersCsv(r.users));
    const port = await freePort();
    const timeout = r.timeoutS ?? 30;
    const args = [
      r.target,
      '-sf', r.scenario ?? ICS_REGISTER_DEREGISTER,
      '-inf', join(dir, 'users.csv'),
      '-i', '127.0.0.1',
      '-p', String(port), // never SIPp's default 5060: other engineers' peers may hold it
      '-m', String(r.calls ?? r.users.count),
      '-r', String(r.rate),
      '-t', r.transport ?? 'u1',
      '-l', String(r.limit ?? 10_000),
      '-nostdin',
      '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1',
      '-trace_rtt', '-rtt_freq', '1',
      '-trace_err',
      '-timeout', `${timeout}s`, '-timeout_error',
      ...(r.step ? ['-rate_increase', String(r.step.increase), '-rate_interval', `${r.step.intervalS}s`, '-rate_max', String(r.step.max), '-no_rate_quit'] : []),
      ...(r.extra ?? []),
    ];
    const p = new PeerProcess('sipp', 'sipp', args, { cwd: dir });
    const killer = setTimeout(() => void p.stop(), (timeout + 10) * 1000);
    const { code } = await p.exited;
    clearTimeout(killer);
    await p.stop();
    const files = readdirSync(dir);
    const rttFile = files.find((f) => f.endsWith('_rtt.csv'));
    const errFile = files.find((f) => f.endsWith('_errors.log'));
    const rows = readStat(join(dir, 'stat.csv'));
    const stats = rows[rows.length - 1] ?? {};
    return {
      code,
      successful: Number(stats['SuccessfulCall(C)'] ?? 0),
      failed: Number(stats['FailedCall(C)'] ?? 0),
      rtt: rttFile ? readRtt(join(dir, rttFile)) : new Map(),
      stats,
      rows,
      log: p.log(),
      errors: errFile ? readFileSync(join(dir, errFile), 'utf8').slice(0, 4000) : '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readStat(path: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.trim().split('\n');
  const head = lines[0].split(';');
  return lines.slice(1).map((l) => {
    const v = l.split(';');
    return Object.fromEntries(head.map((h, i) => [h, v[i] ?? '']));
  });
}

/** SIPp's rtt file: "Date_ms;response_time_ms;rtd_no" with rtd_no the rtd's name. */
function readRtt(path: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const l of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
    const [, ms, name] = l.split(';');
    if (name === undefined) continue;
    const k = name.trim();
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(Number(ms));
  }
  return out;
}
