/**
 * The dereg-chain reference model written a second time, directly against the kernel's EventQueue:
 * no Node, no network, no message objects. A message is an integer (subscriber × 16 + step), a node
 * is a slot in a few typed arrays, and an event is one of two functions (an arrival, the end of a
 * service). It is what a model costs with nothing of RegLab's framework around it, so that the
 * benchmark can say, in one run, how much of the gap between the RegLab model and the bare loop is
 * the framework and how much is the model's own event pattern; and, being written independently of
 * sim/node and sim/net, it checks them: its results must equal runDeregChain's to the nanosecond
 * (test/bench/dereg-chain.test.ts).
 *
 * The rules are dereg-chain.ts's: FIFO single-server nodes, every link 5 ms, sends at the end of a
 * service in the order m7 then m9, then the node starts its next queued message; equal times run in
 * scheduling order (the queue's sequence numbers).
 */
import { EventQueue } from '../sim/kernel/event-queue.ts';
import type { Ns } from '../sim/kernel/time.ts';
import { EVENTS_PER_PROCEDURE, LINK_DELAY, NODE_IDS, SERVICE, chainResult, type DeregChainResult, type NodeId } from './dereg-chain.ts';

const MSC = 0;
const ICSCF = 1;
const HSS = 2;
const SCSCF = 3;
/** The node each step is served at: the trigger and m8, m9 at the MSC, and so on. */
const AT = Int32Array.of(MSC, ICSCF, HSS, ICSCF, SCSCF, HSS, SCSCF, ICSCF, MSC, MSC, SCSCF);
/** A message is sub × 16 + step: subscribers up to 2^27 fit a small integer. */
const STEP_BITS = 4;
const STEP_MASK = 15;
export const MAX_DIRECT_N = 1 << 27;

class DirectModel {
  readonly q = new EventQueue(4096);
  /** [now]: kept in a typed array, like the kernel's clock, so it is never boxed. */
  readonly clock = new Float64Array(1);
  readonly service = Float64Array.of(SERVICE.MSC, SERVICE.ICSCF, SERVICE.HSS, SERVICE.SCSCF);
  readonly busy = new Int32Array(4);
  /** The message in service at each node. */
  readonly serving = new Int32Array(4);
  readonly served = new Float64Array(4);
  readonly peak = new Int32Array(4);
  // One FIFO ring per node (capacity a power of two, grown when full).
  rings: Int32Array[] = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
  readonly head = new Int32Array(4);
  readonly len = new Int32Array(4);
  completed = 0;
  /** [sum of latencies]. */
  readonly sum = new Float64Array(1);
  readonly latencies: Float64Array;
  readonly arrive: (m: number) => void;
  readonly complete: (node: number) => void;

  constructor(
    readonly triggers: Float64Array,
    readonly onComplete: ((sub: number, at: Ns) => void) | undefined,
  ) {
    this.latencies = new Float64Array(triggers.length);
    // Closures over `this`, made once: the queue stores a function per event.
    this.arrive = (m) => this.onArrive(m);
    this.complete = (node) => this.onComplete_(node);
  }

  private begin(node: number, m: number): void {
    this.busy[node] = 1;
    this.serving[node] = m;
    this.q.push(this.clock[0] + this.service[node], this.complete, node);
  }

  private send(m: number): void {
    this.q.push(this.clock[0] + LINK_DELAY, this.arrive, m);
  }

  private onArrive(m: number): void {
    const node = AT[m & STEP_MASK];
    if (this.busy[node] === 0) {
      this.begin(node, m);
      return;
    }
    let ring = this.rings[node];
    if (this.len[node] === ring.length) ring = this.grow(node);
    ring[(this.head[node] + this.len[node]) & (ring.length - 1)] = m;
    const l = ++this.len[node];
    if (l > this.peak[node]) this.peak[node] = l;
  }

  private onComplete_(node: number): void {
    const m = this.serving[node];
    this.served[node]++;
    const sub = m >> STEP_BITS;
    const base = sub << STEP_BITS;
    switch (m & STEP_MASK) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 9:
        // trigger → m1, m1 → m2, …, m5 → m6, m9 → m10
        this.send(m + 1);
        break;
      case 6:
        // m7 before m9, both now.
        this.send(base + 7);
        this.send(base + 9);
        break;
      case 7:
        this.send(base + 8);
        break;
      case 8: {
        const l = this.clock[0] - this.triggers[sub];
        this.latencies[this.completed++] = l;
        this.sum[0] += l;
        if (this.onComplete !== undefined) this.onComplete(sub, this.clock[0]);
        break;
      }
      // m10 ends the parallel branch.
    }
    if (this.len[node] > 0) {
      const ring = this.rings[node];
      const next = ring[this.head[node]];
      this.head[node] = (this.head[node] + 1) & (ring.length - 1);
      this.len[node]--;
      this.begin(node, next);
    } else {
      this.busy[node] = 0;
    }
  }

  private grow(node: number): Int32Array {
    const old = this.rings[node];
    const ring = new Int32Array(old.length * 2);
    for (let k = 0; k < old.length; k++) ring[k] = old[(this.head[node] + k) & (old.length - 1)];
    this.rings[node] = ring;
    this.head[node] = 0;
    return ring;
  }
}

/** Runs the hand-written model; same result shape (and, but for timings, the same values) as runDeregChain. */
export function runDirect(triggers: Float64Array, onComplete?: (sub: number, at: Ns) => void): DeregChainResult {
  const n = triggers.length;
  if (n >= MAX_DIRECT_N) throw new RangeError(`dereg-chain direct: N must be below ${MAX_DIRECT_N}`);
  const d = new DirectModel(triggers, onComplete);
  const q = d.q;
  const clock = d.clock;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) q.push(triggers[i], d.arrive, i << STEP_BITS);
  let events = 0;
  while (q.pop()) {
    clock[0] = q.time;
    events++;
    q.fn!(q.arg);
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(c0);
  if (events !== EVENTS_PER_PROCEDURE * n) {
    throw new Error(`dereg-chain direct: ${events} events for N=${n}, expected ${EVENTS_PER_PROCEDURE * n}`);
  }
  const end = clock[0];
  const lat = d.latencies.subarray(0, d.completed).sort();
  const utilisation = {} as Record<NodeId, number>;
  const peakQueue = {} as Record<NodeId, number>;
  NODE_IDS.forEach((id, k) => {
    utilisation[id] = end > 0 ? (d.served[k] * d.service[k]) / end : 0;
    peakQueue[id] = d.peak[k];
  });
  return chainResult(n, events, end, lat, d.sum[0], utilisation, peakQueue, wallMs, cu);
}
