import type { Ns } from '../kernel/time.ts';
import type { Message } from './message.ts';

/**
 * The signals the network and nodes emit (DESIGN principle 6: observe, don't entangle). Recorders
 * in sim/observe implement this; models never write files or know who listens.
 *
 * Node arguments are node indices; -1 stands for "outside the network" (workload, self).
 */
export interface Signals {
  /** A message left `from` for `to`. */
  sent(t: Ns, from: number, to: number, msg: Message): void;
  /** A message reached `to` and was accepted there (queued or served); one refused on arrival is `dropped` only. */
  delivered(t: Ns, from: number, to: number, msg: Message): void;
  /** A message died before delivery: `at` is where (a link's far end, or the node that refused it on arrival). */
  dropped(t: Ns, from: number, at: number, msg: Message, reason: DropReason): void;
  /**
   * A message already delivered to `at` died there (lost from its queue or service in a crash, or
   * dropped by an injected fault): it no longer counts as delivered, so that every message sent is
   * delivered, dropped or in flight exactly once.
   */
  discarded(t: Ns, from: number, at: number, msg: Message, reason: DropReason): void;
  /** A workload trigger reached `to` (not a network message: no per-node message counts). */
  triggered(t: Ns, to: number, msg: Message): void;
  /** A procedure began for a subscriber. */
  procedureStarted(t: Ns, node: number, name: string, sub: number): void;
  /** A procedure ended; `started` is when it began. */
  procedureEnded(t: Ns, node: number, name: string, sub: number, started: Ns, outcome: Outcome): void;
  /** A named counter-style signal from protocol logic ('binding.removed', 'dialog.released', …). */
  signal(t: Ns, node: number, name: string, value: number, sub: number): void;
  /** An injected fault acted (a crash, a restart, an overload window…): always traced, watched or not. */
  fault(t: Ns, node: number, kind: string, detail: string): void;
}

/** Why a message died; injected faults report `fault:<rule name>`. */
export type DropReason = 'loss' | 'node-down' | 'overload' | 'unroutable' | 'fault' | 'crash' | `fault:${string}`;
export type Outcome = 'completed' | 'failed' | 'abandoned';

/** A Signals that ignores everything: for unit tests of one component. */
export const NO_SIGNALS: Signals = {
  sent() {},
  delivered() {},
  dropped() {},
  discarded() {},
  triggered() {},
  procedureStarted() {},
  procedureEnded() {},
  signal() {},
  fault() {},
};
