/**
 * RegLab's own wire messages, as the IMS model renders them: a small ICS scenario runs in
 * simulation with every subscriber watched, and the trace gives each message's text exactly as
 * `ImsSip.wire()` wrote it, next to the model's own answer. Nothing here writes SIP by hand.
 */
import { loadScenarioText } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import type { TraceRecord } from '../../sim/observe/records.ts';

export interface ModelExchange {
  /** The MSC that sent the request. */
  from: string;
  request: TraceRecord;
  /** The final answer the model's own core gave it (through the I-CSCF). */
  answer: TraceRecord | undefined;
}

export interface IcsRunOptions {
  population: number;
  /** 'header' (Expires: 0) or 'contact' (;expires=0) — the MSC's `expiresIn` parameter. */
  expiresIn: 'header' | 'contact';
  /** SIP between the MSCs and the core on a stream link (Via: SIP/2.0/TCP) or datagrams (UDP). */
  transport: 'datagram' | 'stream';
  /** 'detach' | 'cancel-location' | 'maintenance'. */
  trigger: 'detach' | 'cancel-location' | 'maintenance';
  imsiBase?: string;
}

/**
 * Runs the model: msc-a registers `population` subscribers at 0 s; the trigger at 5 s makes it
 * deregister them (§6.3.6.2). For Cancel Location, msc-b registers them first (location update at
 * 5 s; Cancel Location reaches msc-a 10 ms later) — the race of learn/ics-cancel-location.yaml.
 */
export async function modelRegisterExchanges(o: IcsRunOptions): Promise<ModelExchange[]> {
  const moved = o.trigger === 'cancel-location';
  const workload = [
    `  - { target: msc-a, event: attach, pattern: { kind: all-at-once, at: 0s } }`,
    ...(moved
      ? [
          `  - { target: msc-b, event: location-update, pattern: { kind: all-at-once, at: 5s } }`,
          `  - { target: msc-a, event: cancel-location, pattern: { kind: all-at-once, at: 5.01s } }`,
        ]
      : o.trigger === 'maintenance'
        ? // Operator action: one trigger, the MSC sweeps every subscriber (over sweepSpread).
          [`  - { target: msc-a, event: maintenance, subscribers: { from: 0, count: 1 }, pattern: { kind: all-at-once, at: 5s } }`]
        : [`  - { target: msc-a, event: detach, pattern: { kind: all-at-once, at: 5s } }`]),
  ];
  const msc = (id: string) =>
    `  - { id: ${id}, type: msc-ics, params: { icscf: icscf, farEnd: far, expiresIn: ${o.expiresIn}, sessionSetupAfter: 600s, sweepSpread: 100ms } }`;
  const yaml = [
    `description: interop source — the MSC's REGISTERs as the model renders them`,
    `seed: 1`,
    `duration: 20s`,
    `ims: { imsiBase: '${o.imsiBase ?? '234150999999999'}', msisdnBase: '447700900123', implicitSet: 3 }`,
    `network: { defaults: { delay: 2ms, transport: ${o.transport} } }`,
    `nodes:`,
    msc('msc-a'),
    ...(moved ? [msc('msc-b')] : []),
    `  - { id: icscf, type: icscf, params: { hss: hss, scscfs: [scscf] } }`,
    `  - { id: scscf, type: scscf, params: { hss: hss, farEnd: far } }`,
    `  - { id: hss, type: hss }`,
    `  - { id: far, type: far-end }`,
    `population: { size: ${o.population} }`,
    `workload:`,
    ...workload,
    `observe: { watch: { first: ${o.population} } }`,
  ].join('\n');
  const run = await runScenario(loadScenarioText(yaml, 'interop-source.yaml'));
  const out: ModelExchange[] = [];
  for (const r of run.trace) {
    if (r.kind !== 'REGISTER' || !r.from.startsWith('msc') || r.event !== 'delivered') continue;
    const callId = header(r.wire, 'Call-ID');
    const cseq = header(r.wire, 'CSeq');
    const answer = run.trace.find(
      (a) => a.seq > r.seq && a.to === r.from && /^\d{3} REGISTER$/.test(a.kind) && Number(a.kind.slice(0, 3)) >= 200 && header(a.wire, 'Call-ID') === callId && header(a.wire, 'CSeq') === cseq,
    );
    out.push({ from: r.from, request: r, answer });
  }
  return out;
}

/** One header's value from SIP text (first occurrence), '' when absent. */
export function header(text: string, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text);
  return m ? m[1].trim() : '';
}
