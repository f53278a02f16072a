/**
 * The emulation lab's dashboard API (WebSocket /api/emulate, sim/server/emulate-routes.ts), shared
 * by sim/server and web/ like api-types.ts.
 *
 *   ← hello      on connect: the addresses this server lets the dashboard bind, and whether an
 *                emulation is already running (one per server)
 *   → start      one emulate/ scenario; `host` must be one of hello.hosts
 *   ← started    its nodes (external peers with their address), the endpoints as `reglab emulate`
 *                prints them, the run's length
 *   ← trace      the watched messages of real traffic, in batches (`skipped`: records the page was
 *                too slow to take, counted instead of buffered without bound)
 *   ← lateness   p50/p99/max so far, once a second
 *   → stop
 *   ← done       how it ended, the run directory and the links to its files
 *   ← error      code + message (E_API, E_SCENARIO, E_LIMIT, E_PORT_IN_USE, E_RUN, …)
 */
import type { NodeInfo, RuleResult, Summary, TraceRecord } from './api-types.ts';
import type { EndpointInfo as EmulateEndpoint, WireCounters as EmulateWire } from '../emulate/wire-network.ts';
import type { LatenessSummary as EmulateLateness } from '../emulate/realtime-driver.ts';

export type { NodeInfo, RuleResult, Summary, TraceRecord };

/** A node of the emulated scenario; `external` is the address of the real peer that plays it. */
export interface EmulateNodeInfo extends NodeInfo {
  external?: string;
}

/** One listener, as `reglab emulate` prints it (`scscf sip:127.0.0.1:5062;transport=udp`); lateness
 * p50/p99/max; the wire counters (summary.json `emulation.wire`, docs/emulation.md). */
export type { EndpointInfo as EmulateEndpoint, WireCounters as EmulateWire } from '../emulate/wire-network.ts';
export type { LatenessSummary as EmulateLateness } from '../emulate/realtime-driver.ts';

/** A subscriber of an IMS scenario's population: what a SIP client joining the lab addresses. */
export interface EmulateSubscriber {
  subscriber: number;
  imsi: string;
  /** Its implicit registration set, the temporary public identity first (docs/ims.md). */
  impus: string[];
}

export interface EmulateOutput {
  name: string;
  bytes: number;
}

export type EmulateCommand =
  /** `set`: overrides, path → value, as `reglab emulate --set path=value`. */
  | { type: 'start'; scenario: string; duration?: string; timeScale?: number; host?: string; set?: Record<string, string> }
  | { type: 'stop' };

export type EmulateEvent =
  | { type: 'hello'; hosts: string[]; running: boolean }
  | {
      type: 'started';
      scenario: string;
      description: string;
      host: string;
      timeScale: number;
      durationNs: number;
      nodes: EmulateNodeInfo[];
      endpoints: EmulateEndpoint[];
      /** IMS scenarios: the first subscribers of the population (at most EMULATE_SUBSCRIBERS_SHOWN). */
      subscribers: EmulateSubscriber[];
    }
  | { type: 'trace'; records: TraceRecord[]; skipped?: number }
  | { type: 'lateness'; lateness: EmulateLateness }
  | {
      type: 'done';
      ended: 'duration' | 'stopped' | 'error';
      error?: string;
      /** The run directory on the server's disk. */
      dir: string;
      /** URL path its files are served under (ends with '/'), and the files. */
      files: string;
      outputs: EmulateOutput[];
      summary: Summary;
      /** rules.json: the spec rules checked on what RegLab's own nodes did. */
      rules: RuleResult[];
      lateness: EmulateLateness;
      wire: EmulateWire;
    }
  | { type: 'error'; code: string; message: string };
