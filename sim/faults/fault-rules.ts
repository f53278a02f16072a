import type { Ns } from '../kernel/time.ts';

/**
 * Fault rules as a scenario declares them (`faults:`), with node ids resolved by the injector.
 * Every rule acts on the live run — nothing is precomputed — and leaves its mark in the trace:
 * a dropped message names the rule (`fault:<name>`), node events become `fault` records.
 */

/** Which messages a rule concerns; every field given must match. */
export interface MessageMatch {
  proto?: string;
  kind?: string[];
  from?: string;
  to?: string;
  subscriber?: number;
  procedure?: string;
}

/**
 * A message lost on a stream link: 'reset' (default) — the connection fails, both ends learn it at
 * once (RFC 3261 §18: TCP never loses a message silently); 'discard' — swallowed above a connection
 * that stays up (an application that drops it), so only the sender's timers find out.
 */
export type OnStream = 'reset' | 'discard';

export interface Window {
  from: Ns;
  /** Exclusive end; undefined: until the end of the run. */
  to?: Ns;
}

export type FaultRule =
  | { kind: 'loss'; name: string; link?: [string, string]; probability: number; window: Window; onStream?: OnStream }
  | { kind: 'delay'; name: string; link?: [string, string]; match?: MessageMatch; extra: Ns; probability: number; window: Window }
  | { kind: 'duplicate'; name: string; link?: [string, string]; match?: MessageMatch; probability: number; window: Window }
  | { kind: 'drop'; name: string; match: MessageMatch; probability: number; window: Window; onStream?: OnStream }
  | {
      kind: 'error';
      name: string;
      node: string;
      match?: MessageMatch;
      answer: { status?: number; retryAfter?: Ns; result?: number; cause?: string };
      probability: number;
      window: Window;
    }
  | { kind: 'crash'; name: string; node: string; at: Ns; restartAfter?: Ns }
  | { kind: 'partition'; name: string; between: [string, string]; window: Window }
  | { kind: 'overload'; name: string; node: string; window: Window; capacityFactor?: number; queueLimit?: number };

export function inWindow(w: Window, t: Ns): boolean {
  return t >= w.from && (w.to === undefined || t < w.to);
}
