/**
 * Small ICS scenarios for the failure-handling tests (test/ffs/ics-*.test.ts): one MSC (or two),
 * I-CSCF, S-CSCF, HSS and far end, zero service costs and fixed link delays, so every time a test
 * asserts can be computed from the parameters. Runs the real scenario runner (faults, signals,
 * probes, trace), as `reglab run` does.
 */
import { loadScenarioText } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import type { ImsSip } from '../../sim/ims/sip-message.ts';

/** Link delays of the small network (ms): MSC ↔ I-CSCF and MSC ↔ S-CSCF 5, every other hop 2. */
export const HOP_MSC = 5;
export const HOP = 2;
/**
 * From the MSC sending an initial REGISTER to the S-CSCF storing the binding: REGISTER to the
 * I-CSCF (5), UAR + UAA (2 + 2), REGISTER to the S-CSCF (2), SAR + SAA (2 + 2) = 15 ms.
 */
export const BIND_AFTER_MS = HOP_MSC + 5 * HOP;

export interface IcsOpts {
  population?: number;
  duration?: string;
  /** YAML flow map merged into the MSC's params (e.g. "policies: { deregFailure: retry-backoff }"). */
  msc?: string;
  scscf?: string;
  hss?: string;
  /** YAML for the ims: section body (indented by the caller as a flow map). */
  ims?: string;
  /** Workload items (YAML list lines). Default: attach at 0 s, detach at 10 s. */
  workload?: string[];
  /** Fault rules (YAML list lines). */
  faults?: string[];
  /** A second MSC, msc-b (for moves and races). */
  mscB?: string;
  transport?: 'stream' | 'datagram';
  interval?: string;
}

export function icsYaml(o: IcsOpts = {}): string {
  const n = o.population ?? 1;
  const work = o.workload ?? ['- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }', '- { target: msc, event: detach, pattern: { kind: all-at-once, at: 10s } }'];
  const lines = [
    'description: an ICS failure-handling test scenario',
    'seed: 1',
    `duration: ${o.duration ?? '200s'}`,
    `ims: { implicitSet: 3${o.ims ? `, ${o.ims}` : ''} }`,
    'network:',
    `  defaults: { delay: ${HOP}ms, transport: ${o.transport ?? 'stream'} }`,
    '  links:',
    `    - { between: [msc, icscf], delay: ${HOP_MSC}ms }`,
    `    - { between: [msc, scscf], delay: ${HOP_MSC}ms }`,
    ...(o.mscB !== undefined ? [`    - { between: [msc-b, icscf], delay: ${HOP_MSC}ms }`, `    - { between: [msc-b, scscf], delay: ${HOP_MSC}ms }`] : []),
    'nodes:',
    `  - { id: msc, type: msc-ics, params: { icscf: icscf, farEnd: far${o.msc ? `, ${o.msc}` : ''} } }`,
    ...(o.mscB !== undefined ? [`  - { id: msc-b, type: msc-ics, params: { icscf: icscf, farEnd: far${o.mscB ? `, ${o.mscB}` : ''} } }`] : []),
    '  - { id: icscf, type: icscf, params: { hss: hss, scscfs: [scscf] } }',
    `  - { id: scscf, type: scscf, params: { hss: hss, farEnd: far${o.scscf ? `, ${o.scscf}` : ''} } }`,
    `  - { id: hss, type: hss${o.hss ? `, params: { ${o.hss} }` : ''} }`,
    '  - { id: far, type: far-end, params: { answerAfter: 100ms } }',
    `population: { size: ${n} }`,
    'workload:',
    ...work.map((w) => `  ${w}`),
    ...(o.faults?.length ? ['faults:', ...o.faults.map((f) => `  ${f}`)] : []),
    `observe: { watch: { first: ${n} }, interval: ${o.interval ?? '1s'} }`,
  ];
  return lines.join('\n') + '\n';
}

export async function runIcs(o: IcsOpts = {}, set: string[] = []): Promise<RunResult> {
  return runScenario(loadScenarioText(icsYaml(o), '/tmp/reglab-ics-ffs-test.yaml', { set }));
}

/** A named signal's final value at a node (0 when never signalled). */
export function sig(r: RunResult, node: string, name: string): number {
  return r.summary.nodes[node].signals[name] ?? 0;
}

/** A gauge signal's time integral, value·seconds. */
export function sigSeconds(r: RunResult, node: string, name: string): number {
  return r.summary.nodes[node].signalSeconds[name] ?? 0;
}

/** The distinct REGISTERs `from` sent for `sub` with expiry 0, in send order (retransmissions are the same object). */
export function deregisters(r: RunResult, sub: number, from = 'msc'): ImsSip[] {
  const out: ImsSip[] = [];
  for (const e of r.entries) {
    const m = e.msg as ImsSip;
    if (e.rec.from !== from || e.rec.proto !== 'sip' || m.method !== 'REGISTER' || m.status !== 0 || m.sub !== sub) continue;
    if ((m.expires >= 0 ? m.expires : m.contactExpires) !== 0) continue;
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** Every distinct REGISTER request `from` sent for `sub` (any expiry), in send order. */
export function registers(r: RunResult, sub: number, from = 'msc'): ImsSip[] {
  const out: ImsSip[] = [];
  for (const e of r.entries) {
    const m = e.msg as ImsSip;
    if (e.rec.from !== from || e.rec.proto !== 'sip' || m.method !== 'REGISTER' || m.status !== 0 || m.sub !== sub) continue;
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** Outcomes of a procedure. */
export function proc(r: RunResult, name: string): { started: number; completed: number; failed: number; abandoned: number } {
  const p = r.summary.procedures[name];
  return p ? { started: p.started, completed: p.completed, failed: p.failed, abandoned: p.abandoned } : { started: 0, completed: 0, failed: 0, abandoned: 0 };
}

export const S = 1e9;
export const MS = 1e6;

/**
 * The Cancel Location race: msc attaches at 0 s, msc-b registers the same subscriber at 10 s (a
 * location update), and the Cancel Location reaches msc 20 ms later — under the S-CSCF's deregMatch.
 */
export const cancelLocationRace = (match: string): Promise<RunResult> =>
  runIcs({
    duration: '30s',
    mscB: '',
    scscf: `deregMatch: ${match}`,
    workload: [
      '- { target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
      '- { target: msc-b, event: location-update, pattern: { kind: all-at-once, at: 10s } }',
      '- { target: msc, event: cancel-location, pattern: { kind: all-at-once, at: 10020ms } }',
    ],
  });
