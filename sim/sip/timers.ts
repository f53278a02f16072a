import { MS, SECOND, type Ns } from '../kernel/time.ts';

/**
 * SIP timer values (RFC 3261 §17 and Table 4). Every timer is derived from T1, T2 and T4, as the RFC
 * defines them; the defaults are TS 24.229 Table 7.7.1's values between network elements.
 *
 *   T1  RTT estimate                         500 ms
 *   T2  maximum retransmit interval          4 s      (non-INVITE requests, INVITE responses)
 *   T4  maximum time a message stays in the network   5 s
 *   D   wait for response retransmits (INVITE client)  > 32 s on unreliable transports, 0 on reliable
 *
 *   A = T1 (INVITE request retransmit, doubles)        B = 64·T1 (INVITE transaction timeout)
 *   E = T1 (non-INVITE retransmit, doubles up to T2)   F = 64·T1 (non-INVITE transaction timeout)
 *   G = T1 (INVITE response retransmit, up to T2)      H = 64·T1 (wait for ACK)
 *   I = T4 unreliable / 0 reliable (wait for ACK retransmits)
 *   J = 64·T1 unreliable / 0 reliable (wait for non-INVITE request retransmits)
 *   K = T4 unreliable / 0 reliable (wait for non-INVITE response retransmits)
 *   L, M = 64·T1 (RFC 6026: INVITE server / client in Accepted)
 */
export interface SipTimers {
  readonly T1: Ns;
  readonly T2: Ns;
  readonly T4: Ns;
  /** Timer D on unreliable transports (RFC 3261: "> 32 s"). */
  readonly D: Ns;
}

export const DEFAULT_SIP_TIMERS: SipTimers = Object.freeze({ T1: 500 * MS, T2: 4 * SECOND, T4: 5 * SECOND, D: 32 * SECOND });

/**
 * Timer values with overrides, checked: whole ns, T1 > 0, T2 >= T1. Throws a RangeError naming the
 * field otherwise (scenario schemas validate first; this guards programmatic use).
 */
export function sipTimers(overrides: Partial<SipTimers> = {}): SipTimers {
  const t = { ...DEFAULT_SIP_TIMERS, ...overrides };
  for (const k of ['T1', 'T2', 'T4', 'D'] as const) {
    const v = t[k];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`SIP timer ${k} must be a whole number of ns >= 0, got ${v}`);
  }
  if (t.T1 === 0) throw new RangeError('SIP timer T1 must be > 0 (every retransmission timer derives from it)');
  if (t.T2 < t.T1) throw new RangeError(`SIP timer T2 (${t.T2} ns) must be >= T1 (${t.T1} ns)`);
  return Object.freeze(t);
}

/** 64·T1: Timers B, F, H, J (unreliable), L, M. */
export function timeout64(t: SipTimers): Ns {
  return 64 * t.T1;
}
