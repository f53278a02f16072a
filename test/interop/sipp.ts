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
import { Identities } from '../../sim/ims/identities.ts';
import { regFromTag } from '../../sim/ims/tags.ts';
import { IMS_SECTION, imsConfigOf } from '../../sim/scenario/types/ims.ts';
import { nodeAddress } from '../../sim/observe/pcapng.ts';

export const SIPP_FIXTURES = resolve(fileURLToPath(new URL('../fixtures/sipp/', import.meta.url)));
export const ICS_REGISTER_DEREGISTER = join(SIPP_FIXTURES, 'ics-register-deregister.xml');

/**
 * SIPp speaks the MSC's dialect, as the model writes it, so that RegLab's decoder
 * (sim/emulate/ims-sip-codec.ts) takes it as the MSC's: the subscriber's identities from the model's
 * own Identities (call k registers subscriber k - 1), its +sip.instance, the MSC's Contact and the
 * auth-done Authorization. SIPp's own names — its Call-ID ([call_id]: "<call number>-<pid>@<ip>"),
 * and whatever the peer writes in its tags — are foreign to the model, and the decoder carries them
 * verbatim (milestone codec-foreign), so SIPp matches every answer by its own Call-ID, whatever
 * the number of calls.
 */
export const SIPP_REG_TOKEN = 0x5ea1ab1e;
export const MSC_NODE = 0;

export function subscriberOfCall(k: number): number {
  return k - 1;
}

/** Population a RegLab scenario needs so that every one of `calls` SIPp calls is a subscriber. */
export function populationFor(calls: number): number {
  return calls;
}

export interface IcsUsers {
  calls: number;
  imsiBase?: string;
  msisdnBase?: string;
}

/**
 * The SEQUENTIAL injection file, line k-1 for call k: IMSI; ICS domain; instance; visited network;
 * From tag; the registration's and the deregistration's branch; the MSC's host.
 */
export function usersCsv(u: IcsUsers): string {
  const population = populationFor(u.calls);
  const cfg = imsConfigOf(IMS_SECTION.parse({ imsiBase: u.imsiBase ?? '234150999999999', msisdnBase: u.msisdnBase ?? '447700900123', implicitSet: 3 }));
  const ids = new Identities(cfg, population);
  const tag = regFromTag(SIPP_REG_TOKEN).toString(16).padStart(8, '0');
  const node = MSC_NODE.toString(16).padStart(2, '0');
  const lines = ['SEQUENTIAL'];
  for (let k = 1; k <= u.calls; k++) {
    const s = subscriberOfCall(k);
    const branch = (n: number) => `z9hG4bK${node}${n.toString(16).padStart(8, '0')}`;
    lines.push([ids.imsi(s), ids.homeDomain, ids.instanceUrn(s).replace(/^urn:gsma:imei:/, ''), ids.networkDomain, tag, branch(2 * k - 1), branch(2 * k), nodeAddress(MSC_NODE)].join(';'));
  }
  return lines.join('\n') + '\n';
}

export interface SippRun {
  target: string;
  scenario?: string;
  users: IcsUsers;
  /** Calls (= subscribers registered then deregistered). Default: one per subscriber. */
  calls?: number;
  /** Calls per second. */
  rate: number;
  /** -rate_increase/-rate_interval/-rate_max stepping, when given. */
  step?: { increase: number; intervalS: number; max: number };
  /** Maximum simultaneous calls (-l). */
  limit?: number;
  transport?: 'u1' | 'un' | 't1';
  timeoutS?: number;
  /** SIPp's local port, when the peer must know it beforehand (RegLab's external MSC address). */
  localPort?: number;
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
    const csv = usersCsv(r.users);
    writeFileSync(join(dir, 'users.csv'), csv);
    const port = r.localPort ?? (await freePort());
    const timeout = r.timeoutS ?? 30;
    const args = [
      r.target,
      '-sf', r.scenario ?? ICS_REGISTER_DEREGISTER,
      '-inf', join(dir, 'users.csv'),
      '-i', '127.0.0.1',
      '-p', String(port), // never SIPp's default 5060: other engineers' peers may hold it
      '-m', String(r.calls ?? r.users.calls),
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

export interface CoreYamlOptions {
  calls: number;
  /** The address RegLab takes as the MSC (SIPp's socket, or the relay's). */
  mscAddress: string;
  /** Where the MSC's REGISTERs enter: the I-CSCF (whole core) or the S-CSCF alone. */
  entry?: 'icscf' | 'scscf';
  /** Fixed SIP ports (default: any free one, printed on start). */
  ports?: { icscf: number; scscf: number };
  watch?: number;
}

/** RegLab's IMS core (I-CSCF, S-CSCF, HSS over Diameter/TCP) for SIPp playing the MSC. */
export function reglabCoreYaml(o: CoreYamlOptions): string {
  const population = populationFor(o.calls);
  return [
    'description: RegLab IMS core (I-CSCF, S-CSCF, HSS) for SIPp playing the MSC (test/interop/sipp.ts)',
    'seed: 1',
    'duration: 600s',
    "ims: { imsiBase: '234150999999999', msisdnBase: '447700900123', implicitSet: 3 }",
    'network:',
    '  defaults: { delay: 0ms, transport: datagram }',
    '  links: [ { between: [icscf, hss], transport: stream }, { between: [scscf, hss], transport: stream } ]',
    'nodes:',
    `  - { id: msc, type: msc-ics, params: { icscf: ${o.entry ?? 'icscf'}, farEnd: far } }`,
    '  - { id: icscf, type: icscf, params: { hss: hss, scscfs: [scscf] } }',
    '  - { id: scscf, type: scscf, params: { hss: hss, farEnd: far } }',
    '  - { id: hss, type: hss }',
    '  - { id: far, type: far-end }',
    `population: { size: ${population} }`,
    `observe: { watch: { first: ${Math.min(population, o.watch ?? 16)} } }`,
    'emulate:',
    '  nodes:',
    `    msc: { external: { address: '${o.mscAddress}' } }`,
    ...(o.ports ? [`    icscf: { sip: ${o.ports.icscf} }`, `    scscf: { sip: ${o.ports.scscf} }`] : []),
  ].join('\n');
}
