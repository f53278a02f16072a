import type { Ns } from '../kernel/time.ts';

/**
 * The scenario's `ims:` section as the IMS nodes see it (validated and defaulted by
 * sim/scenario/types/ims.ts). Everything that every IMS node must agree on lives here: the home
 * network's identities, the implicit registration set, which subscribers have sessions, the SIP
 * timers, and whether the run starts from a pre-registered population.
 */
export interface ImsConfig {
  /** Mobile Country Code, 3 digits. */
  mcc: string;
  /** Mobile Network Code as in the IMSI, 2 or 3 digits (the domain names pad it to 3). */
  mnc: string;
  /** IMSI of subscriber 0 (MCC + MNC + MSIN, at most 15 digits); subscriber i has MSIN + i. */
  imsiBase: string;
  /** MSISDN of subscriber 0, E.164 digits without '+'; subscriber i has MSISDN + i. */
  msisdnBase: string;
  /** IMEI (TAC + SNR, 14 digits, no check digit) of subscriber 0's device; subscriber i has + i. */
  imeiBase: string;
  /** Public user identities per implicit registration set (≥ 1). */
  implicitSet: number;
  sessions: {
    /** Share of subscribers with established IMS sessions (INVITE dialogs) at deregistration time. */
    share: number;
    /** Dialogs per such subscriber (each on the next identity of the implicit set). */
    perSubscriber: number;
  };
  /**
   * The far-end parties the subscribers' sessions go to: subscriber i talks to
   * sip:+<numberBase + i>@<domain>;user=phone.
   */
  peers: { domain: string; numberBase: string };
  /** RFC 3261 timer values (TS 24.229 Table 7.7.1 defaults). */
  timers: { T1: Ns; T2: Ns; T4: Ns };
  /**
   * Sizing scenarios: every subscriber starts registered at `msc` / `scscf`, subscribed to its reg
   * event, with its sessions (per `sessions`) established — no messages for any of that.
   */
  preRegistered?: { msc: string; scscf: string };
}

export const DEFAULT_IMS_CONFIG: ImsConfig = {
  mcc: '234',
  mnc: '15',
  imsiBase: '234150000000000',
  msisdnBase: '447700900000',
  imeiBase: '35209900000000',
  implicitSet: 3,
  sessions: { share: 0, perSubscriber: 1 },
  peers: { domain: 'example.net', numberBase: '442079460000' },
  timers: { T1: 500_000_000, T2: 4_000_000_000, T4: 5_000_000_000 },
};

/** Most dialogs a subscriber may hold (they are kept in a bit mask per subscriber). */
export const MAX_DIALOGS_PER_SUBSCRIBER = 4;

/**
 * Whether subscriber `sub` has IMS sessions: a deterministic hash of the subscriber id against the
 * configured share, so every node (MSC, S-CSCF, far end) agrees without exchanging a word, and the
 * set does not depend on the seed (the same subscribers have calls whatever the run).
 */
export function hasSessions(cfg: ImsConfig, sub: number): boolean {
  const share = cfg.sessions.share;
  if (share <= 0) return false;
  if (share >= 1) return true;
  return mix32(sub) / 4294967296 < share;
}

/** A 32-bit integer hash (lowbias32 by C. Wellons): well spread, cheap, stable. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/**
 * When to refresh a registration granted for `expires` seconds (REFERENCE §1 [V, book figure]):
 * 600 s before expiry when it exceeds 1200 s, otherwise at half of it.
 */
export function refreshAfter(expires: number): number {
  return expires > 1200 ? expires - 600 : expires / 2;
}
