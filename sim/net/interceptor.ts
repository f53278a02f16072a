import type { Message } from './message.ts';

/**
 * What a fault injector does to a message in flight (sim/faults): drop it, delay it, or deliver
 * extra copies. Undefined means untouched, the fast path.
 */
export interface FaultAction {
  drop?: string;
  /** With `drop`, on a stream link: the loss resets the connection (both ends told at once). */
  reset?: boolean;
  extraDelay?: number;
  duplicates?: number;
}

/** Consulted by a transport on every send when fault rules are installed (both worlds: sim/node/ports.ts FaultableTransport). */
export interface Interceptor {
  onSend(from: number, to: number, msg: Message, now: number): FaultAction | undefined;
}
