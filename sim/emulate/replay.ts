import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { wallClockMs } from '../kernel/real-time-clock.ts';
import type { Message } from '../net/message.ts';
import type { DropReason } from '../net/signals.ts';
import { ImsNode } from '../ims/ims-node.ts';
import { ImsSip } from '../ims/sip-message.ts';
import { parseSip } from '../sip/parser.ts';
import type { RunResult } from '../scenario/run.ts';
import { buildTopology } from '../scenario/build.ts';
import type { Scenario } from '../scenario/load.ts';
import type { EmulateSection } from '../scenario/types/emulate.ts';
import { ImsSipCodec, ViaTable } from './ims-sip-codec.ts';
import { readPdu, decodeCx } from './diameter.ts';
import { handOverToPeers } from './peer-nodes.ts';
import { ResultCollector } from './results.ts';
import { EmulateError, obsFromJson, type RecordedArrival } from './wire-network.ts';
import { Msgin5gServer } from '../msgin5g/server.ts';
import { parseRequest, parseResponse, isParseError } from '../msgin5g/codec.ts';
import { RegistrationRequest, DeregistrationRequest, BulkRequest, RawHttpRequest, type Msgin5gRequest } from '../msgin5g/messages.ts';
import { modelForm } from './msgin5g-model-form.ts';

/**
 * `reglab run SCENARIO --replay DIR`: an emulation session re-run in virtual time. Every message
 * that entered a node from a socket (arrivals.jsonl: bytes, sender, arrival time) is delivered
 * again at its recorded time, through the same parser and decoder; what the nodes send is traced
 * but goes nowhere (its effect on the other side is already in the recording). Workload, timers
 * and faults run on the kernel as in the emulation. No wall clock, no socket: the same recording
 * gives the same trace hash every time, and the rule verdicts the emulation gave.
 */
export async function runReplay(sc: Scenario, dir: string): Promise<RunResult> {
  const wall0 = wallClockMs();
  const file = join(dir, 'arrivals.jsonl');
  if (!existsSync(file)) throw new EmulateError('E_REPLAY', `--replay ${dir}: no arrivals.jsonl there — give the --out directory of a reglab emulate run`);
  const arrivals: RecordedArrival[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      arrivals.push(JSON.parse(l) as RecordedArrival);
    } catch {
      throw new EmulateError('E_REPLAY', `${file}:${i + 1}: not a JSON line — the recording is damaged`);
    }
  });
  let horizon = sc.duration;
  const emu = join(dir, 'emulation.json');
  if (existsSync(emu)) horizon = (JSON.parse(readFileSync(emu, 'utf8')) as { horizonNs?: number }).horizonNs ?? horizon;

  const topo = await buildTopology(sc);
  const { sim, net, nodes, recorder } = topo;
  const ids = nodes.map((n) => n.id);
  const section = (sc.doc as { emulate?: EmulateSection }).emulate;
  handOverToPeers(nodes, section);
  const ims = nodes.find((n): n is ImsNode => n instanceof ImsNode);
  const ctx = ims?.ctx;
  const vias = new ViaTable(64 * (ctx?.cfg.timers.T1 ?? 500_000_000) + 1_000_000_000);
  const codec = ctx ? new ImsSipCodec(ctx, nodes.length, vias) : undefined;
  const byFqdn = new Map<string, number>();
  if (ctx) {
    for (let i = 0; i < nodes.length; i++) {
      const h = section?.nodes[ids[i]]?.originHost;
      if (h !== undefined) (ctx as unknown as { fqdns: string[] }).fqdns[i] = h;
      byFqdn.set(ctx.fqdn(i), i);
    }
  }

  // The gateways' HTTP requests, for the recorded responses to be read against (HTTP pairs them by connection order).
  const sentHttp = new Map<string, Msgin5gRequest>();
  // Sends are traced (and faults judged, on the same random stream) but never delivered.
  net.send = (from: number, to: number, msg: Message) => {
    recorder.sent(sim.now(), from, to, msg);
    if (msg instanceof RegistrationRequest || msg instanceof DeregistrationRequest || msg instanceof BulkRequest) sentHttp.set(`${from}/${to}/${msg.tx}/${msg.conn}`, msg);
    const act = net.interceptor?.onSend(from, to, msg, sim.now());
    if (act?.drop !== undefined) recorder.dropped(sim.now(), from, to, msg, act.drop as DropReason);
    if (msg instanceof ImsSip) vias.noteSent(msg, sim.now());
  };

  const deliver = (r: RecordedArrival) => {
    const to = ids.indexOf(r.to);
    const from = ids.indexOf(r.from);
    const bytes = new Uint8Array(Buffer.from(r.data, 'base64'));
    const meta = r.meta;
    let msg: Message | undefined;
    if (r.proto === 'sip' && codec) {
      const p = parseSip(bytes, { transport: r.transport === 'udp' ? 'datagram' : 'stream' });
      const d = p.ok ? codec.decode(p, sim.now(), meta, from) : undefined;
      if (d?.ok) msg = d.msg;
    } else if (r.proto === 'cx' && ctx) {
      const p = readPdu(bytes);
      const d = p.ok ? decodeCx(p.pdu, ctx, { fqdn: (f) => byFqdn.get(f) ?? -1, host: (h) => codec?.nodeOfHost(h) ?? -1 }, { meta, answerSub: meta?.sub }) : undefined;
      if (d?.ok) msg = d.msg;
    } else if (r.proto === 'http' && r.http !== undefined && to >= 0) {
      const text = Buffer.from(bytes).toString('utf8');
      const obs = obsFromJson(r.http.obs);
      const server = nodes[to];
      if (r.http.answers !== undefined) {
        const req = sentHttp.get(`${to}/${from}/${r.http.answers.tx}/${r.http.answers.conn}`);
        const p = req !== undefined ? parseResponse(text, req) : undefined;
        if (p !== undefined && !isParseError(p)) msg = modelForm(p, text, obs);
      } else if (server instanceof Msgin5gServer) {
        // As the lab did: the server's own strict-input path answers what does not parse.
        const p = parseRequest(text, server.cfg.dir, r.from, r.http.tx, r.http.slot);
        msg = isParseError(p) ? new RawHttpRequest(text, r.http.tx, r.http.slot) : modelForm(p, text, obs);
      }
    }
    if (msg === undefined || to < 0 || from < 0) {
      recorder.signal(sim.now(), Math.max(0, to), 'replay.undecodable', 1, -1);
      return;
    }
    net.arrive(from, to, msg);
  };
  for (const r of arrivals) {
    if (r.t > horizon) break;
    sim.post(r.t, deliver, r);
  }

  const results = new ResultCollector(sc, topo, horizon);
  results.install();
  sim.run(horizon);
  return results.finish(horizon, wallClockMs() - wall0, []);
}
